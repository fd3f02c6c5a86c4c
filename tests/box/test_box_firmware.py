"""The real firmware (built by this suite with avr-gcc) under simavr, through the real host stack.

Two witnesses for each claim: what the firmware reports (STATE) and what the harness decoded
from the pins (TM1637 bus, ST7920 serial instructions, lamp and buzzer outputs).
"""

from __future__ import annotations

import struct
import time
from dataclasses import replace

import pytest

from firmware_bridge.box import BoxRestarted, FaultsChanged, SlotCounted
from firmware_bridge.display import layout_line
from firmware_bridge.emulator import Emulator, FirmwareBuild, build_firmware
from firmware_bridge.framing import crc16
from firmware_bridge.link import Refused
from firmware_bridge.protocol import (
    DeviceState,
    Fault,
    HelloReply,
    MsgType,
    NakReason,
    Output,
    ResetCause,
    count_body,
    hello_body,
    inject_slot_body,
)
from tests.box.boxtools import counted_box, drain, wait_for

BOOT_SCREEN = ["投票箱  BOX-0001", "已计票    0 张", "等待计票站连接", ""]


def state_of(link) -> DeviceState:  # type: ignore[no-untyped-def]
    return DeviceState.decode(link.request(MsgType.GET_STATE).body)


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


def test_the_harness_catches_an_lcd_driver_that_does_not_wait(firmware: FirmwareBuild, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The pin-level checks have teeth: a driver that waits 10 us instead of 72 us is caught."""
    rushed = build_firmware(tmp_path / "build", extra_cflags="-DST7920_EXEC_US=10")
    with Emulator(replace(firmware, test_elf=rushed.test_elf), tmp_path / "box") as emu:
        wait_for(lambda: emu.panel().lcd_instructions >= 90, 3, "the boot screen")
        assert emu.panel().lcd_violations > 0


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


def test_a_blocked_slot_is_a_fault_until_it_clears(emulator: Emulator, open_box) -> None:  # type: ignore[no-untyped-def]
    box = open_box(emulator.url)
    box.connect(5)
    drain(box)
    emulator.beam([(False, 3_400_000), (True, 0)])  # something stuck in the slot for 3.4 s
    wait_for(lambda: box.health().faults & Fault.SENSOR_BLOCKED, 5, "the blocked-slot fault")
    assert [a.en for a in box.health().alarms] == ["the slot's beam is blocked (a jam or a hand in the slot)"]
    wait_for(lambda: not box.health().faults, 2, "the fault to clear")
    changes = [e for e in drain(box) if isinstance(e, FaultsChanged)]
    assert [(e.raised, e.cleared) for e in changes] == [(Fault.SENSOR_BLOCKED, Fault.NONE),
                                                        (Fault.NONE, Fault.SENSOR_BLOCKED)]
    assert box.health().slot_count == 1  # it still counted as one ballot


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
    box = counted_box(open_box(emulator.url), count=77, ballots=2)
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
    for n in range(1, 141):
        link.request(MsgType.SET_COUNT, count_body(n))
    image = emulator.eeprom.read_bytes()  # the harness mirrors the chip's EEPROM into this file
    assert image[:2] == b"BX" and int.from_bytes(image[2:4], "little") == 1  # header, one boot
    records = [struct.unpack("<HHHH", image[16 + 8 * i:24 + 8 * i]) for i in range(126)]
    good = [r for r in records if crc16(struct.pack("<HHH", *r[:3])) == r[3]]
    assert len(good) == 126  # every slot used: 140 saves went round the ring
    assert all(r[0] % 126 == i for i, r in enumerate(records))  # round robin: record n sits in slot n mod 126
    newest = max(good, key=lambda r: r[0])
    assert newest[1] == 140  # so each cell was written at most twice, not 140 times
    assert state_of(link).eeprom_writes == 140
    assert not state_of(link).faults & Fault.STORAGE


def test_a_torn_record_falls_back_to_the_one_before(emulator: Emulator, open_link) -> None:  # type: ignore[no-untyped-def]
    """A power cut in the middle of writing a record leaves a bad CRC: the previous count stands."""
    link = open_link(emulator.url)
    link.request(MsgType.HELLO, hello_body())
    for n in range(1, 6):
        link.request(MsgType.SET_COUNT, count_body(n))
    link.close()
    emulator.stop()
    image = bytearray(emulator.eeprom.read_bytes())
    records = [struct.unpack("<HHHH", image[16 + 8 * i:24 + 8 * i]) for i in range(126)]
    newest = max((i for i, r in enumerate(records) if r[1] == 5), default=None)
    assert newest is not None
    image[16 + 8 * newest + 2] ^= 0x01  # half-written count: 5 -> 4 in the bytes, CRC still for 5
    emulator.eeprom.write_bytes(bytes(image))
    emulator.start()
    link = open_link(emulator.url)
    hello = HelloReply.decode(link.request(MsgType.HELLO, hello_body()).body)
    assert hello.count == 4 and hello.boot_count == 2
