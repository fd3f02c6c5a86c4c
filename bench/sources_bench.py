"""Benchmark the image sources. Run: .venv/bin/python bench/sources_bench.py

- SANE: pages/s of `scanimage --batch` with the `test` backend through SaneScanner, simplex
  and duplex with the blank check (200 dpi, 200 × 200 mm grey PNG: the backend's largest page).
  This measures the station's side (process, pipes, file hand-over, blank measure), not a
  real scanner's mechanics, which are slower (30–60 pages/min for office ADF scanners).
- Camera: on the synthetic table video (sample_ballots.camera_video), processing frames/s,
  and the capture latency: from the frame a ballot comes to rest to the frame at which the
  capture is decided (video time, so independent of this machine's speed).
- Hot folder: files/s from a folder of already-complete files (settle_s = 0).
Results are recorded in docs/sources.md.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sample_ballots.camera_video import FPS, write_ballot_video
from station.ballot_layout import build_sheet
from station.ballot_pdf import pdf_bytes, render_pdf
from station.cmd_demo import demo_election_path
from station.definition_io import load_election
from station.sources import (
    CameraConfig,
    CameraSource,
    Captured,
    HotFolder,
    HotFolderConfig,
    SaneConfig,
    SaneScanner,
)


def _sane_dir(root: Path, picture: str, name: str) -> Path:
    d = root / f"sane-{name}"
    d.mkdir()
    (d / "dll.conf").write_text("test\n")
    (d / "test.conf").write_text(f'number_of_devices 1\ntest-picture "{picture}"\nbr_x 200.0\nbr_y 200.0\n')
    return d


def bench_sane(root: Path, batches: int = 5) -> None:
    for duplex, picture in ((False, "Grid"), (True, "Grid"), (True, "Solid white")):
        cfg = SaneConfig(
            device="test",
            source="Automatic Document Feeder",
            duplex=duplex,
            sane_config_dir=_sane_dir(root, picture, f"{picture.replace(' ', '-')}-{duplex}"),
        )
        rates, delivered = [], 0
        for _ in range(batches):
            t0 = time.perf_counter()
            events = list(SaneScanner(cfg).events(threading.Event()))
            rates.append(10 / (time.perf_counter() - t0))
            delivered = sum(isinstance(e, Captured) for e in events)
        mode = "duplex+blank check" if duplex else "simplex"
        print(
            f"SANE test backend, {mode}, {picture}: {statistics.median(rates):.1f} pages/s "
            f"(median of {batches} batches of 10 pages, {delivered} delivered per batch)"
        )


def bench_camera(root: Path) -> None:
    election = load_election(demo_election_path())
    pages = [render_pdf(pdf_bytes([build_sheet(election, election.stage(s), "main")]), 100)[0]
             for s in ("tuijian", "xinren", "xuanju")]
    video = root / "table.avi"
    placements = write_ballot_video(video, pages * 2, seed=7)
    frames = placements[-1].gone_from + 9
    t0 = time.perf_counter()
    events = list(CameraSource(CameraConfig(device=str(video))).events(threading.Event()))
    dt = time.perf_counter() - t0
    caps = [e.capture for e in events if isinstance(e, Captured)]
    lat = [c.metadata.decided_time_s - p.still_from / FPS for c, p in zip(caps, placements, strict=False)]
    print(f"camera: {len(caps)} captures for {len(placements)} ballots; {frames / dt:.0f} frames/s processed "
          f"(1280×720); capture latency after the ballot comes to rest: median {statistics.median(lat):.3f} s, "
          f"max {max(lat):.3f} s (video time)")


def bench_hot_folder(root: Path, n: int = 300) -> None:
    inbox = root / "inbox"
    inbox.mkdir()
    blob = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_bytes() * 100  # ~200 kB
    for i in range(n):
        (inbox / f"b{i:04d}.png").write_bytes(blob + str(i).encode())
    hf = HotFolder(HotFolderConfig(folder=inbox, settle_s=0.0))
    t0 = time.perf_counter()
    got = sum(isinstance(e, Captured) for e in hf.scan_once())
    dt = time.perf_counter() - t0
    print(f"hot folder: {got} files of {len(blob) // 1000} kB taken and moved in {dt:.2f} s ({got / dt:.0f} files/s)")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bench_sane(root)
        bench_hot_folder(root)
        bench_camera(root)
