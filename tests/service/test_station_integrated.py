"""The station with its parts: a hot folder feeds it, the ballot box (the simulator, speaking
the real protocol) follows its count, and issued / in the box / scanned reconcile."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import cv2
from fastapi.testclient import TestClient

from firmware_bridge.sim import forget_sim_device, sim_device
from station.service.app import create_app
from station.service.auth import Role
from station.service.config import ServiceConfig
from station.service.station import Station


def _until(pred, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


def test_hot_folder_box_and_reconciliation(tmp_path: Path, demo_path: Path, blank_render) -> None:
    name = f"station-{uuid.uuid4().hex[:8]}"
    inbox = tmp_path / "inbox"
    cfg = ServiceConfig(workspace=tmp_path / "ws", election=demo_path, hot_folder=inbox, box_url=f"sim://{name}")
    station = Station(cfg)
    device = sim_device(name)
    try:
        with TestClient(create_app(station)) as client:
            staff = {"Authorization": f"Bearer {station.new_tokens[Role.STAFF]}"}
            r = client.post("/api/stages/xuanju/start", json={"present": 38, "issued": 38}, headers=staff)
            assert r.status_code == 200
            # Three ballots go through the slot and are scanned into the hot folder.
            device.drop_ballots(3)
            for i, dpi in enumerate((150, 200, 250)):
                cv2.imwrite(str(inbox / f"scan-{i}.png"), blank_render("xuanju", "main", dpi))
            cv2.imwrite(str(inbox / "other-stage.png"), blank_render("xinren", "main", 150))
            assert _until(lambda: len(station.store.images()) == 4 and station.pipeline.depth == 0)
            assert _until(lambda: sorted(p.name for p in (inbox / "done").iterdir()) ==
                          ["other-stage.png", "scan-0.png", "scan-1.png", "scan-2.png"])

            def counters():
                return client.get("/api/state").json()

            # The station pushes its count to the box after each recount: wait for the box to show 3.
            assert _until(lambda: counters()["counters"]["box"] == 3 and counters()["box"]["station_count"] == 3
                          and counters()["box"]["in_sync"])
            state = counters()
            assert state["counters"]["returned"] == 3 and state["mismatches"] == []
            assert state["box"]["station_count"] == 3  # the box's counter shows the station's count
            # One more ballot through the slot that is never scanned: flagged, not hidden.
            device.drop_ballots(1)
            assert _until(lambda: [m["code"] for m in counters()["mismatches"]] == ["scanned_vs_box"])
            log = [e["action"] for e in client.get("/api/log").json()]
            assert "box_slot" in log
    finally:
        forget_sim_device(name)


def test_a_box_that_stops_answering_never_stops_the_count(tmp_path: Path, demo_path: Path, blank_render) -> None:
    # A serial port that does not exist: the box is down from the start.
    cfg = ServiceConfig(workspace=tmp_path / "ws", election=demo_path, box_url=str(tmp_path / "no-such-tty"))
    station = Station(cfg)
    with TestClient(create_app(station)) as client:
        staff = {"Authorization": f"Bearer {station.new_tokens[Role.STAFF]}"}
        client.post("/api/stages/xuanju/start", json={"present": 38, "issued": 38}, headers=staff)
        data = cv2.imencode(".png", blank_render("xuanju", "main", 150))[1].tobytes()
        assert client.post("/api/images", content=data, headers=staff).status_code == 202
        assert station.pipeline.wait_idle(60)
        state = client.get("/api/state").json()
        assert state["counters"]["returned"] == 1
        assert state["box"]["link"] != "connected" and state["box"]["alarms"]
