"""Run the station as a separate process and talk to it with the standard library only:
for tests that must kill it for real, benchmarks, and scripts on the counting PC."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

TOKEN_ROLES = ("staff", "scrutineer", "auditor")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(port: int, path: str, token: str | None = None, body: dict | None = None, timeout: float = 60) -> dict:
    """GET (no body) or POST (JSON body) to the station on 127.0.0.1:port; the JSON answer."""
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method="POST" if body is not None else "GET",
        data=json.dumps(body).encode() if body is not None else None,
    )
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


@dataclass
class StationProcess:
    proc: subprocess.Popen
    port: int
    tokens: dict[str, str]  # only on the workspace's first start: later starts show none

    def wait_up(self, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                api(self.port, "/api/state")
                return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("the station did not come up")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """The server and its reading processes (one process group), as a power cut would."""
        os.killpg(self.proc.pid, sig)
        self.proc.wait(timeout=60)
        if self.proc.stdout:
            self.proc.stdout.close()


def start_station(workspace: Path, election: Path, *args: str, read_tokens: bool = False) -> StationProcess:
    """`ballot-station serve` in its own process group on a free port; with read_tokens, wait
    for the banner and keep the tokens it shows on a first start."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "station.cli",
            "serve",
            "--election",
            str(election),
            "--workspace",
            str(workspace),
            "--port",
            str(port),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    tokens: dict[str, str] = {}
    if read_tokens and proc.stdout is not None:
        for line in proc.stdout:
            for role in TOKEN_ROLES:
                if f" {role}: " in line:
                    tokens[role] = line.split(f"{role}: ")[1].strip()
            if len(tokens) == len(TOKEN_ROLES):
                break
    return StationProcess(proc, port, tokens)
