"""A simulated ballot box in pure Python that speaks protocol v1 like the firmware does.

For the demo (no hardware, no emulator) and for tests of the layers above the link. It follows
firmware/src/main.c: the same replies, duplicate detection, events with totals, heartbeats,
"link lost" on the LCD, counts kept in a file as the firmware keeps them in EEPROM. What it does
not have is pins, so display drivers and debouncing are only exercised by the real firmware
(tests/box/test_box_firmware.py). Select it with the URL ``sim://`` (urlhandler/protocol_sim.py).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from firmware_bridge.display import counter_segments, layout_line
from firmware_bridge.framing import Decoded, Framer, crc16, encode_frame
from firmware_bridge.protocol import (
    COUNT_MAX,
    EVENT_RETRY_MS,
    HEARTBEAT_MS,
    LCD_LINE_BYTES,
    LCD_LINES,
    LINK_LOST_MS,
    PROTOCOL_VERSION,
    DeviceEvent,
    DeviceState,
    Fault,
    Frame,
    Heartbeat,
    HelloReply,
    MsgType,
    NakReason,
    Output,
    ResetCause,
    SignalKind,
)

FIRMWARE = (1, 0, 0)
WATCHDOG_S = 0.5
REQUESTS = {MsgType.HELLO, MsgType.PING, MsgType.SET_COUNT, MsgType.SET_SLOT_COUNT, MsgType.SHOW_TEXT,
            MsgType.SIGNAL, MsgType.GET_STATE}
TEST_REQUESTS = {MsgType.TEST_SLOT, MsgType.TEST_HANG}
MUTATING = {MsgType.SET_COUNT, MsgType.SET_SLOT_COUNT, MsgType.SHOW_TEXT, MsgType.SIGNAL, MsgType.TEST_SLOT,
            MsgType.TEST_HANG}


@dataclass
class _Stored:
    """What the firmware keeps in EEPROM."""

    count: int = 0
    slot_count: int = 0
    boots: int = 0
    writes: int = 0


@dataclass
class _Ram:
    """What the firmware loses at a reset."""

    lcd: list[bytes]
    boot_reason: ResetCause
    started: float
    host_lines: int = 0
    host_line3: bytes = b" " * LCD_LINE_BYTES
    link_lost: bool = False
    last_host: float = 0.0
    last_heartbeat: float = -1e9
    event_seq: int = 0
    event_pending: bool = False
    event_sent: float = 0.0
    reported_faults: Fault = Fault.NONE
    last_request: tuple[int, int, int] | None = None  # seq, type, body CRC
    lamp: tuple[Output, float] | None = None  # which lamp, until when
    ballots_due: list[float] = field(default_factory=list)  # times of injected ballots
    hang_until: float | None = None
    rx_frames: int = 0
    rx_bad: int = 0
    writes: int = 0


class SimDevice:
    def __init__(self, device_id: str = "SIM-0001", *, test_build: bool = True, store: Path | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.device_id = device_id.ljust(8)[:8]
        self.test_build = test_build
        self._store_path = store
        self._clock = clock
        self.lock = threading.RLock()  # ports that share this box take it around receive/poll
        self.plugged = True
        self.plug_generation = 0  # a port opened before an unplug stays dead after the replug
        self._framer = Framer()
        self._out = bytearray()
        self._stored = self._load()
        self._ram = self._boot(ResetCause.POWER_ON)

    # ---- persistence: the EEPROM's stand-in ----

    def _load(self) -> _Stored:
        if self._store_path is not None and self._store_path.exists():
            data = json.loads(self._store_path.read_text(encoding="utf-8"))
            return _Stored(**{k: int(v) for k, v in data.items() if k in _Stored.__dataclass_fields__})
        return _Stored()

    def _save(self, count: int, slot_count: int) -> None:
        if (count, slot_count) == (self._stored.count, self._stored.slot_count) and self._stored.writes:
            return  # write only on change, like the firmware
        self._stored.count, self._stored.slot_count = count, slot_count
        self._stored.writes += 1
        self._ram.writes += 1
        self._persist()

    def _persist(self) -> None:
        if self._store_path is not None:
            tmp = self._store_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._stored.__dict__), encoding="utf-8")
            tmp.replace(self._store_path)

    def _boot(self, reason: ResetCause) -> _Ram:
        self._stored.boots += 1
        self._persist()
        now = self._clock()
        lcd = [layout_line(f"投票箱  {self.device_id}"), self._count_line(), layout_line("等待计票站连接"),
               b" " * LCD_LINE_BYTES]
        return _Ram(lcd=lcd, boot_reason=reason, started=now, last_host=now, last_heartbeat=now - 1.0)

    def _count_line(self) -> bytes:
        return layout_line(f"已计票 {self._stored.count:>4} 张")

    def unplug(self) -> None:
        """Pull the cable: open ports fail, the box keeps running on its own power."""
        with self.lock:
            self.plugged = False
            self.plug_generation += 1

    def plug(self) -> None:
        with self.lock:
            self.plugged = True

    def power_cycle(self) -> None:
        """Power off and on: RAM is gone, the stored counts stay."""
        self._stored = self._load() if self._store_path is not None else self._stored
        self._framer = Framer()
        self._ram = self._boot(ResetCause.POWER_ON)

    # ---- the wire ----

    def receive(self, data: bytes) -> None:
        if self._ram.hang_until is not None:
            return  # hung: the UART buffer fills and nobody reads it
        for result in self._framer.feed(data):
            if isinstance(result, Decoded):
                self._on_frame(result.frame)
            else:
                self._ram.rx_bad += 1
                self._send(MsgType.NAK, 0, bytes([NakReason.BAD_FRAME]))

    def take_output(self) -> bytes:
        out = bytes(self._out)
        self._out.clear()
        return out

    def _send(self, msg_type: MsgType, seq: int, body: bytes = b"") -> None:
        self._out += encode_frame(Frame(msg_type, seq, body))

    # ---- the main loop's periodic work ----

    def poll(self) -> None:
        now = self._clock()
        ram = self._ram
        if ram.hang_until is not None:
            if now >= ram.hang_until:
                self._framer = Framer()
                self._ram = self._boot(ResetCause.WATCHDOG)
            return
        due = [t for t in ram.ballots_due if t <= now]
        if due:
            ram.ballots_due = [t for t in ram.ballots_due if t > now]
            self.drop_ballots(len(due))
        if not ram.link_lost and (now - ram.last_host) * 1000 > LINK_LOST_MS:
            self._set_link_lost(True)
        faults = self.faults
        if faults != ram.reported_faults:
            self._new_event(now)
        elif ram.event_pending and (now - ram.event_sent) * 1000 >= EVENT_RETRY_MS:
            self._send_event(now)
        if (now - ram.last_heartbeat) * 1000 >= HEARTBEAT_MS:
            body = Heartbeat(self._stored.count, self._stored.slot_count, faults,
                             int((now - ram.started) * 1000) & 0xFFFFFFFF, self._stored.boots).encode()
            self._send(MsgType.HEARTBEAT, 0, body)
            ram.last_heartbeat = now

    def drop_ballots(self, n: int = 1) -> None:
        """n ballots pass the slot's beam."""
        self._save(self._stored.count, (self._stored.slot_count + n) & 0xFFFF)
        self._new_event(self._clock())

    @property
    def faults(self) -> Fault:
        return Fault.LINK_LOST if self._ram.link_lost else Fault.NONE

    def _new_event(self, now: float) -> None:
        ram = self._ram
        ram.event_seq = (ram.event_seq + 1) & 0xFF
        ram.event_pending = True
        ram.reported_faults = self.faults
        self._send_event(now)

    def _send_event(self, now: float) -> None:
        body = DeviceEvent(self._stored.slot_count, self.faults, self._stored.count).encode()
        self._send(MsgType.EVENT, self._ram.event_seq, body)
        self._ram.event_sent = now

    def _set_link_lost(self, lost: bool) -> None:
        ram = self._ram
        if lost == ram.link_lost:
            return
        ram.link_lost = lost
        ram.lcd[3] = layout_line("计票站未连接") if lost else ram.host_line3

    # ---- commands ----

    def _on_frame(self, frame: Frame) -> None:
        ram = self._ram
        ram.rx_frames += 1
        ram.last_host = self._clock()
        self._set_link_lost(False)
        if frame.type == MsgType.EVENT_ACK:
            if ram.event_pending and frame.seq == ram.event_seq:
                ram.event_pending = False
            return
        key = (frame.seq, frame.type, crc16(frame.body))
        if frame.type in MUTATING and ram.last_request == key:
            self._send(MsgType.ACK, frame.seq)  # a repeat: our ACK was lost
            return
        ram.last_request = key
        self._execute(frame)

    def _execute(self, frame: Frame) -> None:
        seq, body, ram = frame.seq, frame.body, self._ram

        def reply(reason: NakReason | None = None) -> None:
            if reason is None:
                self._send(MsgType.ACK, seq)
            else:
                self._send(MsgType.NAK, seq, bytes([reason]))

        t = frame.type
        if t == MsgType.HELLO and len(body) >= 1:
            ram.last_request = None
            hello = HelloReply(PROTOCOL_VERSION, FIRMWARE, self.test_build, self.device_id, self._stored.boots,
                               ram.boot_reason, self._stored.count, self._stored.slot_count)
            self._send(MsgType.HELLO_REPLY, seq, hello.encode())
        elif t == MsgType.PING:
            reply()
        elif t == MsgType.GET_STATE:
            self._send(MsgType.STATE, seq, self.state().encode())
        elif t == MsgType.SET_COUNT and len(body) == 2:
            n = int.from_bytes(body, "little")
            if n > COUNT_MAX:
                return reply(NakReason.BAD_VALUE)
            self._save(n, self._stored.slot_count)
            if not ram.host_lines & 0b10:
                ram.lcd[1] = self._count_line()
            reply()
        elif t == MsgType.SET_SLOT_COUNT and len(body) == 2:
            self._save(self._stored.count, int.from_bytes(body, "little"))
            reply()
        elif t == MsgType.SHOW_TEXT and 1 <= len(body) <= 1 + LCD_LINE_BYTES:
            line, text = body[0], body[1:]
            if line >= LCD_LINES or not _text_ok(text):
                return reply(NakReason.BAD_VALUE)
            shown = text.ljust(LCD_LINE_BYTES, b" ")
            ram.host_lines |= 1 << line
            if line == 3:
                ram.host_line3 = shown
            if line != 3 or not ram.link_lost:
                ram.lcd[line] = shown
            reply()
        elif t == MsgType.SIGNAL and len(body) == 1:
            if body[0] > SignalKind.REJECT:
                return reply(NakReason.BAD_VALUE)
            lamp = {SignalKind.ACCEPT: (Output.LED_GREEN, 1.5), SignalKind.REJECT: (Output.LED_RED, 3.0)}
            kind = SignalKind(body[0])
            ram.lamp = (lamp[kind][0], self._clock() + lamp[kind][1]) if kind in lamp else None
            reply()
        elif t == MsgType.TEST_SLOT and self.test_build and len(body) == 5:
            blocked, gap, n = int.from_bytes(body[0:2], "little"), int.from_bytes(body[2:4], "little"), body[4]
            start = self._clock()
            ram.ballots_due += [start + (i * (blocked + gap) + blocked) / 1000 for i in range(n)]
            reply()
        elif t == MsgType.TEST_HANG and self.test_build:
            reply()
            ram.hang_until = self._clock() + WATCHDOG_S
        elif t in REQUESTS or (self.test_build and t in TEST_REQUESTS):
            reply(NakReason.BAD_LENGTH)
        else:
            reply(NakReason.UNKNOWN_TYPE)
        return None

    def state(self) -> DeviceState:
        ram = self._ram
        outputs = Output.NONE
        if ram.lamp is not None and self._clock() < ram.lamp[1]:
            outputs |= ram.lamp[0]
        return DeviceState(
            count=self._stored.count, slot_count=self._stored.slot_count, faults=self.faults, outputs=outputs,
            segments=counter_segments(self._stored.count), lcd_lines=tuple(ram.lcd),  # type: ignore[arg-type]
            uptime_ms=int((self._clock() - ram.started) * 1000) & 0xFFFFFFFF, boot_count=self._stored.boots,
            reset_cause=ram.boot_reason, eeprom_writes=ram.writes, rx_frames=ram.rx_frames, rx_bad=ram.rx_bad,
            uart_overruns=0)


def _text_ok(t: bytes) -> bool:
    """The firmware's check: printable ASCII, or a GB2312 pair starting at an even column."""
    i = 0
    while i < len(t):
        if 0xA1 <= t[i] < 0xFF:
            if i % 2 or i + 1 >= len(t) or not 0xA1 <= t[i + 1] < 0xFF:
                return False
            i += 2
        elif 0x20 <= t[i] < 0x7F:
            i += 1
        else:
            return False
    return True


_registry: dict[str, SimDevice] = {}
_registry_lock = threading.Lock()


def sim_device(name: str, *, device_id: str = "SIM-0001", store: str | Path | None = None,
               test_build: bool = True) -> SimDevice:
    """The simulated box called `name`, created on first use (sim:// URLs with that name share it)."""
    with _registry_lock:
        device = _registry.get(name)
        if device is None:
            device = SimDevice(device_id, test_build=test_build, store=Path(store) if store else None)
            _registry[name] = device
        return device


def forget_sim_device(name: str) -> None:
    """Unplug and throw away the simulated box `name` (its store file, if any, stays)."""
    with _registry_lock:
        _registry.pop(name, None)
