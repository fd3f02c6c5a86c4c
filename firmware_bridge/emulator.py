"""Build the firmware and run it under simavr (firmware/harness/boxsim.c): the real firmware, no board.

`build_firmware()` runs make (avr-gcc, avr-libc, libsimavr-dev). `Emulator` starts the harness
with an EEPROM file and a pty link, and drives it over its control channel: read what the
displays show as decoded from the pins (`panel()`), break the slot's beam (`beam()`), pull the
USB cable (`unplug()`), or cut the power (`power_cut()`: SIGKILL, the EEPROM file survives).
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from firmware_bridge.display import counter_text, line_text
from firmware_bridge.errors import BoxError

FIRMWARE_DIR = Path(__file__).resolve().parent / "firmware"
DEFAULT_BUILD_DIR = FIRMWARE_DIR / "build"
HARNESS_NAME = "boxsim"
BUILD_TOOLS = ("make", "avr-gcc", "gcc", "pkg-config")


@dataclass(frozen=True)
class FirmwareBuild:
    elf: Path  # production firmware
    test_elf: Path  # with the test-only commands (inject slot events, hang)
    hex: Path  # for avrdude
    harness: Path


def build_firmware(build_dir: Path = DEFAULT_BUILD_DIR, *, extra_cflags: str = "") -> FirmwareBuild:
    """Run make (quick when nothing changed). Raises BoxError, bilingual, if the toolchain is missing.

    `extra_cflags` builds a variant into `build_dir`, e.g. a deliberately broken one for a test.
    """
    missing = [tool for tool in BUILD_TOOLS if shutil.which(tool) is None]
    if missing:
        raise BoxError(f"缺少编译工具：{'、'.join(missing)}（运行 scripts/test.sh 安装）",
                       f"build tools missing: {', '.join(missing)} (scripts/test.sh installs them)")
    build_dir = build_dir.resolve()
    command = ["make", "-C", str(FIRMWARE_DIR), f"BUILD={build_dir}", "--no-print-directory"]
    if extra_cflags:
        command.append(f"EXTRA_CFLAGS={extra_cflags}")
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
        raise BoxError("固件编译失败：\n" + "\n".join(tail), "firmware build failed:\n" + "\n".join(tail))
    return FirmwareBuild(build_dir / "box.elf", build_dir / "box-test.elf", build_dir / "box.hex",
                         build_dir / HARNESS_NAME)


@dataclass(frozen=True)
class Panel:
    """The parts as the harness decoded them from the pins (not what the firmware says it did)."""

    counter_grid: bytes  # TM1637 display RAM, 6 positions; the box uses the first four
    counter_control: int  # last display-control command (0x88 | brightness when on)
    counter_errors: int
    lcd_lines: tuple[bytes, bytes, bytes, bytes]  # ST7920 display RAM of the four visible rows
    lcd_on: bool
    lcd_instructions: int
    lcd_violations: int  # instructions sent while the chip was still busy
    lcd_errors: int  # malformed serial transfers or wrong SPI mode
    green: bool
    red: bool
    buzzer: bool
    beam_clear: bool
    cycle: int

    @property
    def counter(self) -> str:
        return counter_text(self.counter_grid[:4])

    @property
    def counter_on(self) -> bool:
        return bool(self.counter_control & 0x08)

    @property
    def texts(self) -> list[str]:
        return [line_text(line) for line in self.lcd_lines]

    @classmethod
    def parse(cls, line: str) -> Panel:
        fields = dict(part.split("=", 1) for part in line.split()[2:])
        lcd = bytes.fromhex(fields["lcd"])
        return cls(
            counter_grid=bytes.fromhex(fields["tm_grid"]), counter_control=int(fields["tm_ctrl"], 16),
            counter_errors=int(fields["tm_errors"]),
            lcd_lines=tuple(lcd[i * 16:(i + 1) * 16] for i in range(4)),  # type: ignore[arg-type]
            lcd_on=fields["lcd_on"] == "1", lcd_instructions=int(fields["lcd_instructions"]),
            lcd_violations=int(fields["lcd_violations"]), lcd_errors=int(fields["lcd_errors"]),
            green=fields["green"] == "1", red=fields["red"] == "1", buzzer=fields["buzzer"] == "1",
            beam_clear=fields["beam"] == "1", cycle=int(fields["cycle"]))


class Emulator:
    """One emulated box. Its EEPROM file and pty link live in `workdir` and outlast the process."""

    def __init__(self, build: FirmwareBuild, workdir: Path, *, test_build: bool = True, tcp: bool = False) -> None:
        self.build = build
        self.workdir = workdir
        self.firmware = build.test_elf if test_build else build.elf
        self.eeprom = workdir / "box.eeprom"
        self.link = workdir / "box.tty"
        self.tcp = tcp
        self._tcp_port = 0  # 0: the harness picks a free port; then it keeps that one across restarts
        self._proc: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=200)
        self._threads: list[threading.Thread] = []
        self._control_lock = threading.Lock()

    @property
    def url(self) -> str:
        """What pyserial opens: a symlink to the current pty (it moves on unplug and restart), or socket://."""
        return f"socket://127.0.0.1:{self._tcp_port}" if self.tcp else str(self.link)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 10.0) -> Emulator:
        if self.running():
            raise RuntimeError("emulator already running")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._lines = queue.Queue()
        link = ["--tcp", str(self._tcp_port)] if self.tcp else ["--link", str(self.link)]
        self._proc = subprocess.Popen(
            [str(self.build.harness), "--firmware", str(self.firmware), "--eeprom", str(self.eeprom), *link],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self._threads = [
            threading.Thread(target=self._pump, args=(self._proc.stdout, self._lines.put), name="boxsim-stdout",
                             daemon=True),
            threading.Thread(target=self._pump, args=(self._proc.stderr, self._stderr.append), name="boxsim-stderr",
                             daemon=True),
        ]
        for t in self._threads:
            t.start()
        if self.tcp:
            plugged = self._expect("BOXSIM plugged tcp=", timeout)
            self._tcp_port = int(plugged.rsplit(":", 1)[1])
        self._expect("BOXSIM ready", timeout)
        return self

    @staticmethod
    def _pump(stream, sink) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            sink(line.rstrip("\n"))

    def _expect(self, prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"boxsim: no '{prefix}' within {timeout} s; stderr: {self.stderr_tail()}")
            try:
                line = self._lines.get(timeout=min(left, 0.2))
            except queue.Empty:
                if not self.running():
                    raise RuntimeError(f"boxsim exited ({self.returncode()}); stderr: {self.stderr_tail()}") from None
                continue
            if line.startswith(prefix):
                return line

    def _command(self, text: str, reply: str | None, timeout: float = 5.0) -> str | None:
        with self._control_lock:
            if self._proc is None or self._proc.stdin is None or not self.running():
                raise RuntimeError("emulator not running")
            self._proc.stdin.write(text + "\n")
            self._proc.stdin.flush()
            return self._expect(reply, timeout) if reply else None

    def panel(self) -> Panel:
        line = self._command("panel", "BOXSIM panel")
        assert line is not None
        return Panel.parse(line)

    def beam(self, steps: list[tuple[bool, int]]) -> None:
        """Drive the IR beam: (clear?, microseconds) steps from now, e.g. [(False, 40_000), (True, 0)]."""
        spec = " ".join(f"{int(clear)}:{us}" for clear, us in steps)
        self._command(f"beam {spec}", "BOXSIM beam")

    def unplug(self, ms: int) -> None:
        """Pull the cable for `ms` milliseconds: the pty (or the TCP client) goes away, then `url` works again."""
        self._command(f"unplug {ms}", "BOXSIM unplugged")

    def power_cut(self) -> None:
        """SIGKILL: no chance to save anything at exit, like pulling the power."""
        if self._proc is not None and self.running():
            self._proc.send_signal(signal.SIGKILL)
        self._reap()

    def stop(self) -> None:
        if self._proc is None:
            return
        if self.running():
            try:
                self._command("quit", None)
                self._proc.wait(timeout=3)
            except (RuntimeError, OSError, subprocess.TimeoutExpired):
                self._proc.kill()
        self._reap()

    def _reap(self) -> None:
        if self._proc is None:
            return
        self._proc.wait(timeout=10)
        for stream in (self._proc.stdin, self._proc.stdout, self._proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        for t in self._threads:
            t.join(timeout=5)
        self._threads = []
        self._proc = None

    def returncode(self) -> int | None:
        return self._proc.poll() if self._proc is not None else None

    def stderr_tail(self) -> str:
        return " | ".join(list(self._stderr)[-10:])

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def live_harness_pids() -> list[int]:
    """Harness processes that are children of this process (running or not yet reaped)."""
    me = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        if comm == HARNESS_NAME and ppid == me:
            found.append(int(entry.name))
    return found
