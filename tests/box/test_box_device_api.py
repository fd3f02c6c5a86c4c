"""The device API the station uses (BallotBox), exercised against the simulator (sim://).

The simulator follows the firmware's protocol (test_box_conformance.py checks that); here it
stands in so these tests can be quick and can unplug, reboot and tamper with the box at will.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest

from firmware_bridge import box as box_module
from firmware_bridge.box import (
    BallotBox,
    BallotBoxDevice,
    BoxConnected,
    BoxLost,
    BoxRestarted,
    LinkState,
    SlotCounted,
    describe_health,
)
from firmware_bridge.display import counter_segments, counter_text, layout_line, line_text
from firmware_bridge.errors import BoxError, BoxUnavailable
from firmware_bridge.protocol import Output
from firmware_bridge.sim import forget_sim_device, sim_device
from tests.box.boxtools import drain, wait_for


@pytest.fixture
def sim_name() -> Iterator[str]:
    name = f"api-{uuid.uuid4().hex[:8]}"
    yield name
    forget_sim_device(name)


def test_ballot_box_implements_the_station_interface(sim_name: str) -> None:
    assert isinstance(BallotBox(f"sim://{sim_name}"), BallotBoxDevice)


def test_declared_state_reaches_the_box(sim_name: str, open_box) -> None:  # type: ignore[no-untyped-def]
    box = open_box(f"sim://{sim_name}")
    info = box.connect(2)
    assert info.device_id == "SIM-0001" and info.test_build
    box.set_count(12)
    box.set_slot_count(0)
    box.show_text(0, "第二轮选举")
    box.show_text(2, "请重新放入")
    box.signal_reject()
    assert box.wait_synced(2)
    state = sim_device(sim_name).state()
    assert state.count == 12 and counter_text(state.segments) == "  12"
    assert [line_text(x) for x in state.lcd_lines] == ["第二轮选举", "已计票   12 张", "请重新放入", ""]
    assert state.outputs & Output.LED_RED
    health = box.health()
    assert (health.link, health.station_count, health.box_count, health.in_sync) == (LinkState.UP, 12, 12, True)
    assert any("同步" in line for line in describe_health(health))


def test_declarations_are_checked_before_anything_is_sent(sim_name: str) -> None:
    box = BallotBox(f"sim://{sim_name}")
    for call, args in ((box.set_count, (10000,)), (box.set_count, (-1,)), (box.show_text, (4, "x")),
                       (box.show_text, (0, "投票😀")), (box.show_text, (0, "一二三四五六七八九")),
                       (box.set_slot_count, (70000,))):
        with pytest.raises(BoxError) as err:
            call(*args)
        assert err.value.zh and err.value.en  # bilingual, Chinese first


LAYOUTS = [
    # (text, bytes for the ST7920, what the line then reads)
    ("已计票 12 张", "已计票".encode("gb2312") + b" 12 " + "张".encode("gb2312") + b"    ", "已计票 12 张"),
    # a wide character starts on an even column: a space goes in front when needed
    ("已计票 123 张", "已计票".encode("gb2312") + b" 123  " + "张".encode("gb2312") + b"  ", "已计票 123  张"),
    ("A票", b"A " + "票".encode("gb2312") + b" " * 12, "A 票"),
    ("", b" " * 16, ""),
    ("1234567890123456", b"1234567890123456", "1234567890123456"),
    ("一二三四五六七八", "一二三四五六七八".encode("gb2312"), "一二三四五六七八"),
]


@pytest.mark.parametrize(("text", "laid_out", "reads"), LAYOUTS, ids=[t[0] or "empty" for t in LAYOUTS])
def test_lcd_layout(text: str, laid_out: bytes, reads: str) -> None:
    assert layout_line(text) == laid_out
    assert line_text(laid_out) == reads


@pytest.mark.parametrize("n", [0, 7, 10, 305, 9999, 10000])
def test_counter_segments_round_trip(n: int) -> None:
    shown = counter_text(counter_segments(n))
    assert shown == (f"{n:>4}" if n <= 9999 else "----")


def test_ballots_through_the_slot_arrive_once_each(sim_name: str, open_box) -> None:  # type: ignore[no-untyped-def]
    box = open_box(f"sim://{sim_name}")
    box.connect(2)
    drain(box)
    sim = sim_device(sim_name)
    with sim.lock:
        sim.drop_ballots(2)
    with sim.lock:
        sim.drop_ballots(1)
    wait_for(lambda: box.health().slot_count == 3, 2, "three ballots")
    time.sleep(0.6)  # heartbeats repeat the total; nothing is counted twice
    counted = [e for e in drain(box) if isinstance(e, SlotCounted)]
    assert sum(e.new for e in counted) == 3 and counted[-1].slot_count == 3


def test_unplug_alarm_then_resync(sim_name: str, open_box) -> None:  # type: ignore[no-untyped-def]
    box = open_box(f"sim://{sim_name}", reconnect_s=0.1)
    box.connect(2)
    box.set_count(3)
    assert box.wait_synced(2)
    drain(box)
    sim = sim_device(sim_name)
    sim.unplug()
    wait_for(lambda: box.health().link == LinkState.DOWN, 2, "the link to drop")
    box.set_count(4)  # returns at once: the count never waits for the box
    with pytest.raises(BoxUnavailable):
        box.query_state()
    with sim.lock:
        sim.drop_ballots(1)  # a ballot while the cable is out
    sim.plug()
    assert box.wait_synced(3)
    events = drain(box)
    assert [type(e) for e in events] == [BoxLost, BoxConnected, SlotCounted]
    assert events[2] == SlotCounted(1, 1)  # counted by the box while away, reported on return
    assert sim.state().count == 4


def test_a_rebooted_box_with_another_count_is_resynced(sim_name: str, tmp_path, open_box) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "sim.json"
    box = open_box(f"sim://{sim_name}?store={store}")
    box.connect(2)
    box.set_count(20)
    box.show_text(3, "监票人")
    assert box.wait_synced(2)
    drain(box)
    data = json.loads(store.read_text())
    data["count"] = 17  # as if the last writes never reached the EEPROM
    store.write_text(json.dumps(data))
    sim = sim_device(sim_name)
    with sim.lock:
        sim.power_cycle()
    wait_for(lambda: any(isinstance(e, BoxRestarted) for e in drain(box)), 3, "the restart to be noticed")
    assert box.wait_synced(2)
    state = sim.state()
    assert state.count == 20 and line_text(state.lcd_lines[3]) == "监票人" and state.boot_count == 2


def test_the_box_is_checked_now_and_then(sim_name: str, open_box) -> None:  # type: ignore[no-untyped-def]
    box = open_box(f"sim://{sim_name}", verify_s=0.2)
    box.connect(2)
    box.show_text(2, "第一轮")
    assert box.wait_synced(2)
    sim = sim_device(sim_name)
    with sim.lock:
        sim._ram.lcd[2] = layout_line("乱码")  # a glitch behind the station's back
    wait_for(lambda: line_text(sim.state().lcd_lines[2]) == "第一轮", 2, "the line to be repaired")


def test_a_signal_the_box_cannot_hear_in_time_is_dropped(sim_name: str, open_box, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(box_module, "SIGNAL_STALE_S", 0.05)
    box = open_box(f"sim://{sim_name}", reconnect_s=0.3)
    box.connect(2)
    sim = sim_device(sim_name)
    sim.unplug()
    wait_for(lambda: box.health().link == LinkState.DOWN, 2, "the link to drop")
    box.signal_accept()
    time.sleep(0.1)
    sim.plug()
    assert box.wait_synced(3)
    assert not sim.state().outputs & Output.LED_GREEN  # no beep for a ballot long gone


def test_silence_counts_as_a_lost_box(sim_name: str, open_box) -> None:  # type: ignore[no-untyped-def]
    box = open_box(f"sim://{sim_name}", silence_s=0.5, heartbeat_s=5.0)
    box.connect(2)
    sim = sim_device(sim_name)
    sim.poll = lambda: None  # type: ignore[method-assign]  # no heartbeats, no events
    sim.receive = lambda data: None  # type: ignore[method-assign]  # and no answers: a hung box
    wait_for(lambda: box.health().link == LinkState.DOWN, 3, "the silence to be noticed")
    assert box.health().alarms[0].zh == "投票箱无响应"


def test_a_refused_value_raises_an_alarm_without_dropping_the_link(sim_name: str, open_box, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from firmware_bridge import sim as sim_module

    monkeypatch.setattr(sim_module, "COUNT_MAX", 99)  # an older box with a two-digit counter
    box = open_box(f"sim://{sim_name}")
    box.connect(2)
    box.set_count(500)
    wait_for(lambda: bool(box.health().alarms), 2, "the refusal")
    health = box.health()
    assert health.link == LinkState.UP and not health.in_sync and health.connects == 1
    assert "SET_COUNT" in health.alarms[0].en
    box.set_count(50)
    assert box.wait_synced(2)
    assert box.health().alarms == ()


def test_resetting_the_slot_count_happens_once(sim_name: str, open_box) -> None:  # type: ignore[no-untyped-def]
    sim = sim_device(sim_name)
    with sim.lock:
        sim.drop_ballots(4)  # ballots from the last vote
    box = open_box(f"sim://{sim_name}", verify_s=0.2)
    box.connect(2)
    assert box.health().slot_count == 4
    box.set_slot_count(0)  # the empty box was shown: a new vote begins
    assert box.wait_synced(2)
    drain(box)
    with sim.lock:
        sim.drop_ballots(2)
    time.sleep(0.5)  # heartbeats and read-backs come and go: the box counts on from 0
    assert sim.state().slot_count == 2 and box.health().slot_count == 2
    assert [e for e in drain(box) if isinstance(e, SlotCounted)] == [SlotCounted(2, 2)]
