"""Kill the station (SIGKILL) at random moments while a batch is fed, restart, repeat.

Every ballot fed must end up counted exactly once, none lost, the log chain intact. The
server is the real one (`ballot-station serve`), fed through its hot folder as scanner
software would, and killed with no chance to clean up.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from station.service.process import api, start_station

KILLS = int(os.environ.get("CRASH_KILLS", "50"))
BALLOTS = int(os.environ.get("CRASH_BALLOTS", "40"))


@pytest.fixture(scope="module")
def ballots() -> list[bytes]:
    from sample_ballots.synth.corpus import generate_ballot

    return [generate_ballot("scanner", 500 + i, stage="xuanju", severity="mild", dpi=150).file_bytes()
            for i in range(BALLOTS)]


def test_sigkill_at_random_moments_loses_nothing_and_counts_once(tmp_path: Path, demo_path: Path, ballots) -> None:
    rng = random.Random(20261206)
    ws, inbox = tmp_path / "ws", tmp_path / "inbox"
    inbox.mkdir()
    hot = ("--hot-folder", str(inbox))

    # First start: read the tokens it shows once, start the stage.
    p = start_station(ws, demo_path, *hot, read_tokens=True)
    tokens = p.tokens
    p.wait_up()
    api(p.port, "/api/stages/xuanju/start", tokens["staff"], {"present": 38, "issued": BALLOTS})
    p.kill()

    fed = 0
    for _ in range(KILLS):
        p = start_station(ws, demo_path, *hot)
        deadline = time.monotonic() + rng.uniform(0.3, 3.0)
        while time.monotonic() < deadline:
            if fed < BALLOTS and rng.random() < 0.5:
                tmp = inbox / f"ballot-{fed:03d}.png.part"  # scanner software writes, then renames
                tmp.write_bytes(ballots[fed])
                tmp.rename(inbox / f"ballot-{fed:03d}.png")
                fed += 1
            time.sleep(0.05)
        p.kill()
    while fed < BALLOTS:
        (inbox / f"ballot-{fed:03d}.png").write_bytes(ballots[fed])
        fed += 1

    # Last start: let it finish, then check the count.
    p = start_station(ws, demo_path, *hot)
    try:
        p.wait_up()
        end = time.monotonic() + 240
        while time.monotonic() < end:
            state = api(p.port, "/api/state")
            if state["counters"]["images"] == BALLOTS and state["counters"]["queue"] == 0 and \
                    state["counters"]["returned"] == BALLOTS:
                break
            time.sleep(0.5)
        assert state["counters"]["images"] == BALLOTS, state["counters"]  # none lost, none twice
        assert state["counters"]["returned"] == BALLOTS, state["counters"]  # each counted exactly once
        assert not any(inbox.glob("*.png")), "every fed file was taken"
        report = api(p.port, "/api/audit/verify", tokens["auditor"], {})
        assert report["ok"], report
        assert report["images_checked"] == BALLOTS and report["log_broken_at"] is None
    finally:
        p.kill()
