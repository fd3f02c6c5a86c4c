"""The ballot-box serial protocol, version 1: message types and bodies (pure, no I/O).

docs/protocol.md is the specification; firmware/src/protocol.h is the firmware's copy of these
numbers. Every integer in a body is little-endian. A frame's payload is type, seq, body, CRC
(see framing.py).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum, IntFlag

PROTOCOL_VERSION = 1
MAX_BODY = 120
MAX_PAYLOAD = 2 + MAX_BODY + 2
MAX_ENCODED = MAX_PAYLOAD + 1  # COBS adds one byte per 254
LCD_LINES = 4
LCD_LINE_BYTES = 16
DIGITS = 4
COUNT_MAX = 9999  # four digits on the counter
SLOT_COUNT_MAX = 0xFFFF
DEVICE_ID_LEN = 8

# device timing (milliseconds), as the firmware uses it
HEARTBEAT_MS = 1000
EVENT_RETRY_MS = 250
LINK_LOST_MS = 3000
SENSOR_STUCK_MS = 3000


class MsgType(IntEnum):
    # host -> device
    HELLO = 0x01
    PING = 0x02
    SET_COUNT = 0x03
    SET_SLOT_COUNT = 0x04
    SHOW_TEXT = 0x05
    SIGNAL = 0x06
    GET_STATE = 0x07
    EVENT_ACK = 0x0E
    TEST_SLOT = 0x70  # test builds only
    TEST_HANG = 0x71  # test builds only
    # device -> host
    HELLO_REPLY = 0x81
    STATE = 0x87
    ACK = 0x8E
    NAK = 0x8F
    EVENT = 0x90
    HEARTBEAT = 0x91


class NakReason(IntEnum):
    BAD_FRAME = 1  # CRC or COBS error; seq unknown, the host resends
    UNKNOWN_TYPE = 2
    BAD_LENGTH = 3
    BAD_VALUE = 4
    STORAGE = 5  # EEPROM write did not verify


class SignalKind(IntEnum):
    OFF = 0
    ACCEPT = 1
    REJECT = 2


class Fault(IntFlag):
    NONE = 0
    SENSOR_BLOCKED = 0x01  # beam blocked longer than SENSOR_STUCK_MS: a jam or a hand in the slot
    DISPLAY = 0x02  # the counter display did not acknowledge
    STORAGE = 0x04  # EEPROM readback mismatch
    LINK_LOST = 0x08  # the device heard nothing valid from the host for LINK_LOST_MS
    UART_OVERRUN = 0x10  # receive buffer overflowed since the last STATE


class Output(IntFlag):
    NONE = 0
    LED_GREEN = 0x01
    LED_RED = 0x02
    BUZZER = 0x04
    BEAM_RAW_BLOCKED = 0x08
    BEAM_BLOCKED = 0x10


class ResetCause(IntEnum):
    UNKNOWN = 0
    POWER_ON = 1
    EXTERNAL = 2
    BROWN_OUT = 3
    WATCHDOG = 4


@dataclass(frozen=True)
class Frame:
    """One decoded frame: its type byte (kept as int so unknown types survive), seq and body."""

    type: int
    seq: int
    body: bytes = b""

    def __post_init__(self) -> None:
        if not (0 <= self.type <= 0xFF and 0 <= self.seq <= 0xFF):
            raise ValueError(f"type and seq are bytes: {self.type}, {self.seq}")
        if len(self.body) > MAX_BODY:
            raise ValueError(f"body of {len(self.body)} bytes exceeds {MAX_BODY}")

    def describe(self) -> str:
        try:
            name = MsgType(self.type).name
        except ValueError:
            name = f"0x{self.type:02X}"
        return f"{name} seq={self.seq} body={self.body.hex() or '-'}"


class BodyError(ValueError):
    """A body that does not fit its message type (wrong length or value)."""


def _unpack(fmt: str, body: bytes, what: str) -> tuple:
    if len(body) != struct.calcsize(fmt):
        raise BodyError(f"{what}: {len(body)} bytes, expected {struct.calcsize(fmt)}")
    return struct.unpack(fmt, body)


# ---- host -> device bodies ----


def hello_body(version: int = PROTOCOL_VERSION) -> bytes:
    return bytes([version])


def count_body(n: int) -> bytes:
    return struct.pack("<H", n)


def text_body(line: int, laid_out: bytes) -> bytes:
    return bytes([line]) + laid_out


def signal_body(kind: SignalKind) -> bytes:
    return bytes([kind])


def inject_slot_body(blocked_ms: int, gap_ms: int, n: int) -> bytes:
    return struct.pack("<HHB", blocked_ms, gap_ms, n)


# ---- device -> host bodies ----


@dataclass(frozen=True)
class HelloReply:
    protocol_version: int
    firmware: tuple[int, int, int]
    test_build: bool
    device_id: str
    boot_count: int
    reset_cause: ResetCause
    count: int
    slot_count: int

    FORMAT = "<BBBBB8sHBHH"

    @classmethod
    def decode(cls, body: bytes) -> HelloReply:
        v, major, minor, patch, flags, dev, boots, cause, count, slots = _unpack(cls.FORMAT, body, "HELLO_REPLY")
        return cls(v, (major, minor, patch), bool(flags & 1), dev.decode("ascii", "replace"), boots,
                   _reset_cause(cause), count, slots)

    def encode(self) -> bytes:
        return struct.pack(self.FORMAT, self.protocol_version, *self.firmware, int(self.test_build),
                           self.device_id.encode("ascii")[:DEVICE_ID_LEN].ljust(DEVICE_ID_LEN), self.boot_count,
                           self.reset_cause, self.count, self.slot_count)

    @property
    def firmware_version(self) -> str:
        return ".".join(str(p) for p in self.firmware)


@dataclass(frozen=True)
class DeviceState:
    """What the device reports it shows and counts (STATE). LCD lines are raw GB2312 bytes."""

    count: int
    slot_count: int
    faults: Fault
    outputs: Output
    segments: bytes  # the four segment bytes sent to the counter display, left to right
    lcd_lines: tuple[bytes, bytes, bytes, bytes]
    uptime_ms: int
    boot_count: int
    reset_cause: ResetCause
    eeprom_writes: int
    rx_frames: int
    rx_bad: int
    uart_overruns: int

    FORMAT = "<HHBB4s64sIHBHHHH"

    @classmethod
    def decode(cls, body: bytes) -> DeviceState:
        (count, slots, faults, outputs, segs, lcd, uptime, boots, cause, writes, frames, bad,
         overruns) = _unpack(cls.FORMAT, body, "STATE")
        lines = tuple(lcd[i * LCD_LINE_BYTES:(i + 1) * LCD_LINE_BYTES] for i in range(LCD_LINES))
        return cls(count, slots, Fault(faults), Output(outputs), segs, lines,  # type: ignore[arg-type]
                   uptime, boots, _reset_cause(cause), writes, frames, bad, overruns)

    def encode(self) -> bytes:
        return struct.pack(self.FORMAT, self.count, self.slot_count, self.faults, self.outputs, self.segments,
                           b"".join(self.lcd_lines), self.uptime_ms, self.boot_count, self.reset_cause,
                           self.eeprom_writes, self.rx_frames, self.rx_bad, self.uart_overruns)


@dataclass(frozen=True)
class Heartbeat:
    count: int
    slot_count: int
    faults: Fault
    uptime_ms: int
    boot_count: int

    FORMAT = "<HHBIH"

    @classmethod
    def decode(cls, body: bytes) -> Heartbeat:
        count, slots, faults, uptime, boots = _unpack(cls.FORMAT, body, "HEARTBEAT")
        return cls(count, slots, Fault(faults), uptime, boots)

    def encode(self) -> bytes:
        return struct.pack(self.FORMAT, self.count, self.slot_count, self.faults, self.uptime_ms, self.boot_count)


@dataclass(frozen=True)
class DeviceEvent:
    """EVENT: the slot count or the faults changed. It carries totals, not deltas, so a repeat is harmless."""

    slot_count: int
    faults: Fault
    count: int

    FORMAT = "<HBH"

    @classmethod
    def decode(cls, body: bytes) -> DeviceEvent:
        slots, faults, count = _unpack(cls.FORMAT, body, "EVENT")
        return cls(slots, Fault(faults), count)

    def encode(self) -> bytes:
        return struct.pack(self.FORMAT, self.slot_count, self.faults, self.count)


def nak_reason(body: bytes) -> NakReason | int:
    if len(body) != 1:
        raise BodyError(f"NAK: {len(body)} bytes, expected 1")
    try:
        return NakReason(body[0])
    except ValueError:
        return body[0]


def _reset_cause(v: int) -> ResetCause:
    try:
        return ResetCause(v)
    except ValueError:
        return ResetCause.UNKNOWN
