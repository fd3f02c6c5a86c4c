"""Browser tests: the real station (`python -m station.cli serve` in its own process, on a free
port, with a fresh workspace) and Debian's Chromium driven by Playwright. Nothing is faked:
ballots are rendered from the demo election's layout, marked with OpenCV, uploaded, read by
the station's reading processes, counted by the rules, and shown by the pages.

Screenshots go to $WEB_SHOTS (default: a pytest temporary folder) so people can look at them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
NAMES = {"staff": "计票人张三", "scrutineer": "总监票人王某", "auditor": "审计员赵某"}  # the people at the screens
TOKEN_LINE = re.compile(r"^\s+\S+ (staff|scrutineer|auditor): (\S+)\s*$", re.M)

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A station running as a real server process (its own process group: the reading
    processes it spawns are stopped with it)."""

    election: Path
    workspace: Path
    port: int
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        out = self.log.open("ab")
        cmd = [sys.executable, "-m", "station.cli", "serve", "--election", str(self.election),
               "--workspace", str(self.workspace), "--port", str(self.port)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"the station exited:\n{self.log.read_text(errors='replace')}"
            text = self.log.read_text(errors="replace")
            for role, tok in TOKEN_LINE.findall(text):
                self.tokens.setdefault(role, tok)  # printed once, at the first start
            if len(self.tokens) == 3:
                try:
                    self.get("/api/state")
                    return
                except (urllib.error.URLError, ConnectionError):
                    pass
            time.sleep(0.1)
        raise AssertionError(f"the station did not start:\n{self.log.read_text(errors='replace')}")

    def stop(self, hard: bool = False) -> None:
        """Ctrl-C (a clean stop), or a power cut (SIGKILL to the whole process group)."""
        if self.proc is None:
            return
        pgid = self.proc.pid  # start_new_session: the group id is the server's pid
        if not hard:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                hard = True
        if hard:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):  # reading processes left behind by a hard stop
            os.killpg(pgid, signal.SIGKILL)
        self.proc = None

    # the API, for setting up what a test is not about ------------------------------------
    def _call(self, method: str, path: str, body: bytes | None, role: str | None, ctype: str | None) -> object:
        req = urllib.request.Request(self.url + path, data=body, method=method)
        if role:
            req.add_header("Authorization", f"Bearer {self.tokens[role]}")
            req.add_header("X-Actor", quote(NAMES[role]))
        if ctype:
            req.add_header("Content-Type", ctype)
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def get(self, path: str) -> object:
        return self._call("GET", path, None, None, None)

    def post(self, path: str, data: dict, role: str) -> object:
        return self._call("POST", path, json.dumps(data).encode(), role, "application/json")

    def upload(self, data: bytes, name: str) -> dict:
        return self._call("POST", f"/api/images?name={quote(name)}", data, "staff", "application/octet-stream")

    def start_stage(self, stage: str = "xuanju", present: int = 38, issued: int = 38) -> None:
        self.post(f"/api/stages/{stage}/start", {"present": present, "issued": issued}, "staff")

    def wait_read(self, n: int, timeout: float = 60) -> None:
        """Until n images are stored and none is waiting to be read."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            c = self.get("/api/state")["counters"]
            if c["images"] >= n and c["queue"] == 0:
                return
            time.sleep(0.2)
        raise AssertionError(f"{n} images were not read in {timeout} s")

    def image_path(self, sha: str) -> Path:
        return next((self.workspace / "images" / sha[:2]).glob(f"{sha}.*"))


@pytest.fixture
def server(tmp_path: Path, demo_path: Path) -> Iterator[Server]:
    s = Server(demo_path, tmp_path / "ws", _free_port(), tmp_path / "station.log")
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="session")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = Path(os.environ["WEB_SHOTS"]) if os.environ.get("WEB_SHOTS") else tmp_path_factory.mktemp("shots")
    d.mkdir(parents=True, exist_ok=True)
    return d


class Pages:
    """Browser pages of one test, each watched for JS errors and failed requests."""

    def __init__(self, browser, server: Server, shots: Path) -> None:
        self.browser = browser
        self.server = server
        self.shots = shots
        self.errors: list[str] = []
        self.contexts: list = []
        self._allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: re.Pattern[str]) -> None:
        """From now on, console errors matching this are expected (e.g. while the station is down)."""
        self._allowed.append(pattern)

    def _error(self, page: str, text: str) -> None:
        if not any(p.search(text) for p in self._allowed):
            self.errors.append(f"{page}: {text}")

    def open(self, page: str, *, signed_in: tuple[str, ...] = (), width: int = 1920, height: int = 1080,
             lang: str = "zh"):
        """A fresh browser profile showing /web/<page>; `signed_in` roles have their token
        already entered (as after a first visit), in the name of 张三 (staff) etc."""
        ctx = self.browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        script = f"localStorage.setItem('station.lang', {json.dumps(lang)});"
        for role in signed_in:
            script += (f"localStorage.setItem('station.token.{role}', {json.dumps(self.server.tokens[role])});"
                       f"localStorage.setItem('station.name.{role}', {json.dumps(NAMES[role])});")
        # seeded once per tab: what the page itself stores later (a language switch) stays
        ctx.add_init_script(f"if (!sessionStorage.seeded) {{ {script} sessionStorage.seeded = 1; }}")
        self.contexts.append(ctx)
        pg = ctx.new_page()
        pg.on("console", lambda m, p=page: self._error(p, m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e, p=page: self._error(p, str(e)))
        pg.goto(f"{self.server.url}/web/{page}.html")
        return pg

    def shot(self, pg, name: str) -> Path:
        path = self.shots / f"{name}.png"
        # bytes, written here: screenshot(path=…) writes from a thread of Playwright's own
        # that outlives the test (and the suite fails tests that leave threads behind)
        path.write_bytes(pg.screenshot())
        return path

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture
def pages(browser, server: Server, shots: Path) -> Iterator[Pages]:
    p = Pages(browser, server, shots)
    yield p
    p.close()  # before the server stops: no live stream keeps it waiting
    assert not p.errors, "JS console errors:\n" + "\n".join(p.errors)


@pytest.fixture(scope="session")
def ballot(demo):
    """ballot(stage='xuanju') → a blank demo ballot to mark (see ballots.py)."""
    from tests.web.ballots import Ballot

    return lambda stage="xuanju", style="main": Ballot.blank(demo, stage, style)
