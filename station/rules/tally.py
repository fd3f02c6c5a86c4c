"""A stage's count: readings + decisions + attendance → StageResult. Pure.

The station calls `count_stage` whenever it wants the current result (after every ballot,
or when asked): same inputs, same result, whatever order the ballots arrive in.

Status, in order of precedence:
  no_quorum  an election meeting without quorum cannot vote (attendance.quorum);
  void       more ballots returned than issued (or than voters, per policy): vote again;
  pending    some ballots await scrutineers: tallies so far are shown, no outcome;
  final      every returned ballot is decided: the outcome (elected, ties, unfilled
             seats, shortlist, trust passed, scores) is given.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field

from station.election import Counting, Election, Notice, Policies, Regulation, StageKind
from station.rules.attendance import (
    Attendance,
    AttendanceReport,
    BaseRule,
    Quorum,
    ReturnedCheck,
    check_attendance,
    majority_base,
    quorum,
    returned_check,
)
from station.rules.ballot import StageSheets, count_ballot, decision_refusal, reading_refusal
from station.rules.decisions import BallotRef, Decision, decisions_by_ballot
from station.rules.election_result import ElectionContestResult, tally_election
from station.rules.errors import DecisionRefused, ReadingRefused, listed
from station.rules.evaluation import EvaluationContestResult, tally_evaluation
from station.rules.model import Model
from station.rules.recommendation import RecommendationContestResult, ratio_notices, tally_recommendation
from station.rules.trust import TrustContestResult, tally_trust
from station.rules.votes import (
    BallotCount,
    ContestInvalid,
    ElectionVotes,
    EvaluationVotes,
    Excluded,
    ExcludedWhy,
    Invalid,
    Pending,
    PendingCode,
    RecommendationVotes,
    TrustVotes,
    Valid,
)
from vision.reading import PageReading

RESULT_FORMAT = 1

ContestResult = Annotated[
    ElectionContestResult | RecommendationContestResult | TrustContestResult | EvaluationContestResult,
    Field(discriminator="kind"),
]


class StageStatus(StrEnum):
    FINAL = "final"
    PENDING = "pending"
    NO_QUORUM = "no_quorum"
    VOID = "void"


class Totals(Model):
    pages: int
    blank_pages: int
    excluded: int
    returned: int  # valid + invalid + pending
    valid: int
    invalid: int
    pending: int
    invalid_by_reason: dict[str, int]


class StageResult(Model):
    format: int = RESULT_FORMAT
    election_id: str
    election_title: str
    organisation: str
    meeting_date: dt.date
    stage_id: str
    stage_title: str
    kind: StageKind
    regulation: Regulation
    policies: Policies
    counting: Counting
    attendance: AttendanceReport
    quorum: Quorum | None
    returned_check: ReturnedCheck
    status: StageStatus
    zh: str
    en: str
    totals: Totals
    contests: list[ContestResult]
    ballots: list[BallotCount]  # every page, in ballot-key order: the audit trail of the count
    notices: list[Notice]
    evidence_sha256: str = Field(description="SHA-256 of the readings (sorted) and decisions (in order).")
    definition_sha256: str

    @property
    def pending(self) -> list[Pending]:
        return [b for b in self.ballots if isinstance(b, Pending)]


def canonical(model: BaseModel) -> str:
    return json.dumps(model.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def evidence_fingerprint(readings: Sequence[PageReading], decisions: Sequence[Decision]) -> str:
    """The same readings in any order, with the same decision record, give the same hash.
    Each reading names its image by SHA-256, so the hash covers the images too."""
    doc = {"readings": sorted(canonical(r) for r in readings), "decisions": [canonical(d) for d in decisions]}
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def definition_fingerprint(election: Election) -> str:
    return hashlib.sha256(canonical(election).encode()).hexdigest()


def _refuse_readings(sheets: StageSheets, readings: Sequence[PageReading]) -> None:
    bad: list[tuple[str, str]] = []
    seen: set[str] = set()
    for r in readings:
        key = BallotRef.of(r).key
        if key in seen:
            bad.append((f"{r.source}：同一图像重复出现", f"{r.source}: the same image appears twice"))
        seen.add(key)
        why = reading_refusal(sheets, r)
        if why:
            bad.append((f"{r.source}：{why[0]}", f"{r.source}: {why[1]}"))
    if bad:
        raise ReadingRefused(
            f"有 {len(bad)} 份读数不能计入本轮：" + "；".join(zh for zh, _ in bad[:8]) + ("……" if len(bad) > 8 else ""),
            f"{len(bad)} reading(s) cannot be counted in this stage: " + listed([en for _, en in bad]),
        )


def _refuse_decisions(sheets: StageSheets, readings: Sequence[PageReading], decisions: Sequence[Decision]) -> None:
    by_key = {BallotRef.of(r).key: r for r in readings}
    bad = [why for d in decisions if (why := decision_refusal(sheets, by_key.get(d.ballot.key), d))]
    if bad:
        raise DecisionRefused(
            f"有 {len(bad)} 条裁定无法适用：" + "；".join(zh for zh, _ in bad[:8]),
            f"{len(bad)} decision(s) do not apply: " + listed([en for _, en in bad]),
        )


def count_ballots(sheets: StageSheets, readings: Sequence[PageReading],
                  decisions: Sequence[Decision] = ()) -> list[BallotCount]:
    """Every page's count, in ballot-key order (so the result never depends on arrival order)."""
    _refuse_readings(sheets, readings)
    _refuse_decisions(sheets, readings, decisions)
    decided = decisions_by_ballot(list(decisions))
    ordered = sorted(readings, key=lambda r: BallotRef.of(r).key)
    return [count_ballot(sheets, r, decided.get(BallotRef.of(r).key)) for r in ordered]


def _totals(ballots: list[BallotCount]) -> Totals:
    invalid = [b for b in ballots if isinstance(b, Invalid)]
    reasons: dict[str, int] = {}
    for b in invalid:
        reasons[b.reason.value] = reasons.get(b.reason.value, 0) + 1
    blank = sum(isinstance(b, Excluded) and b.why is ExcludedWhy.BLANK_PAGE for b in ballots)
    excluded = sum(isinstance(b, Excluded) for b in ballots)
    valid = sum(isinstance(b, Valid) for b in ballots)
    pending = sum(isinstance(b, Pending) for b in ballots)
    return Totals(
        pages=len(ballots), blank_pages=blank, excluded=excluded - blank, returned=valid + len(invalid) + pending,
        valid=valid, invalid=len(invalid), pending=pending, invalid_by_reason=dict(sorted(reasons.items())),
    )


def _contest_results(sheets: StageSheets, ballots: list[BallotCount], base: int, base_rule: BaseRule, final: bool,
                     present: int) -> list[ContestResult]:
    stage, election = sheets.stage, sheets.election
    whole_invalid = sum(isinstance(b, Invalid) for b in ballots)
    out: list[ContestResult] = []
    for c in stage.contests:
        parts = [p for b in ballots if isinstance(b, Valid) for p in b.contests if p.contest == c.id]
        invalid = whole_invalid + sum(isinstance(p, ContestInvalid) for p in parts)
        match stage.kind:
            case StageKind.ELECTION:
                votes = [p for p in parts if isinstance(p, ElectionVotes)]
                out.append(tally_election(c, votes, invalid, base, base_rule, final))
            case StageKind.RECOMMENDATION:
                recs = [p for p in parts if isinstance(p, RecommendationVotes)]
                out.append(tally_recommendation(c, recs, invalid, final))
            case StageKind.TRUST:
                trusts = [p for p in parts if isinstance(p, TrustVotes)]
                out.append(tally_trust(c, trusts, invalid, present, election.counting.trust_pass_share, final))
            case StageKind.EVALUATION:
                grades = [p for p in parts if isinstance(p, EvaluationVotes)]
                out.append(tally_evaluation(stage, c, grades, invalid, final))
    return out


STATUS_TEXT: dict[StageStatus, tuple[str, str]] = {
    StageStatus.FINAL: ("计票完成，全部选票已认定", "count complete: every ballot is decided"),
    StageStatus.PENDING: ("尚有选票待监票人认定，结果未定", "ballots await the scrutineers: no result yet"),
    StageStatus.NO_QUORUM: ("到会人数不足，不能进行选举", "no quorum: the vote cannot be held"),
    StageStatus.VOID: ("收回选票多于发出选票，选举无效，应重新投票", "more ballots returned than allowed: "
                       "the vote is void and must be held again"),
}


def count_stage(election: Election, stage_id: str, readings: Sequence[PageReading], attendance: Attendance,
                decisions: Sequence[Decision] = (), sheets: StageSheets | None = None) -> StageResult:
    """The whole stage. Raises ReadingRefused / DecisionRefused / InconsistentCounts (bilingual)
    for input that cannot be counted; everything else is in the result."""
    stage = election.stage(stage_id)
    sheets = sheets or StageSheets.build(election, stage)
    report, notices = check_attendance(election, stage, attendance)
    ballots = count_ballots(sheets, readings, decisions)
    totals = _totals(ballots)

    q = None
    base, base_rule = majority_base(election.regulation, report.should_attend or 0, attendance.present)
    if report.should_attend is not None:
        q = quorum(election.regulation, report.should_attend, attendance.present)
    returned = returned_check(election.policies.returned_compared_to, attendance, totals.returned)
    unidentified = sum(
        isinstance(b, Pending) and any(i.code is PendingCode.UNIDENTIFIED_PAGE for i in b.items) for b in ballots
    )
    if q is not None and not q.met:
        status = StageStatus.NO_QUORUM
    elif totals.returned - unidentified > returned.limit:
        status = StageStatus.VOID
    elif totals.pending:
        status = StageStatus.PENDING
        if not returned.valid:
            notices.append(Notice(
                where=stage.id,
                zh="收回选票可能多于发出选票：请先认定无法识别的页面",
                en="possibly more ballots returned than allowed: decide the unidentified pages first",
            ))
    else:
        status = StageStatus.FINAL
    for c in stage.contests:
        if stage.kind is StageKind.RECOMMENDATION:
            notices.extend(ratio_notices(stage.id, c))
    zh, en = STATUS_TEXT[status]
    return StageResult(
        election_id=election.id, election_title=election.title, organisation=election.organisation,
        meeting_date=election.meeting_date, stage_id=stage.id, stage_title=stage.title, kind=stage.kind,
        regulation=election.regulation, policies=election.policies, counting=election.counting,
        attendance=report, quorum=q, returned_check=returned, status=status, zh=zh, en=en, totals=totals,
        contests=_contest_results(sheets, ballots, base, base_rule, status is StageStatus.FINAL, attendance.present),
        ballots=ballots, notices=notices, evidence_sha256=evidence_fingerprint(readings, decisions),
        definition_sha256=definition_fingerprint(election),
    )
