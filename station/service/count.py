"""The live count of the current stage: the rules applied to what the store holds.

No count is kept in memory between calls: every state is computed from the store (latest
reading of every page, every decision in order, the attendance staff entered), so a
restart, a crash or a second screen always sees the same numbers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from pydantic import TypeAdapter

from station.election import Election
from station.errors import StationError
from station.rules.attendance import Attendance
from station.rules.ballot import StageSheets, reading_refusal
from station.rules.decisions import BallotRef, Decision
from station.rules.tally import StageResult, count_stage
from station.service.freeze import frozen_result
from station.store.store import Store
from vision.reading import PageReading

_DECISION = TypeAdapter(Decision)


@dataclass(frozen=True)
class Rejected:
    """A page that is not a ballot of this stage: shown to staff, never counted."""

    sha256: str
    page_index: int
    outcome: str
    zh: str
    en: str


@dataclass(frozen=True)
class StageStatus:
    stage_id: str
    status: str  # not_started, open, paused, closed
    present: int | None
    issued: int | None


@dataclass
class LiveState:
    stage: StageStatus
    result: StageResult | None
    problem: tuple[str, str] | None  # why there is no result (zh, en)
    rejected: list[Rejected] = field(default_factory=list)
    readings: dict[str, PageReading] = field(default_factory=dict)  # ballot key → reading, counted ones
    images: int = 0


class LiveCount:
    def __init__(self, store: Store, election: Election) -> None:
        self.store = store
        self.election = election
        self._sheets: dict[str, StageSheets] = {}
        self._lock = threading.Lock()

    def sheets(self, stage_id: str) -> StageSheets:
        with self._lock:
            if stage_id not in self._sheets:
                self._sheets[stage_id] = StageSheets.build(self.election, self.election.stage(stage_id))
            return self._sheets[stage_id]

    def current_stage(self) -> str:
        return self.store.meta("current_stage") or self.election.stages[0].id

    def stage_status(self, stage_id: str) -> StageStatus:
        s = self.store.stage_setting(stage_id)
        if s is None:
            return StageStatus(stage_id, "not_started", None, None)
        return StageStatus(stage_id, s[2], s[1], s[0])

    def readings(self) -> list[PageReading]:
        return [PageReading.model_validate_json(js) for _, _, js in self.store.latest_readings()]

    def decisions(self) -> list[Decision]:
        return [_DECISION.validate_json(d[2]) for d in self.store.decisions()]

    def state(self, stage_id: str | None = None) -> LiveState:
        stage_id = stage_id or self.current_stage()
        status = self.stage_status(stage_id)
        sheets = self.sheets(stage_id)
        counted: list[PageReading] = []
        rejected: list[Rejected] = []
        for r in self.readings():
            why = reading_refusal(sheets, r)
            if why is None:
                counted.append(r)
            else:
                rejected.append(Rejected(r.image_sha256, r.page_index, r.result.outcome, why[0], why[1]))
        keys = {BallotRef.of(r).key for r in counted}
        decisions = [d for d in self.decisions() if d.ballot.key in keys]
        state = LiveState(
            status, None, None, rejected, {BallotRef.of(r).key: r for r in counted}, images=len(self.store.images())
        )
        if status.status == "closed":
            frozen = frozen_result(self.store, stage_id)
            if frozen is not None:
                state.result = frozen
                return state
        if status.present is None or status.issued is None:
            state.problem = ("尚未录入到会人数和发出票数", "attendance and ballots issued are not entered yet")
            return state
        try:
            state.result = count_stage(
                self.election,
                stage_id,
                counted,
                Attendance(present=status.present, issued=status.issued),
                decisions,
                sheets,
            )
        except StationError as err:
            state.problem = (err.zh, err.en)
        return state
