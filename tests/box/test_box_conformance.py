"""The same protocol checks against the firmware (under simavr) and the Python simulator (sim://),
so the simulator the demo and the upper layers rely on behaves like the real box."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from firmware_bridge.display import counter_segments, layout_line, line_text
from firmware_bridge.emulator import Emulator, FirmwareBuild
from firmware_bridge.framing import Decoded, Framer, encode_frame
from firmware_bridge.link import Link, Refused
from firmware_bridge.protocol import (
    PROTOCOL_VERSION,
    DeviceState,
    Frame,
    HelloReply,
    MsgType,
    NakReason,
    ResetCause,
    count_body,
    hello_body,
    inject_slot_body,
    text_body,
)
from firmware_bridge.sim import forget_sim_device
from firmware_bridge.transport import Transport, open_transport


@pytest.fixture(params=["firmware", "sim"])
def device(request, tmp_path, firmware: FirmwareBuild) -> Iterator[tuple[str, Emulator | None]]:  # type: ignore[no-untyped-def]
    """(url, emulator or None) for each kind of box."""
    if request.param == "firmware":
        emu = Emulator(firmware, tmp_path / "box").start()
        try:
            yield emu.url, emu
        finally:
            emu.stop()
    else:
        name = f"conformance-{uuid.uuid4().hex[:8]}"
        yield f"sim://{name}?id=BOX-0001", None
        forget_sim_device(name)


def hello(link: Link) -> HelloReply:
    return HelloReply.decode(link.request(MsgType.HELLO, hello_body()).body)


def state_of(link: Link) -> DeviceState:
    return DeviceState.decode(link.request(MsgType.GET_STATE).body)


def test_hello_and_boot_screen(device, open_link) -> None:  # type: ignore[no-untyped-def]
    url, emulator = device
    link = open_link(url)
    h = hello(link)
    assert (h.protocol_version, h.firmware, h.test_build) == (PROTOCOL_VERSION, (1, 0, 0), True)
    assert (h.device_id, h.boot_count, h.reset_cause, h.count, h.slot_count) == \
        ("BOX-0001", 1, ResetCause.POWER_ON, 0, 0)
    state = state_of(link)
    assert [line_text(x) for x in state.lcd_lines] == ["投票箱  BOX-0001", "已计票    0 张", "等待计票站连接", ""]
    assert state.segments == counter_segments(0)
    if emulator is not None:  # the firmware's account matches what the pins drove
        panel = emulator.panel()
        assert panel.lcd_lines == state.lcd_lines and panel.counter_grid[:4] == state.segments


def test_count_and_text(device, open_link) -> None:  # type: ignore[no-untyped-def]
    url, emulator = device
    link = open_link(url)
    hello(link)
    link.request(MsgType.SET_COUNT, count_body(7))
    assert line_text(state_of(link).lcd_lines[1]) == "已计票    7 张"  # the box's own count line
    link.request(MsgType.SHOW_TEXT, text_body(1, layout_line("开箱验票")))
    link.request(MsgType.SET_COUNT, count_body(308))
    state = state_of(link)
    assert state.count == 308 and state.segments == counter_segments(308)
    assert state.lcd_lines[1] == "开箱验票".encode("gb2312") + b" " * 8  # the host's line now, kept
    if emulator is not None:
        panel = emulator.panel()
        assert panel.counter == " 308" and panel.texts[1] == "开箱验票"


def test_a_repeated_frame_is_acknowledged_not_redone(device, open_link) -> None:  # type: ignore[no-untyped-def]
    url, _ = device
    link = open_link(url)
    hello(link)
    # the same TEST_SLOT frame twice, as after a lost ACK: one ballot, not two
    frame = encode_frame(Frame(MsgType.TEST_SLOT, 200, inject_slot_body(20, 20, 1)))
    link._transport.write(frame)  # past the transaction layer on purpose: it would pick a new seq
    time.sleep(0.05)
    link._transport.write(frame)
    time.sleep(0.2)
    assert state_of(link).slot_count == 1
    # setting the same count again writes nothing to EEPROM
    link.request(MsgType.SET_COUNT, count_body(5))
    writes = state_of(link).eeprom_writes
    for _ in range(3):
        link.request(MsgType.SET_COUNT, count_body(5))
    assert state_of(link).eeprom_writes == writes


REFUSALS = [
    ("count over four digits", MsgType.SET_COUNT, count_body(10000), NakReason.BAD_VALUE),
    ("no such line", MsgType.SHOW_TEXT, text_body(4, b"x"), NakReason.BAD_VALUE),
    ("wide character on an odd column", MsgType.SHOW_TEXT, text_body(0, b"A" + "票".encode("gb2312")),
     NakReason.BAD_VALUE),
    ("half a wide character", MsgType.SHOW_TEXT, text_body(0, "票".encode("gb2312")[:1]), NakReason.BAD_VALUE),
    ("control byte in text", MsgType.SHOW_TEXT, text_body(0, b"a\x07"), NakReason.BAD_VALUE),
    ("no such signal", MsgType.SIGNAL, b"\x07", NakReason.BAD_VALUE),
    ("count of three bytes", MsgType.SET_COUNT, b"\x01\x02\x03", NakReason.BAD_LENGTH),
    ("HELLO without a version", MsgType.HELLO, b"", NakReason.BAD_LENGTH),
    ("unknown type", 0x55, b"", NakReason.UNKNOWN_TYPE),
]


@pytest.mark.parametrize("refusal", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals(device, open_link, refusal) -> None:  # type: ignore[no-untyped-def]
    url, _ = device
    _, msg_type, body, reason = refusal
    link = open_link(url)
    hello(link)
    with pytest.raises(Refused) as refused:
        link.request(msg_type, body)
    assert refused.value.reason == reason
    assert state_of(link).count == 0


def test_events_resent_until_acknowledged(device) -> None:  # type: ignore[no-untyped-def]
    """Without the link layer's automatic EVENT_ACK the box repeats the event (same seq, same totals)."""
    url, _ = device
    t = open_transport(url)
    try:
        t.write(encode_frame(Frame(MsgType.TEST_SLOT, 1, inject_slot_body(20, 20, 1))))
        events = events_for(t, 1.0)
        assert len(events) >= 3  # every EVENT_RETRY_MS (250 ms)
        assert len({(e.seq, e.body) for e in events}) == 1
        t.write(encode_frame(Frame(MsgType.EVENT_ACK, events[0].seq)))
        time.sleep(0.05)
        assert events_for(t, 0.6) == []
    finally:
        t.close()


def events_for(t: Transport, seconds: float) -> list[Frame]:
    framer, events = Framer(), []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for r in framer.feed(t.read(256, 0.05)):
            if isinstance(r, Decoded) and r.frame.type == MsgType.EVENT:
                events.append(r.frame)
    return events

