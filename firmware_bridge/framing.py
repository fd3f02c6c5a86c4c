"""Frames on the wire (pure): bytes in, frames out, and back.

A frame is ``00 COBS(type seq body crc16le) 00``. COBS removes every zero from the payload, so a
zero byte always means "frame boundary": after any garbage the next zero resynchronises the
reader, and the leading zero of each frame flushes noise that arrived in front of it. The CRC
is CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), i.e. ``binascii.crc_hqx(data, 0xFFFF)``.

`decode_one` is the pure core (it reports how many bytes it consumed, like pymodbus's framers);
`Framer` keeps the unfinished tail between reads.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from enum import StrEnum

from firmware_bridge.protocol import MAX_ENCODED, MAX_PAYLOAD, Frame

DELIMITER = 0


def crc16(data: bytes) -> int:
    return binascii.crc_hqx(data, 0xFFFF)


def cobs_encode(data: bytes) -> bytes:
    out = bytearray()
    block = bytearray()
    for b in data:
        if b == 0:
            out.append(len(block) + 1)
            out += block
            block.clear()
        else:
            block.append(b)
            if len(block) == 254:
                out.append(255)
                out += block
                block.clear()
    out.append(len(block) + 1)
    out += block
    return bytes(out)


class CobsError(ValueError):
    pass


def cobs_decode(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        code = data[i]
        if code == 0:
            raise CobsError(f"zero byte at {i}")
        end = i + code
        if end > len(data):
            raise CobsError(f"block at {i} runs past the end")
        block = data[i + 1:end]
        if 0 in block:
            raise CobsError(f"zero byte inside block at {i}")
        out += block
        i = end
        if code != 255 and i < len(data):
            out.append(0)
    return bytes(out)


def encode_frame(frame: Frame) -> bytes:
    payload = bytes([frame.type, frame.seq]) + frame.body
    crc = crc16(payload)
    return bytes([DELIMITER]) + cobs_encode(payload + bytes([crc & 0xFF, crc >> 8])) + bytes([DELIMITER])


class Rejection(StrEnum):
    BAD_COBS = "bad_cobs"
    TOO_SHORT = "too_short"  # fewer than type + seq + CRC
    TOO_LONG = "too_long"  # longer than any valid frame, no delimiter in sight
    BAD_CRC = "bad_crc"


@dataclass(frozen=True)
class Decoded:
    frame: Frame


@dataclass(frozen=True)
class Rejected:
    reason: Rejection
    raw: bytes  # the bytes between delimiters (or the run dropped), for the wire trace


DecodeResult = Decoded | Rejected


def decode_one(buf: bytes) -> tuple[int, DecodeResult | None]:
    """Decode the first frame in `buf`.

    Returns (bytes consumed, result). Leading delimiters are consumed silently. (n, None) means
    no complete frame yet: keep the bytes after n and call again with more. A run of more than
    MAX_ENCODED non-zero bytes cannot be a frame: it is consumed and rejected as TOO_LONG.
    """
    start = 0
    while start < len(buf) and buf[start] == DELIMITER:
        start += 1
    end = buf.find(bytes([DELIMITER]), start)
    if end < 0:
        if len(buf) - start > MAX_ENCODED:
            return len(buf), Rejected(Rejection.TOO_LONG, bytes(buf[start:]))
        return start, None
    raw = bytes(buf[start:end])
    consumed = end + 1
    if len(raw) > MAX_ENCODED:
        return consumed, Rejected(Rejection.TOO_LONG, raw)
    try:
        payload = cobs_decode(raw)
    except CobsError:
        return consumed, Rejected(Rejection.BAD_COBS, raw)
    if len(payload) < 4:
        return consumed, Rejected(Rejection.TOO_SHORT, raw)
    if len(payload) > MAX_PAYLOAD:
        return consumed, Rejected(Rejection.TOO_LONG, raw)
    if crc16(payload[:-2]) != payload[-2] | (payload[-1] << 8):
        return consumed, Rejected(Rejection.BAD_CRC, raw)
    return consumed, Decoded(Frame(payload[0], payload[1], payload[2:-2]))


class Framer:
    """Feed it bytes as they arrive; get every complete frame (or rejection) back in order."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._discarding = False  # inside an over-long run: drop until the next delimiter

    def feed(self, data: bytes) -> list[DecodeResult]:
        if self._discarding:
            cut = data.find(bytes([DELIMITER]))
            if cut < 0:
                return []
            data = data[cut:]
            self._discarding = False
        self._buf += data
        results: list[DecodeResult] = []
        while self._buf:
            consumed, result = decode_one(self._buf)
            if (isinstance(result, Rejected) and result.reason is Rejection.TOO_LONG
                    and consumed == len(self._buf) and self._buf[-1] != DELIMITER):
                self._discarding = True  # the rest of this run, in later reads, is the same garbage
            del self._buf[:consumed]
            if result is None:
                break
            results.append(result)
            if self._discarding:
                break
        return results

    @property
    def pending(self) -> int:
        """Bytes held waiting for a delimiter."""
        return len(self._buf)
