"""What reaches the station from outside: a scanner batch (SANE's real `test` backend), and
bad uploads — each stored as evidence, refused with a clear reason, nothing else disturbed."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from station.ballot_layout import build_sheet
from station.ballot_pdf import pdf_bytes, render_pdf
from station.definition_io import parse_election
from station.service.app import create_app
from station.service.auth import Role
from station.service.config import ServiceConfig
from station.service.station import Station
from vision.image_io import MAX_PIXELS


def test_a_scanner_batch_through_sane(tmp_path: Path, demo_path: Path, monkeypatch) -> None:
    sane = tmp_path / "sane.d"
    sane.mkdir()
    (sane / "dll.conf").write_text("test\n")
    (sane / "test.conf").write_text("number_of_devices 1\nmode Gray\ndepth 8\nresolution 100\n"
                                    'test-picture "Grid"\nbr_x 100.0\nbr_y 100.0\n')
    monkeypatch.setenv("SANE_CONFIG_DIR", str(sane))
    cfg = ServiceConfig(workspace=tmp_path / "ws", election=demo_path, scanner="test",
                        scanner_source="Automatic Document Feeder")
    station = Station(cfg)
    with TestClient(create_app(station)) as client:
        staff = {"Authorization": f"Bearer {station.new_tokens[Role.STAFF]}"}
        client.post("/api/stages/xuanju/start", json={"present": 38, "issued": 38}, headers=staff)
        r = client.post("/api/stages/xuanju/scan", headers=staff)
        assert r.status_code == 200, r.text
        assert station.scanner.wait(120)
        assert station.pipeline.wait_idle(120)
        # The test backend's feeder holds ten pages, all the same test pattern: the same bytes
        # are one image, stored and counted once, and the nine repeats are logged.
        images = station.store.images()
        assert [src for _sha, _seq, src, _name, _at in images] == ["scanner:scanner"]
        again = [e for e in station.store.log_entries() if e.action == "image_received_again"]
        assert len(again) == 9 and {e.payload["sha256"] for e in again} == {images[0][0]}
        # Test patterns are not ballots: stored as evidence, pending for people, never counted as votes.
        state = client.get("/api/state").json()
        assert state["counters"]["valid"] == 0
        assert not list((tmp_path / "ws" / "spool").glob("**/*.png")), "the spool is emptied once pages are stored"


@pytest.fixture
def station_client(tmp_path: Path, demo_path: Path):
    station = Station(ServiceConfig(workspace=tmp_path / "ws", election=demo_path))
    with TestClient(create_app(station)) as client:
        staff = {"Authorization": f"Bearer {station.new_tokens[Role.STAFF]}"}
        client.post("/api/stages/xuanju/start", json={"present": 38, "issued": 38}, headers=staff)
        yield station, client, staff


def _bomb() -> bytes:
    side = int(MAX_PIXELS**0.5) + 1000
    buf = io.BytesIO()
    Image.new("1", (side, side), 1).save(buf, format="PNG")
    return buf.getvalue()


def test_bad_uploads_are_kept_as_evidence_and_refused_with_a_reason(station_client, demo, blank_render) -> None:
    station, client, staff = station_client
    good = cv2.imencode(".png", blank_render("xuanju", "main", 150))[1].tobytes()
    other = parse_election(demo.model_dump(mode="json") | {"id": "another-2026"})
    foreign_page = render_pdf(pdf_bytes([build_sheet(other, other.stage("xuanju"), "main")]), 150)[0]
    foreign = cv2.imencode(".png", foreign_page)[1]
    uploads = {
        "good.png": good,
        "notes.txt": "会议记录，不是图像".encode(),
        "bomb.png": _bomb(),
        "cut.png": good[: len(good) // 2],
        "another-election.png": foreign.tobytes(),
    }
    shas = {}
    for name, data in uploads.items():
        r = client.post(f"/api/images?name={name}", content=data, headers=staff)
        assert r.status_code == 202, (name, r.text)
        shas[name] = r.json()["sha256"]
    assert station.pipeline.wait_idle(120)
    for name, sha in shas.items():  # every one kept, byte for byte
        assert station.store.image_bytes(sha) == uploads[name]
    details = {name: client.get(f"/api/ballots/{sha}/0").json() for name, sha in shas.items()}
    assert details["bomb.png"]["reading"]["result"]["outcome"] == "unreadable"
    assert "too large" in details["bomb.png"]["reading"]["result"]["en"]
    assert "truncated" in details["cut.png"]["reading"]["result"]["en"]
    assert details["notes.txt"]["reading"]["result"]["outcome"] == "unreadable"
    assert details["another-election.png"]["reading"]["result"]["outcome"] == "wrong_election"
    state = client.get("/api/state").json()
    assert state["counters"]["valid"] == 1  # the good ballot, undisturbed
    assert state["counters"]["rejected"] == 1  # the other election's ballot, listed, not counted


def test_spooled_pages_left_by_a_crash_are_stored_at_start(tmp_path: Path, demo_path: Path, blank_render) -> None:
    spool = tmp_path / "ws" / "spool" / "batch-1"
    spool.mkdir(parents=True)
    cv2.imwrite(str(spool / "page-0001.png"), blank_render("xuanju", "main", 150))
    station = Station(ServiceConfig(workspace=tmp_path / "ws", election=demo_path))
    with TestClient(create_app(station)):
        assert station.pipeline.wait_idle(60)
        assert [src for _s, _q, src, _n, _a in station.store.images()] == ["scanner:recovered"]
        assert not any(spool.iterdir())
