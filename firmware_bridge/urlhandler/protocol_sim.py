"""``sim://NAME?store=PATH&id=DEVICEID&test=0|1``: a pyserial port wired to a simulated box (sim.py).

Boxes live in a registry by NAME for the life of the process, so closing and reopening the same
URL is an unplug and replug of a box that kept running; `sim.sim_device(NAME)` reaches it (to
drop ballots in the demo, or to power-cycle it in a test). No thread of its own: the box's clock
work happens when the port is read, which the link's reader does all the time.
"""

from __future__ import annotations

import threading
import time
import urllib.parse

from serial.serialutil import PortNotOpenError, SerialBase, SerialException

from firmware_bridge.sim import SimDevice, sim_device

POLL_S = 0.005


class Serial(SerialBase):
    BAUDRATES = (9600, 19200, 38400, 57600, 115200, 230400)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self._device: SimDevice | None = None
        self._generation = 0
        self._rx = bytearray()
        self._lock = threading.Condition()
        super().__init__(*args, **kwargs)

    def open(self) -> None:
        if self.is_open:
            raise SerialException("port already open")
        if self._port is None:
            raise SerialException("port must be configured before it can be used")
        device = self._from_url(self.portstr)
        if not device.plugged:
            raise SerialException(f"{self.portstr}: no such device (unplugged)")
        self._device = device
        self._generation = device.plug_generation
        self._rx.clear()
        self.is_open = True

    @staticmethod
    def _from_url(url: str) -> SimDevice:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "sim":
            raise SerialException(f"expected sim://NAME?store=PATH&id=ID&test=1, got {url!r}")
        options = {k: v[-1] for k, v in urllib.parse.parse_qs(parts.query).items()}
        unknown = set(options) - {"store", "id", "test"}
        if unknown:
            raise SerialException(f"unknown sim:// options: {sorted(unknown)}")
        return sim_device(parts.netloc or "default", device_id=options.get("id", "SIM-0001"),
                          store=options.get("store"), test_build=options.get("test", "1") != "0")

    def close(self) -> None:
        with self._lock:
            self.is_open = False
            self._lock.notify_all()
        super().close()

    def _reconfigure_port(self) -> None:
        pass

    def _pump(self) -> None:
        assert self._device is not None
        with self._device.lock:
            if self._generation != self._device.plug_generation:
                raise SerialException("device disconnected (sim box unplugged)")
            self._device.poll()
            self._rx += self._device.take_output()

    @property
    def in_waiting(self) -> int:
        if not self.is_open:
            raise PortNotOpenError()
        with self._lock:
            self._pump()
            return len(self._rx)

    def read(self, size: int = 1) -> bytes:
        if not self.is_open:
            raise PortNotOpenError()
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        with self._lock:
            while True:
                self._pump()
                if self._rx or not self.is_open:
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    break
                self._lock.wait(POLL_S)
            data = bytes(self._rx[:size])
            del self._rx[:size]
            return data

    def write(self, data: bytes) -> int:
        if not self.is_open:
            raise PortNotOpenError()
        assert self._device is not None
        with self._lock:
            with self._device.lock:
                if self._generation != self._device.plug_generation:
                    raise SerialException("device disconnected (sim box unplugged)")
                self._device.receive(bytes(data))
            self._pump()
            self._lock.notify_all()
        return len(data)

    def reset_input_buffer(self) -> None:
        with self._lock:
            self._rx.clear()

    def reset_output_buffer(self) -> None:
        pass

    @property
    def out_waiting(self) -> int:
        return 0

    def _update_break_state(self) -> None:
        pass

    def _update_rts_state(self) -> None:
        pass

    def _update_dtr_state(self) -> None:
        pass
