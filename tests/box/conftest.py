"""Fixtures for the ballot-box tests: the firmware built once per session, emulators per test,
and a guard that fails any test leaving emulator processes or threads behind."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from firmware_bridge.box import BallotBox
from firmware_bridge.emulator import Emulator, FirmwareBuild, build_firmware, live_harness_pids
from firmware_bridge.link import Link
from firmware_bridge.transport import WireTrace, open_transport


@pytest.fixture(scope="session")
def firmware() -> FirmwareBuild:
    # built from source by the suite itself, into the git-ignored build folder
    return build_firmware()


@pytest.fixture
def emulator(firmware: FirmwareBuild, tmp_path: Path) -> Iterator[Emulator]:
    emu = Emulator(firmware, tmp_path / "box").start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture(autouse=True)
def nothing_left_behind() -> Iterator[None]:
    """Like pymodbus's conftest: a test that leaks a thread or an emulator process fails."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2.0
    while True:
        threads = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        pids = live_harness_pids()
        if not threads and not pids:
            return
        if time.monotonic() > deadline:
            break
        time.sleep(0.02)
    pytest.fail(f"left behind: threads {[t.name for t in threads]}, emulator processes {pids}")


@pytest.fixture
def open_link() -> Iterator[Callable[[str], Link]]:
    """Raw transaction-layer links (no supervisor), closed after the test."""
    links: list[Link] = []

    def make(url: str) -> Link:
        link = Link(open_transport(url)).start()
        links.append(link)
        return link

    yield make
    for link in links:
        link.close()


@pytest.fixture
def open_box() -> Iterator[Callable[..., BallotBox]]:
    """BallotBox instances with a wire trace, closed after the test (the trace is printed on failure)."""
    boxes: list[BallotBox] = []

    def make(url: str, **kwargs: object) -> BallotBox:
        box = BallotBox(url, trace=WireTrace(), **kwargs)  # type: ignore[arg-type]
        boxes.append(box)
        return box

    yield make
    for box in boxes:
        box.close()
        if box.trace is not None:
            print(f"--- wire trace {box.url} (last 40 lines) ---")
            print("\n".join(box.trace.lines()[-40:]))
