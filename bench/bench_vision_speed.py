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

`--passes N` reads every file N times, in N passes over all files (so no file is read
twice in a row), and takes each file's median: a virtual machine's neighbours move a
single pass's median by ±2 ms from run to run. The first pass alone is reported too.
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


def _by_kind(times: list[float], kinds: list[str]) -> dict:
    """Statistics of all files and of each file type."""
    split = {"all": times, **{k: [t for t, kk in zip(times, kinds, strict=True) if kk == k] for k in ("jpeg", "png")}}
    return {k: _stats(v) for k, v in split.items() if v}


def _per_file_median(passes: list[list[float]]) -> list[float]:
    return [float(np.median(times)) for times in zip(*passes, strict=True)]


def run(count: int, seed: int, dpis: list[int], passes: int = 3) -> dict:
    cv2.setNumThreads(1)
    templates = build_templates(load_election(demo_election_path()))
    profile = load_profile("scanner")
    out: dict = {
        "seed": seed,
        "count_per_dpi": count,
        "passes": passes,
        "opencv_threads": cv2.getNumThreads(),
        "dpi": {},
    }
    for dpi in dpis:
        files = [generate_ballot("scanner", seed + i, dpi=dpi).file_bytes() for i in range(count)]
        for data in files[:3]:  # warm-up: caches of the print model, lazy imports
            read_bytes(data, "warm-up", templates, profile)
        kinds = ["png" if data[:4] == b"\x89PNG" else "jpeg" for data in files]
        wall_passes: list[list[float]] = []
        cpu_passes: list[list[float]] = []
        outcomes: dict[str, int] = {}
        for p in range(passes):
            wall_p, cpu_p = [], []
            for data in files:
                c0, t0 = time.process_time(), time.perf_counter()
                [reading] = read_bytes(data, "bench", templates, profile)
                t1, c1 = time.perf_counter(), time.process_time()
                wall_p.append(t1 - t0)
                cpu_p.append(c1 - c0)
                if p == 0:
                    outcomes[reading.result.outcome] = outcomes.get(reading.result.outcome, 0) + 1
            wall_passes.append(wall_p)
            cpu_passes.append(cpu_p)
        decode: dict[str, list[float]] = {"jpeg": [], "png": []}
        for data, kind in zip(files, kinds, strict=True):
            d0 = time.process_time()
            load_pages(data)
            decode[kind].append(time.process_time() - d0)

        out["dpi"][str(dpi)] = {
            "wall": _by_kind(_per_file_median(wall_passes), kinds),
            "cpu": _by_kind(_per_file_median(cpu_passes), kinds),
            "wall_first_pass": _by_kind(wall_passes[0], kinds),
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
    ap.add_argument("--passes", type=int, default=3, help="reads of every file (its median is taken)")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    return emit(run(a.count, a.seed, a.dpi, max(1, a.passes)), a.out)


if __name__ == "__main__":
    sys.exit(main())
