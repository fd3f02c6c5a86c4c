"""Scrutineers: the queue of ballots awaiting a decision, and the decisions themselves."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import TypeAdapter

from station.rules.ballot import decision_refusal, reading_refusal
from station.rules.decisions import Decision
from station.rules.votes import Pending
from station.service.deps import Scrutineer, StationDep

router = APIRouter(prefix="/api", tags=["review"])
_DECISION = TypeAdapter(Decision)


@router.get("/review", summary="待监票人认定的选票，最不确定的在前 / ballots awaiting scrutineers, least sure first")
def review(station: StationDep, stage: str | None = None) -> list[dict[str, Any]]:
    state = station.count.state(stage)
    if state.result is None:
        return []
    out = []
    for b in state.result.ballots:
        if not isinstance(b, Pending):
            continue
        reading = state.readings.get(b.ballot.key)
        boxes = {x.id: x for x in getattr(reading.result, "boxes", [])} if reading else {}
        named = [boxes[i.box_id].confidence for i in b.items if i.box_id in boxes]
        out.append(
            {
                "key": b.ballot.key,
                "sha256": b.ballot.image_sha256,
                "page": b.ballot.page_index,
                "confidence": min(named) if named else 0.0,
                "items": [i.model_dump(mode="json") for i in b.items],
                "reading": reading.model_dump(mode="json", by_alias=True) if reading else None,
            }
        )
    return sorted(out, key=lambda x: (x["confidence"], x["key"]))


@router.post("/decisions", status_code=201, summary="监票人裁定 / a scrutineers' decision")
def decide(body: dict[str, Any], station: StationDep, actor: Scrutineer) -> dict[str, Any]:
    try:
        decision = _DECISION.validate_python(body)
    except ValueError as err:
        raise HTTPException(422, {"zh": "裁定内容不完整或有误", "en": f"invalid decision: {err}"}) from None
    readings = {f"{r.image_sha256}:{r.page_index}": r for r in station.count.readings()}
    reading = readings.get(decision.ballot.key)
    if reading is None:
        raise HTTPException(404, {"zh": "没有这张选票", "en": "no such ballot"})
    stage_id = station.count.current_stage()
    sheets = station.count.sheets(stage_id)
    why = reading_refusal(sheets, reading) if reading.result.outcome in ("interpreted", "needs_review") else None
    why = why or decision_refusal(sheets, reading, decision)
    if why:
        raise HTTPException(409, {"zh": why[0], "en": why[1]})
    if station.count.stage_status(stage_id).status == "closed":
        raise HTTPException(409, {"zh": "本轮已结束计票", "en": "the stage is closed"})
    js = decision.model_dump_json()
    did = station.store.add_decision(
        decision.ballot.image_sha256, decision.ballot.page_index, js, decision.by, actor.role.value, decision.why
    )
    station.log(
        type(actor)(actor.role, decision.by), "decision", {"id": did, **decision.model_dump(mode="json")}, decision.why
    )
    station.request_recount()
    return {"id": did}
