"""Faults against the running firmware: a noisy wire both ways, power cuts, an unplugged cable.

Whatever happens, the box ends showing the station's count, and no ballot is reported twice.
"""

from __future__ import annotations

import threading
import time

from firmware_bridge.box import BoxConnected, BoxLost, BoxRestarted, LinkState, SlotCounted
from firmware_bridge.emulator import Emulator
from firmware_bridge.errors import BoxUnavailable
from firmware_bridge.faults import FaultRates, FaultyTransport
from firmware_bridge.link import LinkError
from firmware_bridge.protocol import HelloReply, MsgType, count_body, hello_body
from tests.box.boxtools import counted_box, drain, wait_for

NOISE = FaultRates(corrupt=0.01, drop=0.005, insert=0.002)  # per byte, in each direction


def test_noisy_wire_both_ways_converges_without_double_counts(emulator: Emulator, open_box) -> None:  # type: ignore[no-untyped-def]
    wires: list[FaultyTransport] = []

    def noisy(transport):  # type: ignore[no-untyped-def]
        wires.append(FaultyTransport(transport, to_device=NOISE, to_host=NOISE, seed=len(wires) + 11))
        return wires[-1]

    box = open_box(emulator.url, wrap=noisy)
    box.connect(10)
    injected = attempts = 0
    for n in range(1, 81):
        box.set_count(n)
        if n % 10 == 0:
            attempts += 1
            try:
                box.inject_slot(2, blocked_ms=20, gap_ms=20)
                injected += 2
            except BoxUnavailable:
                pass  # every try lost on the wire: it may or may not have reached the box
        time.sleep(0.015)
    assert box.wait_synced(15)
    time.sleep(0.3)  # let the last slot events arrive (the box resends them until acknowledged)
    state = None
    for _ in range(5):
        try:
            state = box.query_state()
            break
        except BoxUnavailable:
            continue
    assert state is not None
    assert state.count == 80
    assert injected <= state.slot_count <= 2 * attempts
    wait_for(lambda: box.health().slot_count == state.slot_count, 3, "the host to hear every ballot")
    counted = [e for e in drain(box) if isinstance(e, SlotCounted)]
    assert sum(e.new for e in counted) == state.slot_count  # each ballot reported once
    # the faults really happened, in both directions, and were survived
    assert sum(w.counts["to_device"].corrupted for w in wires) > 0
    assert sum(w.counts["to_host"].corrupted for w in wires) > 0
    assert sum(w.counts["to_host"].dropped + w.counts["to_device"].dropped for w in wires) > 0
    assert emulator.panel().counter == "  80"


def test_power_cut_mid_stream_keeps_the_last_acknowledged_count(emulator: Emulator, open_link) -> None:  # type: ignore[no-untyped-def]
    boots = 1
    for delay in (0.15, 0.23, 0.31):
        link = open_link(emulator.url)
        hello = HelloReply.decode(link.request(MsgType.HELLO, hello_body()).body)
        assert hello.boot_count == boots
        start = hello.count
        acked = start
        cut = threading.Timer(delay, emulator.power_cut)
        cut.start()
        try:
            for n in range(start + 1, start + 2000):
                link.request(MsgType.SET_COUNT, count_body(n), timeout=0.2, retries=1)
                acked = n
        except LinkError:
            pass
        cut.join()
        link.close()
        assert acked > start, "the power went before anything was sent"
        emulator.start()  # same EEPROM file: the power comes back
        boots += 1
        link = open_link(emulator.url)
        hello = HelloReply.decode(link.request(MsgType.HELLO, hello_body()).body)
        assert hello.boot_count == boots
        # the count acknowledged last, or the one being written as the power went: nothing else
        assert hello.count in (acked, acked + 1)
        link.close()


def test_unplugged_cable_raises_an_alarm_never_blocks_and_resyncs(emulator: Emulator, open_box) -> None:  # type: ignore[no-untyped-def]
    box = open_box(emulator.url)
    box.connect(5)
    box.set_count(10)
    assert box.wait_synced(3)
    drain(box)
    emulator.unplug(1500)
    wait_for(lambda: box.health().link == LinkState.DOWN, 4, "the link to drop")
    health = box.health()
    assert [a.en for a in health.alarms] == ["the ballot box is not answering"]
    started = time.monotonic()
    for n in range(11, 16):  # the station keeps counting
        box.set_count(n)
        box.signal_accept()
    assert time.monotonic() - started < 0.1
    wait_for(lambda: any(isinstance(e, BoxConnected) and e.after_outage for e in drain(box)), 8, "reconnection")
    assert box.wait_synced(5)
    assert box.query_state().count == 15
    assert emulator.panel().counter == "  15"
    assert box.health().alarms == ()


def test_power_cut_while_the_station_counts(emulator: Emulator, open_box) -> None:  # type: ignore[no-untyped-def]
    box = counted_box(open_box(emulator.url), count=5, ballots=3)
    emulator.power_cut()
    for n in range(6, 10):
        box.set_count(n)  # counting goes on while the box is dark
    emulator.start()
    assert box.wait_synced(8)
    events = drain(box)
    assert [type(e) for e in events if isinstance(e, BoxLost | BoxConnected | BoxRestarted)] == \
        [BoxLost, BoxConnected, BoxRestarted]
    state = box.query_state()
    assert (state.count, state.slot_count) == (9, 3)  # slot count from EEPROM, count re-synced
    assert sum(e.new for e in events if isinstance(e, SlotCounted)) == 0  # nothing new, nothing twice


def test_socket_url_and_reconnection_over_tcp(firmware, tmp_path, open_box) -> None:  # type: ignore[no-untyped-def]
    """The same stack over pyserial's socket:// (the harness as a TCP server, like QEMU's -serial tcp:)."""
    with Emulator(firmware, tmp_path / "box", tcp=True) as emu:
        assert emu.url.startswith("socket://127.0.0.1:")
        box = open_box(emu.url, reconnect_s=0.2)
        box.connect(5)
        box.set_count(31)
        assert box.wait_synced(3)
        drain(box)
        emu.unplug(500)  # the harness drops the client and stops listening for half a second
        box.set_count(32)
        wait_for(lambda: any(isinstance(e, BoxConnected) and e.after_outage for e in drain(box)), 8, "reconnection")
        assert box.wait_synced(3)
        assert box.query_state().count == 32 and emu.panel().counter == "  32"
        box.close()
