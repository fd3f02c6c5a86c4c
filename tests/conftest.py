"""Shared fixtures: the demo election, its printed ballots and their renders."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from station.cmd_demo import demo_election_path
from station.definition_io import load_election
from station.election import Election
from station.printing import PrintedStyle, print_stage


@pytest.fixture(autouse=True)
def _no_leftover_threads():
    """Fail any test that leaves threads running: they hide hangs and leak between tests."""
    before = set(threading.enumerate())
    yield
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]
    assert not leftover, f"test left threads running: {leftover}"


@pytest.fixture(scope="session")
def demo_path() -> Path:
    return demo_election_path()


@pytest.fixture(scope="session")
def demo(demo_path: Path) -> Election:
    return load_election(demo_path)


@pytest.fixture(scope="session")
def printed_demo(demo: Election, tmp_path_factory: pytest.TempPathFactory) -> list[PrintedStyle]:
    out = tmp_path_factory.mktemp("demo-ballots")
    styles: list[PrintedStyle] = []
    for stage in demo.stages:
        styles += print_stage(demo, stage, out)
    return styles


_render_cache: dict[tuple[Path, int], np.ndarray] = {}


@pytest.fixture(scope="session")
def render():
    """render(pdf_path, dpi) → grey page 1, cached for the session."""
    from station.ballot_pdf import render_pdf

    def _render(pdf: Path, dpi: int) -> np.ndarray:
        key = (pdf, dpi)
        if key not in _render_cache:
            _render_cache[key] = render_pdf(pdf, dpi)[0]
        return _render_cache[key]

    return _render


@pytest.fixture(scope="session")
def templates(demo: Election):
    from vision.templates import build_templates

    return build_templates(demo)


@pytest.fixture(scope="session")
def scanner_profile():
    from calibration.profile import load_profile

    return load_profile("scanner")


@pytest.fixture(scope="session")
def blank_render(demo: Election):
    """blank_render(stage, style, dpi) → the blank printed ballot rendered in grey, cached."""
    from station.ballot_layout import build_sheet
    from station.ballot_pdf import pdf_bytes, render_pdf

    cache: dict[tuple[str, str, int], np.ndarray] = {}

    def _render(stage: str, style: str, dpi: int) -> np.ndarray:
        key = (stage, style, dpi)
        if key not in cache:
            sheet = build_sheet(demo, demo.stage(stage), style)
            cache[key] = render_pdf(pdf_bytes([sheet]), dpi)[0]
        return cache[key].copy()

    return _render
