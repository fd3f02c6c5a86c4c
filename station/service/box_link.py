"""The ballot box follows the station: its counter shows the station's count, its LCD the
stage and status, its lamps accept/reject each ballot read. What the box reports (ballots
through the slot, faults, outages) is logged and shown; a box that stops answering raises
an alarm but never stops the count (no call here waits on the box)."""

from __future__ import annotations

import queue
import threading
from typing import TYPE_CHECKING, Any

from firmware_bridge.box import BallotBox, BoxConnected, BoxLost, BoxRestarted, FaultsChanged, SlotCounted

if TYPE_CHECKING:
    from station.service.station import Station


class BoxLink:
    def __init__(self, station: Station, url: str) -> None:
        self.station = station
        self.box = BallotBox(url)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._events, name="ballot-box-events", daemon=True)
        self._shown: int | None = None

    def start(self) -> None:
        self.box.start()
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.box.close()

    # the station speaks -----------------------------------------------------------------------
    def new_vote(self, title: str) -> None:
        """A stage starts: the scrutineers have seen the empty box, so its slot count restarts."""
        self.box.set_slot_count(0)
        self.box.show_text(0, title[:8])

    def follow(self, counted: int) -> None:
        if counted != self._shown:
            self._shown = counted
            self.box.set_count(counted)
            self.box.show_text(1, f"已计票 {counted} 张")

    def ballot_read(self, accepted: bool) -> None:
        if accepted:
            self.box.signal_accept()
            self.box.show_text(2, "")
        else:
            self.box.signal_reject()
            self.box.show_text(2, "请重新放入")

    # the box speaks ---------------------------------------------------------------------------
    def _events(self) -> None:
        while not self._stop.is_set():
            try:
                ev = self.box.events.get(timeout=0.5)
            except queue.Empty:
                continue
            payload: dict[str, Any]
            match ev:
                case SlotCounted():
                    payload = {"event": "slot", "slot_count": ev.slot_count, "new": ev.new}
                case BoxLost():
                    payload = {"event": "lost"}
                case BoxConnected():
                    payload = {"event": "connected", "after_outage": ev.after_outage}
                case BoxRestarted():
                    payload = {"event": "restarted"}
                case FaultsChanged():
                    payload = {"event": "faults", "faults": int(ev.faults)}
                case _:
                    continue
            self.station.store.log("ballot-box", "system", f"box_{payload['event']}", payload)
            self.station.hub.publish("box", payload)
            self.station.request_recount()

    def health(self) -> dict[str, Any]:
        h = self.box.health()
        return {
            "link": str(h.link),
            "in_sync": h.in_sync,
            "slot_count": h.slot_count,
            "box_count": h.box_count,
            "station_count": h.station_count,
            "alarms": [{"zh": a.zh, "en": a.en} for a in h.alarms],
            "device": h.device.device_id if h.device else None,
        }
