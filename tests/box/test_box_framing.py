"""The framer as tables of byte vectors: what goes in, how many bytes it consumes, what comes out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_bridge.framing import (
    CobsError,
    Decoded,
    Framer,
    Rejected,
    Rejection,
    cobs_decode,
    cobs_encode,
    crc16,
    decode_one,
    encode_frame,
)
from firmware_bridge.protocol import MAX_BODY, MAX_ENCODED, Frame, MsgType

# Golden wire bytes: the same bytes the firmware sends and accepts (checked against it in
# test_box_firmware.py), so a change here is a protocol change.
HELLO = bytes.fromhex("00 06 01 01 01 bc d8 00")  # HELLO seq=1 body=01
ACK_2 = bytes.fromhex("00 05 8e 02 da 05 00")  # ACK seq=2
SET_COUNT_42 = bytes.fromhex("00 04 03 02 2a 03 51 98 00")  # SET_COUNT seq=2 body=2a00 (zero in body)
MAX_FRAME = encode_frame(Frame(MsgType.SHOW_TEXT, 9, bytes(range(1, MAX_BODY + 1))))


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def test_golden_vectors_encode() -> None:
    assert encode_frame(Frame(MsgType.HELLO, 1, b"\x01")) == HELLO
    assert encode_frame(Frame(MsgType.ACK, 2)) == ACK_2
    assert encode_frame(Frame(MsgType.SET_COUNT, 2, b"\x2a\x00")) == SET_COUNT_42
    assert len(MAX_FRAME) == MAX_ENCODED + 2


def test_crc_is_ccitt_false() -> None:
    assert crc16(b"123456789") == 0x29B1  # the catalogue check value of CRC-16/CCITT-FALSE


DECODE_ONE = [
    # (case, input, bytes consumed, expected result)
    ("whole frame", HELLO, 8, Decoded(Frame(MsgType.HELLO, 1, b"\x01"))),
    ("no leading delimiter", HELLO[1:], 7, Decoded(Frame(MsgType.HELLO, 1, b"\x01"))),
    ("zero byte in the body", SET_COUNT_42, 9, Decoded(Frame(MsgType.SET_COUNT, 2, b"\x2a\x00"))),
    ("first half only", HELLO[:4], 1, None),
    ("nothing but delimiters", h("00 00 00"), 3, None),
    ("empty", b"", 0, None),
    ("two frames: the first only", HELLO + ACK_2, 8, Decoded(Frame(MsgType.HELLO, 1, b"\x01"))),
    ("garbage then frame: garbage first", b"GAR" + HELLO, 4, Rejected(Rejection.BAD_COBS, b"GAR")),
    ("bad CRC", h("00 06 01 01 01 bc d9 00"), 8, Rejected(Rejection.BAD_CRC, h("06 01 01 01 bc d9"))),
    ("bit flip in the body", h("00 06 01 01 03 bc d8 00"), 8, Rejected(Rejection.BAD_CRC, h("06 01 01 03 bc d8"))),
    ("COBS block past the end", h("00 09 01 01 00"), 5, Rejected(Rejection.BAD_COBS, h("09 01 01"))),
    ("too short for type, seq, CRC", h("00 04 01 02 03 00"), 6, Rejected(Rejection.TOO_SHORT, h("04 01 02 03"))),
    ("maximum length", MAX_FRAME, len(MAX_FRAME),
     Decoded(Frame(MsgType.SHOW_TEXT, 9, bytes(range(1, MAX_BODY + 1))))),
    ("one byte over the maximum, delimited", b"\x00" + b"\x7f" * (MAX_ENCODED + 1) + b"\x00", MAX_ENCODED + 3,
     Rejected(Rejection.TOO_LONG, b"\x7f" * (MAX_ENCODED + 1))),
    ("over-long run, no delimiter yet", b"\x55" * 200, 200, Rejected(Rejection.TOO_LONG, b"\x55" * 200)),
    ("a long run that may still end in time", b"\x55" * MAX_ENCODED, 0, None),
]


@pytest.mark.parametrize(("data", "consumed", "expected"), [c[1:] for c in DECODE_ONE], ids=[c[0] for c in DECODE_ONE])
def test_decode_one(data: bytes, consumed: int, expected: object) -> None:
    assert decode_one(data) == (consumed, expected)


def frames_of(results: list) -> list[Frame]:
    return [r.frame for r in results if isinstance(r, Decoded)]


FEEDS = [
    # (case, chunks as they arrive, frames out, rejections out)
    ("one frame", [HELLO], [Frame(1, 1, b"\x01")], []),
    ("split in two", [HELLO[:3], HELLO[3:]], [Frame(1, 1, b"\x01")], []),
    ("byte by byte", [bytes([b]) for b in SET_COUNT_42], [Frame(3, 2, b"\x2a\x00")], []),
    ("two frames in one read", [HELLO + ACK_2], [Frame(1, 1, b"\x01"), Frame(0x8E, 2)], []),
    ("two frames split across the boundary", [HELLO[:-1], HELLO[-1:] + ACK_2[:2], ACK_2[2:]],
     [Frame(1, 1, b"\x01"), Frame(0x8E, 2)], []),
    ("garbage with a zero before a frame", [b"\x13\x37\x00\x42" + HELLO], [Frame(1, 1, b"\x01")],
     [Rejection.BAD_COBS, Rejection.BAD_COBS]),
    ("noise glued to a frame's front is flushed by its leading delimiter", [b"\xff\xfe" + HELLO],
     [Frame(1, 1, b"\x01")], [Rejection.BAD_COBS]),
    ("bad CRC then a good frame", [h("00 06 01 01 01 bc d9 00") + ACK_2], [Frame(0x8E, 2)], [Rejection.BAD_CRC]),
    ("over-long garbage over three reads, then a frame", [b"\x55" * 100, b"\x55" * 100, b"\x55" * 50 + HELLO],
     [Frame(1, 1, b"\x01")], [Rejection.TOO_LONG]),
    ("maximum frame in pieces", [MAX_FRAME[:50], MAX_FRAME[50:100], MAX_FRAME[100:]],
     [Frame(MsgType.SHOW_TEXT, 9, bytes(range(1, MAX_BODY + 1)))], []),
]


@pytest.mark.parametrize(("chunks", "frames", "rejections"), [c[1:] for c in FEEDS], ids=[c[0] for c in FEEDS])
def test_framer_feed(chunks: list[bytes], frames: list[Frame], rejections: list[Rejection]) -> None:
    framer = Framer()
    results = [r for chunk in chunks for r in framer.feed(chunk)]
    assert frames_of(results) == frames
    assert [r.reason for r in results if isinstance(r, Rejected)] == rejections
    assert framer.pending == 0


COBS = [
    (b"", h("01")),
    (h("00"), h("01 01")),
    (h("00 00"), h("01 01 01")),
    (h("11 22 00 33"), h("03 11 22 02 33")),
    (h("11 22 33 44"), h("05 11 22 33 44")),
    (h("11 00 00 00"), h("02 11 01 01 01")),
    (bytes(range(1, 255)), b"\xff" + bytes(range(1, 255)) + b"\x01"),
]


@pytest.mark.parametrize(("raw", "encoded"), COBS, ids=[c[0].hex() or "empty" for c in COBS])
def test_cobs_vectors(raw: bytes, encoded: bytes) -> None:
    assert cobs_encode(raw) == encoded
    assert cobs_decode(encoded) == raw


@pytest.mark.parametrize("bad", [h("00"), h("05 11 22"), h("03 11 00")],
                         ids=["zero code", "short block", "zero in block"])
def test_cobs_rejects(bad: bytes) -> None:
    with pytest.raises(CobsError):
        cobs_decode(bad)


@given(st.binary(max_size=600))
def test_cobs_round_trip_and_no_zeros(data: bytes) -> None:
    enc = cobs_encode(data)
    assert 0 not in enc
    assert cobs_decode(enc) == data


@given(st.integers(0, 255), st.integers(0, 255), st.binary(max_size=MAX_BODY), st.integers(1, 40))
def test_any_frame_survives_any_split(msg_type: int, seq: int, body: bytes, cut: int) -> None:
    frame = Frame(msg_type, seq, body)
    wire = encode_frame(frame)
    framer = Framer()
    results = [r for i in range(0, len(wire), cut) for r in framer.feed(wire[i:i + cut])]
    assert results == [Decoded(frame)]


@given(st.binary(min_size=1, max_size=300))
def test_garbage_never_hides_the_next_frame(garbage: bytes) -> None:
    framer = Framer()
    results = framer.feed(garbage) + framer.feed(HELLO)
    assert frames_of(results)[-1:] == [Frame(1, 1, b"\x01")]
