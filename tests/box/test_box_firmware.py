"""The real firmware (built by this suite with avr-gcc) under simavr, through the real host stack.

Two witnesses for each claim: what the firmware reports (STATE) and what the harness decoded
from the pins (TM1637 bus, ST7920 serial instructions, lamp and buzzer outputs).
"""

from __future__ import annotations

import struct
import time

import pytest

from firmware_bridge.box import BoxRestarted, SlotCounted
from firmware_bridge.display import layout_line
from firmware_bridge.emulator import Emulator, FirmwareBuild
from firmware_bridge.framing import crc16, encode_frame
from firmware_bridge.link import Refused
from firmware_bridge.protocol import (
    PROTOCOL_VERSION,
    DeviceState,
    Fault,
    Frame,
    HelloReply,
    MsgType,
    NakReason,
    Output,
    ResetCause,
    count_body,
    hello_body,
    inject_slot_body,
    text_body,
)
from tests.box.boxtools import drain, wait_for

BOOT_SCREEN = ["投票箱  BOX-0001", "已计票    0 张", "等待计票站连接", ""]


def state_of(link) -> DeviceState:  # type: ignore[no-untyped-def]
    return DeviceState.decode(link.request(MsgType.GET_STATE).body)


def test_hello_and_boot_screen(emulator: Emulator, open_link) -> None:  # type: ignore[no-untyped-def]
    link = open_link(emulator.url)
    hello = HelloReply.decode(link.request(MsgType.HELLO, hello_body()).body)
    assert (hello.protocol_version, hello.firmware, hello.test_build) == (PROTOCOL_VERSION, (1, 0, 0), True)
    assert (hello.device_id, hello.boot_count, hello.reset_cause) == ("BOX-0001", 1, ResetCause.POWER_ON)
    assert (hello.count, hello.slot_count) == (0, 0)

    panel = emulator.panel()
    assert panel.texts == BOOT_SCREEN
    assert panel.counter == "   0" and panel.counter_on and panel.lcd_on
    state = state_of(link)
    assert state.lcd_lines == panel.lcd_lines  # the firmware's account matches the pins
    assert state.segments == panel.counter_grid[:4]
    assert (panel.lcd_violations, panel.lcd_errors, panel.counter_errors) == (0, 0, 0)


def test_counts_and_chinese_text_reported_back(emulator: Emulator, open_box) -> None:  # type: ignore[no-untyped-def]
    box = open_box(emulator.url)
    box.connect(5)
    box.set_count(1234)
    box.show_text(0, "第一选区 投票箱")
    box.show_text(1, "已计票 1234 张")
    box.show_text(2, "请重新放入")
    box.show_text(3, "No.1 监票人")
    assert box.wait_synced(3)

    state = box.query_state()
    assert state.count == 1234
    expected = [layout_line(t) for t in ("第一选区 投票箱", "已计票 1234 张", "请重新放入", "No.1 监票人")]
    assert list(state.lcd_lines) == expected
    assert expected[2] == "请重新放入".encode("gb2312") + b" " * 6  # GB2312 bytes, as the ST7920 ROM wants
    assert expected[3] == b"No.1  " + "监票人".encode("gb2312") + b" " * 4  # wide character moved to an even column

    panel = emulator.panel()
    assert panel.lcd_lines == state.lcd_lines
    assert panel.counter == "1234" and state.segments == panel.counter_grid[:4]
    assert (panel.lcd_violations, panel.lcd_errors, panel.counter_errors) == (0, 0, 0)


def test_firmware_keeps_its_count_line_until_the_host_takes_it(emulator: Emulator, open_link) -> None:  # type: ignore[no-untyped-def]
    link = open_link(emulator.url)
    link.request(MsgType.HELLO, hello_body())
    link.request(MsgType.SET_COUNT, count_body(7))
    assert emulator.panel().texts[1] == "已计票    7 张"
    link.request(MsgType.SHOW_TEXT, text_body(1, layout_line("开箱验票")))
    link.request(MsgType.SET_COUNT, count_body(8))
    panel = emulator.panel()
    assert panel.texts[1] == "开箱验票" and panel.counter == "   8"


def test_slot_events_injected_through_the_test_command(emulator: Emulator, open_box) -> None:  # type: ignore[no-untyped-def]
    box = open_box(emulator.url)
    box.connect(5)
    drain(box)
    box.inject_slot(5, blocked_ms=30, gap_ms=30)
    wait_for(lambda: box.health().slot_count == 5, 3, "five ballots through the slot")
    counted = [e for e in drain(box) if isinstance(e, SlotCounted)]
    assert sum(e.new for e in counted) == 5 and counted[-1].slot_count == 5
    assert box.query_state().slot_count == 5


def test_debouncer_at_the_beam_pin(emulator: Emulator, open_box) -> None:  # type: ignore[no-untyped-def]
    box = open_box(emulator.url)
    box.connect(5)
    # flutter: blocked for 1-3 ms at a time never counts
    emulator.beam([(False, 2000), (True, 1000), (False, 3000), (True, 2000), (False, 1000), (True, 0)])
    time.sleep(0.1)
    assert box.query_state().slot_count == 0
    # one ballot, with contact bounce at both edges: exactly one count
    emulator.beam([(False, 1000), (True, 500), (False, 40000), (True, 800), (False, 600), (True, 0)])
    wait_for(lambda: box.health().slot_count == 1, 2, "one ballot")
    time.sleep(0.1)
    state = box.query_state()
    assert state.slot_count == 1 and not state.outputs & Output.BEAM_BLOCKED
    # three ballots in quick succession (20 ms apart): three counts
    emulator.beam([(False, 25000), (True, 20000)] * 3 + [(True, 0)])
    wait_for(lambda: box.health().slot_count == 4, 2, "three more ballots")


def test_lamps_and_buzzer(emulator: Emulator, open_box) -> None:  # type: ignore[no-untyped-def]
    box = open_box(emulator.url)
    box.connect(5)
    box.signal_accept()
    assert box.wait_synced(2)
    panel = emulator.panel()
    assert panel.green and not panel.red and panel.buzzer
    assert box.query_state().outputs & Output.LED_GREEN
    box.signal_reject()
    assert box.wait_synced(2)
    panel = emulator.panel()
    assert panel.red and not panel.green
    time.sleep(0.2)  # the first beep (150 ms) is over, the lamp (3 s) is not
    panel = emulator.panel()
    assert panel.red and not panel.buzzer


def test_a_repeated_frame_is_acknowledged_not_redone(emulator: Emulator, open_link) -> None:  # type: ignore[no-untyped-def]
    link = open_link(emulator.url)
    link.request(MsgType.HELLO, hello_body())
    # the same TEST_SLOT frame twice, as after a lost ACK: one ballot, not two
    frame = encode_frame(Frame(MsgType.TEST_SLOT, 200, inject_slot_body(20, 20, 1)))
    link._transport.write(frame)  # noqa: SLF001 - bypass the transaction layer on purpose
    time.sleep(0.05)
    link._transport.write(frame)  # noqa: SLF001
    time.sleep(0.2)
    assert state_of(link).slot_count == 1
    # and setting the same count again writes nothing to EEPROM
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
    ("control byte in text", MsgType.SHOW_TEXT, text_body(0, b"a\x07"), NakReason.BAD_VALUE),
    ("no such signal", MsgType.SIGNAL, b"\x07", NakReason.BAD_VALUE),
    ("count of three bytes", MsgType.SET_COUNT, b"\x01\x02\x03", NakReason.BAD_LENGTH),
    ("unknown type", 0x55, b"", NakReason.UNKNOWN_TYPE),
]


def test_refusals(emulator: Emulator, open_link) -> None:  # type: ignore[no-untyped-def]
    link = open_link(emulator.url)
    link.request(MsgType.HELLO, hello_body())
    for case, msg_type, body, reason in REFUSALS:
        with pytest.raises(Refused) as refused:
            link.request(msg_type, body)
        assert refused.value.reason == reason, case
    assert state_of(link).count == 0


def test_production_build_has_no_test_commands(firmware: FirmwareBuild, tmp_path, open_link) -> None:  # type: ignore[no-untyped-def]
    with Emulator(firmware, tmp_path, test_build=False) as emu:
        link = open_link(emu.url)
        hello = HelloReply.decode(link.request(MsgType.HELLO, hello_body()).body)
        assert not hello.test_build
        for msg_type, body in ((MsgType.TEST_SLOT, inject_slot_body(20, 20, 1)), (MsgType.TEST_HANG, b"")):
            with pytest.raises(Refused) as refused:
                link.request(msg_type, body)
            assert refused.value.reason == NakReason.UNKNOWN_TYPE
        link.close()


def test_link_lost_shown_on_the_lcd_and_restored(emulator: Emulator, open_box) -> None:  # type: ignore[no-untyped-def]
    box = open_box(emulator.url)
    box.connect(5)
    box.show_text(3, "监票人 李秀英")
    assert box.wait_synced(2)
    box.close()  # the station goes quiet: no more heartbeats
    wait_for(lambda: emulator.panel().texts[3] == "计票站未连接", 4.5, "the box to notice the silence")
    box2 = open_box(emulator.url)
    box2.connect(5)
    wait_for(lambda: emulator.panel().lcd_lines[3] == layout_line("监票人 李秀英"), 2, "the line to come back")


def test_watchdog_resets_hung_firmware_and_counts_survive(emulator: Emulator, open_box) -> None:  # type: ignore[no-untyped-def]
    box = open_box(emulator.url)
    box.connect(5)
    box.set_count(77)
    box.inject_slot(2, 20, 20)
    wait_for(lambda: box.health().slot_count == 2, 2, "two ballots")
    assert box.wait_synced(2)
    drain(box)
    box.hang_for_test()
    wait_for(lambda: any(isinstance(e, BoxRestarted) for e in drain(box)), 6, "the watchdog reset")
    health = box.health()
    assert health.device is not None and health.device.reset_cause == ResetCause.WATCHDOG
    assert health.device.boot_count == 2
    assert box.wait_synced(3)
    state = box.query_state()
    assert (state.count, state.slot_count, state.reset_cause) == (77, 2, ResetCause.WATCHDOG)
    assert emulator.panel().counter == "  77"


def test_eeprom_writes_spread_over_the_ring(emulator: Emulator, open_link) -> None:  # type: ignore[no-untyped-def]
    link = open_link(emulator.url)
    link.request(MsgType.HELLO, hello_body())
    for n in range(1, 301):
        link.request(MsgType.SET_COUNT, count_body(n))
    image = emulator.eeprom.read_bytes()  # the harness mirrors the chip's EEPROM into this file
    assert image[:2] == b"BX" and int.from_bytes(image[2:4], "little") == 1  # header, one boot
    records = [struct.unpack("<HHHH", image[16 + 8 * i:24 + 8 * i]) for i in range(126)]
    good = [r for r in records if crc16(struct.pack("<HHH", *r[:3])) == r[3]]
    assert len(good) == 126  # every slot used: 300 saves went round the ring
    assert all(r[0] % 126 == i for i, r in enumerate(records))  # round robin: record n sits in slot n mod 126
    newest = max(good, key=lambda r: r[0])
    assert newest[1] == 300  # so each cell was written at most ceil(300 / 126) = 3 times, not 300
    assert state_of(link).eeprom_writes == 300
    assert not state_of(link).faults & Fault.STORAGE
