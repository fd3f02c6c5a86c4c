"""Fixtures for the image sources: a private SANE configuration with the `test` backend,
rendered demo ballots, a manual clock, and a check that no child process is left behind."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

STAGES = ("tuijian", "xinren", "xuanju")


class ManualClock:
    """A monotonic clock and a wall clock that move only when told."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.start = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.t

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.t - 1000.0)

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def child_pids() -> set[int]:
    """Live children of this process (all threads), from /proc."""
    pids: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            pids |= {int(p) for p in (task / "children").read_text().split()}
        except OSError:
            continue
    return pids


@pytest.fixture
def no_leftover_children():
    before = child_pids()
    yield
    left = child_pids() - before
    assert not left, f"child processes left running or unreaped: {left}"


@pytest.fixture
def sane_dir(tmp_path: Path) -> Path:
    """A SANE_CONFIG_DIR that loads only the `test` backend (one device, test:0), whose
    pages are a 10 mm grid on 200 × 200 mm: enough to check pages are whole images."""
    d = tmp_path / "sane.d"
    d.mkdir()
    (d / "dll.conf").write_text("test\n")
    (d / "test.conf").write_text(
        "number_of_devices 1\nmode Gray\ndepth 8\nresolution 200\n"
        'test-picture "Grid"\ntl_x 0.0\ntl_y 0.0\nbr_x 200.0\nbr_y 200.0\n'
    )
    return d


@pytest.fixture(scope="session")
def stage_pages(demo) -> dict[str, np.ndarray]:
    """Blank demo ballots of three stages, grey, 100 dpi (the camera sees less than that)."""
    from station.ballot_layout import build_sheet
    from station.ballot_pdf import pdf_bytes, render_pdf

    return {s: render_pdf(pdf_bytes([build_sheet(demo, demo.stage(s), "main")]), 100)[0] for s in STAGES}


@pytest.fixture(scope="session")
def png():
    def _png(img: np.ndarray) -> bytes:
        ok, buf = cv2.imencode(".png", img)
        assert ok
        return buf.tobytes()

    return _png
