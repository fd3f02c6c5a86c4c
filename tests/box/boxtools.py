"""Small helpers shared by the ballot-box tests."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable

from firmware_bridge.box import BallotBox, BoxEvent


def drain(box: BallotBox) -> list[BoxEvent]:
    out = []
    while True:
        try:
            out.append(box.events.get_nowait())
        except queue.Empty:
            return out


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def counted_box(box: BallotBox, count: int, ballots: int) -> BallotBox:
    """Connect, set the count, put ballots through the slot (test command), wait until all agree,
    and clear the events so far."""
    box.connect(5)
    box.set_count(count)
    box.inject_slot(ballots, 20, 20)
    wait_for(lambda: box.health().slot_count == ballots, 3, f"{ballots} ballots")
    assert box.wait_synced(3)
    drain(box)
    return box
