"""Ballots: upload, list with filters, original and annotated images, crops, re-read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, Response

from station.rules.ballot import count_ballot, reading_refusal
from station.rules.decisions import BallotRef, decisions_by_ballot
from station.rules.votes import counted_for
from station.service.deps import Auditor, Staff, StationDep
from station.service.views import ballot_status
from vision import annotate
from vision.image_io import ImageInputError, load_pages
from vision.read_files import read_bytes

router = APIRouter(prefix="/api", tags=["ballots"])


@router.post("/images", status_code=202, summary="上传选票图像 / upload a ballot image (raw body)")
async def upload(request: Request, station: StationDep, actor: Staff, name: str = Query("upload", max_length=200)):
    limit = station.config.max_upload_mb * 1024 * 1024
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit:
        raise HTTPException(413, {"zh": f"文件超过 {station.config.max_upload_mb} MB", "en": "the file is too large"})
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(
                413, {"zh": f"文件超过 {station.config.max_upload_mb} MB", "en": "the file is too large"}
            )
    stored = station.pipeline.intake(bytes(body), "upload", name)
    station.log(actor, "image_uploaded", {"sha256": stored.sha256, "name": name, "new": stored.new})
    return {"sha256": stored.sha256, "new": stored.new, "seq": stored.seq}


@router.get("/ballots", summary="选票列表（可筛选）/ ballots, with filters")
def ballots(
    station: StationDep,
    stage: str | None = None,
    status: str | None = Query(None, pattern="^(valid|invalid|pending|excluded|rejected)$"),
    reviewed: bool | None = None,
    write_ins: bool | None = None,
    candidate: str | None = None,
) -> list[dict[str, Any]]:
    state = station.count.state(stage)
    names = {sha: (seq, name) for sha, seq, _src, name, _at in station.store.images()}
    decided = {d.ballot.key for d in station.count.decisions()}
    out = []
    counts = {
        f"{b.ballot.image_sha256}:{b.ballot.page_index}": b for b in (state.result.ballots if state.result else [])
    }
    for key, reading in state.readings.items():
        c = counts.get(key)
        st = ballot_status(c) if c else "pending"
        has_write = any(w.has_writing for w in getattr(reading.result, "write_ins", []))
        if status and st != status:
            continue
        if reviewed is not None and (key in decided) != reviewed:
            continue
        if write_ins is not None and has_write != write_ins:
            continue
        if candidate and not (c and counted_for(c, candidate)):
            continue
        seq, name = names.get(reading.image_sha256, (0, ""))
        out.append(
            {
                "key": key,
                "sha256": reading.image_sha256,
                "page": reading.page_index,
                "seq": seq,
                "name": name,
                "status": st,
                "outcome": reading.result.outcome,
                "reviewed": key in decided,
                "write_ins": has_write,
            }
        )
    if status in (None, "rejected"):
        for r in state.rejected:
            seq, name = names.get(r.sha256, (0, ""))
            out.append(
                {
                    "key": f"{r.sha256}:{r.page_index}",
                    "sha256": r.sha256,
                    "page": r.page_index,
                    "seq": seq,
                    "name": name,
                    "status": "rejected",
                    "outcome": r.outcome,
                    "zh": r.zh,
                    "en": r.en,
                    "reviewed": False,
                    "write_ins": False,
                }
            )
    return sorted(out, key=lambda b: (b["seq"], b["page"]))


def _reading(station, sha: str, page: int):
    key = f"{sha}:{page}"
    for r in station.count.readings():
        if BallotRef.of(r).key == key:
            return r
    raise HTTPException(404, {"zh": "没有这张选票", "en": "no such ballot"})


@router.get("/ballots/{sha}/{page}", summary="一张选票：读数、计票、裁定 / one ballot")
def ballot(sha: str, page: int, station: StationDep) -> dict[str, Any]:
    reading = _reading(station, sha, page)
    current = station.count.current_stage()
    # A page without an identity (unreadable, not a ballot, blank) belongs to the stage being counted.
    stage_id = getattr(getattr(reading.result, "identity", None), "stage_id", None) or current
    count = None
    decisions = [d for d in station.count.decisions() if d.ballot.key == f"{sha}:{page}"]
    if reading.result.outcome != "wrong_election" and any(s.id == stage_id for s in station.election.stages):
        sheets = station.count.sheets(stage_id)
        if reading_refusal(sheets, reading) is None:
            count = count_ballot(sheets, reading, decisions_by_ballot(decisions).get(f"{sha}:{page}"))
    # Why the page is not counted in the stage being counted now (wrong stage, other election…):
    # what staff tell the room when they set the sheet aside.
    refused = reading_refusal(station.count.sheets(current), reading)
    return {
        "reading": reading.model_dump(mode="json", by_alias=True),
        "stage": stage_id,
        "status": "rejected" if refused else ballot_status(count) if count else "pending",
        "refused": {"zh": refused[0], "en": refused[1]} if refused else None,
        "count": count.model_dump(mode="json") if count else None,
        "decisions": [d.model_dump(mode="json") for d in decisions],
    }


@router.get("/images/{sha}", summary="原始图像（与存储字节一致）/ the original bytes")
def original(sha: str, station: StationDep) -> Response:
    try:
        data = station.store.image_bytes(sha)
    except KeyError:
        raise HTTPException(404, {"zh": "没有这张图像", "en": "no such image"}) from None
    return Response(
        data, media_type="application/octet-stream", headers={"Content-Disposition": f'attachment; filename="{sha}"'}
    )


def _placed(station, sha: str, page: int):
    try:
        pages = load_pages(station.store.image_bytes(sha))
    except KeyError:
        raise HTTPException(404, {"zh": "没有这张图像", "en": "no such image"}) from None
    except ImageInputError as err:
        raise HTTPException(422, {"zh": err.zh, "en": err.en}) from None
    if page >= len(pages):
        raise HTTPException(404, {"zh": "没有这一页", "en": "no such page"})
    placed = annotate.place(pages[page], station.templates)
    if placed is None:
        raise HTTPException(422, {"zh": "无法定位这张选票", "en": "this page cannot be placed on a layout"})
    return placed


@router.get("/images/{sha}/{page}/view.png", summary="摆正并标出符号的选票 / upright, marks outlined")
def view(sha: str, page: int, station: StationDep, highlight: str | None = None) -> Response:
    placed = _placed(station, sha, page)
    reading = _reading(station, sha, page)
    res = reading.result
    img = annotate.upright(
        placed, getattr(res, "boxes", None), getattr(res, "write_ins", None), {highlight} if highlight else None
    )
    return Response(annotate.png(img), media_type="image/png", headers={"Cache-Control": "max-age=3600"})


@router.get("/images/{sha}/{page}/crop/{box_id}.png", summary="放大的方格 / one box, enlarged")
def crop(sha: str, page: int, box_id: str, station: StationDep) -> Response:
    placed = _placed(station, sha, page)
    try:
        img = annotate.crop(placed, box_id)
    except KeyError:
        raise HTTPException(404, {"zh": "版面上没有这个方格", "en": "no such box on the layout"}) from None
    return Response(annotate.png(img), media_type="image/png", headers={"Cache-Control": "max-age=3600"})


@router.post("/ballots/{sha}/{page}/reread", summary="用当前程序重新识别并比较 / re-read with the current code")
def reread(sha: str, page: int, station: StationDep, actor: Auditor) -> dict[str, Any]:
    old = _reading(station, sha, page)
    new = read_bytes(station.store.image_bytes(sha), old.source, station.templates, station.profile)[page]
    a = old.model_dump(mode="json", by_alias=True)["result"]
    b = new.model_dump(mode="json", by_alias=True)["result"]
    diffs = []
    if a.get("outcome") != b.get("outcome"):
        diffs.append({"what": "outcome", "stored": a.get("outcome"), "now": b.get("outcome")})
    old_boxes = {x["id"]: x["class"] for x in a.get("boxes", [])}
    for x in b.get("boxes", []):
        if old_boxes.get(x["id"]) != x["class"]:
            diffs.append({"what": x["id"], "stored": old_boxes.get(x["id"]), "now": x["class"]})
    station.log(actor, "ballot_reread", {"key": f"{sha}:{page}", "differences": len(diffs)})
    return {"same": not diffs, "differences": diffs}
