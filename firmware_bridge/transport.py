"""Byte pipes to the box: the bottom layer. It moves bytes and knows nothing of frames.

`open_transport(url)` accepts whatever pyserial accepts (``/dev/ttyACM0``, a pty path,
``socket://host:port``, ``loop://``) plus ``sim://`` for the in-process simulator (sim.py).
A transport that fails raises TransportError; the layers above treat that as an unplug.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Protocol, TextIO

import serial

from firmware_bridge.framing import Decoded, Framer

BAUDRATE = 115200
_URL_HANDLERS = "firmware_bridge.urlhandler"


class TransportError(OSError):
    """The byte pipe broke (unplugged, closed, refused)."""


class Transport(Protocol):
    @property
    def name(self) -> str: ...

    def write(self, data: bytes) -> None: ...

    def read(self, max_bytes: int, timeout: float) -> bytes:
        """Up to max_bytes; waits at most `timeout` seconds for the first byte; b"" if none came."""
        ...

    def close(self) -> None: ...


class SerialTransport:
    """Any pyserial URL. pyserial serialises nothing for us: one reader thread, writers under a lock."""

    def __init__(self, url: str, baudrate: int = BAUDRATE) -> None:
        register_url_handlers()
        self._url = url
        self._write_lock = threading.Lock()
        try:
            self._port = serial.serial_for_url(url, baudrate=baudrate, timeout=0.05, write_timeout=2.0)
        except (serial.SerialException, OSError, ValueError) as err:
            raise TransportError(f"cannot open {url}: {err}") from err
        with contextlib.suppress(serial.SerialException, OSError):
            self._port.reset_input_buffer()  # bytes from before we opened belong to nobody

    @property
    def name(self) -> str:
        return self._url

    def write(self, data: bytes) -> None:
        with self._write_lock:
            try:
                self._port.write(data)
            except (serial.SerialException, OSError, AttributeError, TypeError) as err:
                raise TransportError(f"write to {self._url}: {err}") from err

    def read(self, max_bytes: int, timeout: float) -> bytes:
        try:
            if self._port.timeout != timeout:  # setting it reconfigures the port (tcsetattr): only on change
                self._port.timeout = timeout
            first = self._port.read(1)
            if not first:
                return b""
            waiting = min(self._port.in_waiting, max_bytes - 1)
            return first + (self._port.read(waiting) if waiting > 0 else b"")
        except (serial.SerialException, OSError, AttributeError, TypeError) as err:
            # pyserial reports an unplugged port as "readiness to read but returned no data"
            raise TransportError(f"read from {self._url}: {err}") from err

    def close(self) -> None:
        with contextlib.suppress(serial.SerialException, OSError):
            self._port.close()


def register_url_handlers() -> None:
    """Let pyserial resolve ``sim://`` (done on first use, not at import)."""
    if _URL_HANDLERS not in serial.protocol_handler_packages:
        serial.protocol_handler_packages.append(_URL_HANDLERS)


def open_transport(url: str, baudrate: int = BAUDRATE) -> Transport:
    return SerialTransport(url, baudrate)


class WireTrace:
    """A debugging record of every byte both ways, with the frames decoded beside them.

    Lines look like ``  12.345678 H>D 00 03 01 ... | HELLO seq=1 body=01``. Write it to a file
    (`ballot-station box ... --trace FILE`) or keep it in memory (tests print it on failure).
    """

    def __init__(self, sink: TextIO | None = None, keep: int = 2000) -> None:
        self._sink = sink
        self._keep = keep
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._t0 = time.monotonic()
        self._framers = {"H>D": Framer(), "D>H": Framer()}

    def record(self, direction: str, data: bytes) -> None:
        with self._lock:
            notes = []
            for result in self._framers[direction].feed(data):
                if isinstance(result, Decoded):
                    notes.append(result.frame.describe())
                else:
                    notes.append(f"rejected {result.reason.value} ({len(result.raw)} bytes)")
            line = f"{time.monotonic() - self._t0:11.6f} {direction} {data.hex(' ')}"
            if notes:
                line += " | " + "; ".join(notes)
            self._add(line)

    def note(self, text: str) -> None:
        with self._lock:
            self._add(f"{time.monotonic() - self._t0:11.6f} --- {text}")

    def _add(self, line: str) -> None:
        self._lines.append(line)
        del self._lines[:-self._keep]
        if self._sink is not None:
            self._sink.write(line + "\n")
            self._sink.flush()

    def reset_framers(self) -> None:
        """A new connection: half-frames from the old one mean nothing."""
        with self._lock:
            self._framers = {"H>D": Framer(), "D>H": Framer()}

    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def dump(self, path: Path) -> None:
        path.write_text("\n".join(self.lines()) + "\n", encoding="utf-8")


class TracedTransport:
    """Passes bytes through and records them in a WireTrace."""

    def __init__(self, inner: Transport, trace: WireTrace) -> None:
        self._inner = inner
        self._trace = trace
        trace.reset_framers()
        trace.note(f"open {inner.name}")

    @property
    def name(self) -> str:
        return self._inner.name

    def write(self, data: bytes) -> None:
        self._trace.record("H>D", data)
        self._inner.write(data)

    def read(self, max_bytes: int, timeout: float) -> bytes:
        data = self._inner.read(max_bytes, timeout)
        if data:
            self._trace.record("D>H", data)
        return data

    def close(self) -> None:
        self._trace.note(f"close {self._inner.name}")
        self._inner.close()
