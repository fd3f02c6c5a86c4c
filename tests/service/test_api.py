"""The service through its app factory: feed, count, review, decide, close, audit."""

from __future__ import annotations

import cv2
import numpy as np

from station.service.auth import Role


def _start(running, stage="xuanju", present=38, issued=38) -> None:
    r = running.client.post(f"/api/stages/{stage}/start", json={"present": present, "issued": issued},
                            headers=running.as_(Role.STAFF, "计票人甲"))
    assert r.status_code == 200, r.text


def _circle(img: np.ndarray, layout_box, dpi: int) -> None:
    s = dpi / 25.4
    r = layout_box.rect
    cv2.circle(img, (int(r.cx * s), int(r.cy * s)), int(3.5 * s), 0, max(2, int(0.5 * s)))


def test_a_ballot_goes_from_upload_to_the_count(running, blank_render, demo) -> None:
    from station.ballot_layout import build_sheet

    _start(running)
    layout = build_sheet(demo, demo.stage("xuanju"), "main").layout
    img = blank_render("xuanju", "main", 200)
    _circle(img, layout.box("shuji.c01.symbol"), 200)
    up = running.upload(img)
    assert up["new"] is True
    again = running.upload(img)  # the same bytes again: recognised, not counted twice
    assert again == {**up, "new": False}
    running.settle()
    state = running.client.get("/api/state").json()
    assert state["counters"]["valid"] == 1 and state["counters"]["returned"] == 1
    shuji = next(c for c in state["result"]["contests"] if c["contest"] == "shuji")
    first = next(p for p in shuji["people"] if p["name"] == "王建国")
    assert first["agree"] == 1
    ballots = running.client.get("/api/ballots", params={"candidate": "王建国"}).json()
    assert [b["sha256"] for b in ballots] == [up["sha256"]]
    assert running.client.get("/api/ballots", params={"candidate": "欧阳晓燕"}).json() == []
    view = running.client.get(f"/api/images/{up['sha256']}/0/view.png")
    assert view.status_code == 200 and view.content[:4] == b"\x89PNG"
    crop = running.client.get(f"/api/images/{up['sha256']}/0/crop/shuji.c01.symbol.png")
    assert crop.status_code == 200
    orig = running.client.get(f"/api/images/{up['sha256']}")
    import hashlib

    assert hashlib.sha256(orig.content).hexdigest() == up["sha256"]


def test_review_then_decide(running, blank_render, demo) -> None:
    from station.ballot_layout import build_sheet

    _start(running)
    layout = build_sheet(demo, demo.stage("xuanju"), "main").layout
    img = blank_render("xuanju", "main", 200)
    s = 200 / 25.4
    r = layout.box("weiyuan.c01.symbol").rect
    cv2.line(img, (int((r.x_mm + 2) * s), int(r.cy * s)), (int((r.x_mm + 8) * s), int(r.cy * s)), 0, 4)  # a dash
    up = running.upload(img)
    running.settle()
    queue = running.client.get("/api/review").json()
    assert [q["sha256"] for q in queue] == [up["sha256"]]
    assert queue[0]["items"][0]["box_id"] == "weiyuan.c01.symbol"
    decision = {"kind": "mark", "ballot": {"image_sha256": up["sha256"], "page_index": 0},
                "box_id": "weiyuan.c01.symbol", "mark_class": "cross", "by": "总监票人王某", "why": "横线视为×"}
    assert running.client.post("/api/decisions", json=decision, headers=running.as_(Role.STAFF)).status_code == 403
    r = running.client.post("/api/decisions", json=decision, headers=running.as_(Role.SCRUTINEER))
    assert r.status_code == 201, r.text
    state = running.client.get("/api/state").json()
    assert state["counters"]["pending"] == 0 and state["counters"]["valid"] == 1
    log = running.client.get("/api/log").json()
    d = [e for e in log if e["action"] == "decision"][-1]
    assert d["actor"] == "总监票人王某" and d["role"] == "scrutineer" and d["reason"] == "横线视为×"


def test_rejected_pages_are_stored_and_listed(running, blank_render) -> None:
    _start(running)
    bad = running.upload(b"this is not an image", "note.txt")
    other = running.upload(blank_render("xinren", "main", 150), "wrong-stage.png")
    running.settle()
    listed = {b["sha256"]: b for b in running.client.get("/api/ballots").json()}
    assert listed[other["sha256"]]["status"] == "rejected"
    assert listed[bad["sha256"]]["status"] == "pending"  # an unreadable page may be a ballot: people decide
    assert running.station.store.image_bytes(bad["sha256"]) == b"this is not an image"
    # One ballot's page says why staff set it aside, and what people must still decide.
    wrong = running.client.get(f"/api/ballots/{other['sha256']}/0").json()
    assert wrong["status"] == "rejected" and wrong["stage"] == "xinren" and "xinren" in wrong["refused"]["zh"]
    unreadable = running.client.get(f"/api/ballots/{bad['sha256']}/0").json()
    assert unreadable["status"] == "pending" and unreadable["refused"] is None
    assert unreadable["count"]["items"][0]["code"] == "unidentified_page"


def test_close_freezes_and_reopen_needs_a_scrutineer(running, blank_render) -> None:
    _start(running)
    running.upload(blank_render("xuanju", "main", 150))
    running.settle()
    r = running.client.post("/api/stages/xuanju/close", json={"reason": "计票完毕"}, headers=running.as_(Role.STAFF))
    assert r.status_code == 200, r.text
    frozen = running.client.get("/api/stages/xuanju/result").json()
    running.upload(blank_render("xuanju", "main", 200))  # arrives after closing: stored, not counted
    running.settle()
    assert running.client.get("/api/stages/xuanju/result").json() == frozen
    files = [f"qingshi-2026-xuanju-{x}" for x in ("result.json", "count-report.pdf", "result-report.pdf")]
    listed = running.client.get("/api/stages/xuanju/files").json()
    assert set(files) <= set(listed)
    for f in listed:
        assert running.client.get(f"/api/stages/xuanju/files/{f}").status_code == 200
    no_reason = running.client.post("/api/stages/xuanju/reopen", json={"reason": ""},
                                    headers=running.as_(Role.SCRUTINEER))
    assert no_reason.status_code == 422
    assert running.client.post("/api/stages/xuanju/reopen", json={"reason": "x"},
                               headers=running.as_(Role.STAFF)).status_code == 403
    r = running.client.post("/api/stages/xuanju/reopen", json={"reason": "漏计一张"},
                            headers=running.as_(Role.SCRUTINEER))
    assert r.status_code == 200
    assert running.client.get("/api/stages/xuanju/result").json()["totals"]["returned"] == 2
    assert running.client.get("/api/stages/xuanju/files").json() == []


def test_audit_verify_finds_a_tampered_image(running, blank_render) -> None:
    _start(running)
    up = running.upload(blank_render("xuanju", "main", 150))
    running.settle()
    ok = running.client.post("/api/audit/verify", headers=running.as_(Role.AUDITOR)).json()
    assert ok["ok"] is True
    path = next((running.station.store.images_dir / up["sha256"][:2]).glob(up["sha256"] + ".*"))
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    bad = running.client.post("/api/audit/verify", headers=running.as_(Role.AUDITOR)).json()
    assert bad["ok"] is False and bad["images_bad"] == [{"sha256": up["sha256"], "problem": "altered"}]


def test_upload_limits(running) -> None:
    big = b"\x00" * (running.station.config.max_upload_mb * 1024 * 1024 + 1)
    r = running.client.post("/api/images", content=big, headers=running.as_(Role.STAFF))
    assert r.status_code == 413 and "MB" in r.json()["detail"]["zh"]
