"""JSON shapes the pages read: built from the live state, no business logic here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from station.rules.votes import Excluded, Invalid, Pending, Valid
from station.service.reconcile import reconcile

if TYPE_CHECKING:
    from station.service.count import LiveState
    from station.service.station import Station


def state_summary(station: Station, state: LiveState) -> dict[str, Any]:
    stage = station.election.stage(state.stage.stage_id)
    r = state.result
    out: dict[str, Any] = {
        "election": {
            "id": station.election.id,
            "title": station.election.title,
            "organisation": station.election.organisation,
        },
        "stage": {
            "id": stage.id,
            "title": stage.title,
            "kind": stage.kind.value,
            "status": state.stage.status,
            "present": state.stage.present,
            "issued": state.stage.issued,
        },
        "stages": [{"id": s.id, "title": s.title, "kind": s.kind.value} for s in station.election.stages],
        "counters": {
            "issued": state.stage.issued,
            "images": state.images,
            "queue": station.pipeline.depth,
            "rejected": len(state.rejected),
            "returned": r.totals.returned if r else None,
            "valid": r.totals.valid if r else None,
            "invalid": r.totals.invalid if r else None,
            "pending": r.totals.pending if r else None,
        },
        "box": station.box.health() if station.box else None,
        "mismatches": [],
        "problem": {"zh": state.problem[0], "en": state.problem[1]} if state.problem else None,
        "result": None,
    }
    box = out["box"]
    out["counters"]["box"] = box["slot_count"] if box else None
    out["mismatches"] = [
        m.__dict__
        for m in reconcile(
            state.stage.issued, out["counters"]["box"], out["counters"]["returned"], station.pipeline.depth
        )
    ]
    if r is not None:
        out["result"] = {
            "status": r.status.value,
            "zh": r.zh,
            "en": r.en,
            "quorum": r.quorum.model_dump(mode="json") if r.quorum else None,
            "attendance": r.attendance.model_dump(mode="json"),
            "returned_check": r.returned_check.model_dump(mode="json"),
            "contests": [c.model_dump(mode="json") for c in r.contests],
            "notices": [n.model_dump(mode="json") for n in r.notices],
            "evidence_sha256": r.evidence_sha256,
        }
    return out


def ballot_status(count: Any) -> str:
    match count:
        case Valid():
            return "valid"
        case Invalid():
            return "invalid"
        case Pending():
            return "pending"
        case Excluded():
            return "excluded"
    return "unknown"
