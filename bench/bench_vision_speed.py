"""Speed of the reader: milliseconds per ballot side, decode included, on one core.

    python bench/bench_vision_speed.py                       # 200 and 300 dpi, 100 ballots each
    python bench/bench_vision_speed.py --count 300 --dpi 200 --out speed.json

Each ballot is a generated scan (sample_ballots.synth, scanner profile, full severity) as
the file a scanner would write: JPEG or PNG, as the profile draws it. Timed: the station's
own path from the file's bytes, `vision.read_files.read_bytes` (SHA-256, decode, read_page).
One process, one thread for OpenCV and the numeric libraries. Reported per resolution and
per file type: wall time and CPU time (the CPU time is what the work costs when other
processes share the machine), median and 90th percentile. Seeds from 1,000,000 up are
never used by the tests. The figures go to docs/vision-benchmarks.md.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vision_report import emit  # noqa: E402

from calibration.profile import load_profile  # noqa: E402
from sample_ballots.synth.corpus import generate_ballot  # noqa: E402
from station.cmd_demo import demo_election_path  # noqa: E402
from station.definition_io import load_election  # noqa: E402
from vision.image_io import load_pages  # noqa: E402
from vision.read_files import read_bytes  # noqa: E402
from vision.templates import build_templates  # noqa: E402


def _stats(values: list[float]) -> dict:
    a = np.array(values) * 1000.0
    med, p90 = float(np.median(a)), float(np.percentile(a, 90))
    return {"n": len(values), "median_ms": round(med, 1), "p90_ms": round(p90, 1)}


def run(count: int, seed: int, dpis: list[int]) -> dict:
    cv2.setNumThreads(1)
    templates = build_templates(load_election(demo_election_path()))
    profile = load_profile("scanner")
    out: dict = {"seed": seed, "count_per_dpi": count, "opencv_threads": cv2.getNumThreads(), "dpi": {}}
    for dpi in dpis:
        files = [generate_ballot("scanner", seed + i, dpi=dpi).file_bytes() for i in range(count)]
        for data in files[:3]:  # warm-up: caches of the print model, lazy imports
            read_bytes(data, "warm-up", templates, profile)
        wall: dict[str, list[float]] = {"all": [], "jpeg": [], "png": []}
        cpu: dict[str, list[float]] = {"all": [], "jpeg": [], "png": []}
        decode: dict[str, list[float]] = {"jpeg": [], "png": []}
        outcomes: dict[str, int] = {}
        for data in files:
            kind = "png" if data[:4] == b"\x89PNG" else "jpeg"
            c0, t0 = time.process_time(), time.perf_counter()
            [reading] = read_bytes(data, "bench", templates, profile)
            t1, c1 = time.perf_counter(), time.process_time()
            for k in ("all", kind):
                wall[k].append(t1 - t0)
                cpu[k].append(c1 - c0)
            d0 = time.process_time()
            load_pages(data)
            decode[kind].append(time.process_time() - d0)
            outcomes[reading.result.outcome] = outcomes.get(reading.result.outcome, 0) + 1
        out["dpi"][str(dpi)] = {
            "wall": {k: _stats(v) for k, v in wall.items() if v},
            "cpu": {k: _stats(v) for k, v in cpu.items() if v},
            "decode_cpu": {k: _stats(v) for k, v in decode.items() if v},
            "outcomes": outcomes,
        }
        print(f"  {dpi} dpi: {json.dumps(out['dpi'][str(dpi)]['cpu']['all'])}", file=sys.stderr)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=100, help="ballots per resolution")
    ap.add_argument("--seed", type=int, default=1_000_000)
    ap.add_argument("--dpi", type=int, nargs="+", default=[200, 300])
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    return emit(run(a.count, a.seed, a.dpi), a.out)


if __name__ == "__main__":
    sys.exit(main())
