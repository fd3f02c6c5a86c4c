"""Kill the station (SIGKILL) at random moments while a batch is fed, restart, repeat.

Every ballot fed must end up counted exactly once, none lost, the log chain intact. The
server is the real one (`ballot-station serve`), fed through its hot folder as scanner
software would, and killed with no chance to clean up.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

KILLS = int(os.environ.get("CRASH_KILLS", "50"))
BALLOTS = int(os.environ.get("CRASH_BALLOTS", "40"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(ws: Path, inbox: Path, election: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "station.cli", "serve", "--election", str(election), "--workspace", str(ws),
         "--hot-folder", str(inbox), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )


def _kill(p: subprocess.Popen) -> None:
    os.killpg(p.pid, signal.SIGKILL)  # the server and its reading processes, like a power cut
    p.wait(timeout=30)
    if p.stdout:
        p.stdout.close()


def _get(port: int, path: str, token: str | None = None, body: dict | None = None) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method="POST" if body is not None else "GET",
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def _wait_up(port: int, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            _get(port, "/api/state")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the station did not come up")


@pytest.fixture(scope="module")
def ballots() -> list[bytes]:
    from sample_ballots.synth.corpus import generate_ballot

    return [generate_ballot("scanner", 500 + i, stage="xuanju", severity="mild", dpi=150).file_bytes()
            for i in range(BALLOTS)]


def test_sigkill_at_random_moments_loses_nothing_and_counts_once(tmp_path: Path, demo_path: Path, ballots) -> None:
    rng = random.Random(20261206)
    ws, inbox = tmp_path / "ws", tmp_path / "inbox"
    inbox.mkdir()
    port = _free_port()

    # First start: read the tokens it shows once, start the stage.
    p = _serve(ws, inbox, demo_path, port)
    tokens: dict[str, str] = {}
    assert p.stdout is not None
    for line in p.stdout:
        for role in ("staff", "scrutineer", "auditor"):
            if line.strip().startswith(("计票工作人员", "监票人", "审计人员")) and f" {role}: " in line:
                tokens[role] = line.split(f"{role}: ")[1].strip()
        if len(tokens) == 3:
            break
    _wait_up(port)
    _get(port, "/api/stages/xuanju/start", tokens["staff"], {"present": 38, "issued": BALLOTS})
    _kill(p)

    fed = 0
    for _ in range(KILLS):
        port = _free_port()
        p = _serve(ws, inbox, demo_path, port)
        deadline = time.monotonic() + rng.uniform(0.3, 3.0)
        while time.monotonic() < deadline:
            if fed < BALLOTS and rng.random() < 0.5:
                tmp = inbox / f"ballot-{fed:03d}.png.part"  # scanner software writes, then renames
                tmp.write_bytes(ballots[fed])
                tmp.rename(inbox / f"ballot-{fed:03d}.png")
                fed += 1
            time.sleep(0.05)
        _kill(p)
    while fed < BALLOTS:
        (inbox / f"ballot-{fed:03d}.png").write_bytes(ballots[fed])
        fed += 1

    # Last start: let it finish, then check the count.
    port = _free_port()
    p = _serve(ws, inbox, demo_path, port)
    try:
        _wait_up(port)
        end = time.monotonic() + 240
        while time.monotonic() < end:
            state = _get(port, "/api/state")
            if state["counters"]["images"] == BALLOTS and state["counters"]["queue"] == 0 and \
                    state["counters"]["returned"] == BALLOTS:
                break
            time.sleep(0.5)
        assert state["counters"]["images"] == BALLOTS, state["counters"]  # none lost, none twice
        assert state["counters"]["returned"] == BALLOTS, state["counters"]  # each counted exactly once
        assert not any(inbox.glob("*.png")), "every fed file was taken"
        report = _get(port, "/api/audit/verify", tokens["auditor"], {})
        assert report["ok"], report
        assert report["images_checked"] == BALLOTS and report["log_broken_at"] is None
    finally:
        _kill(p)
