"""The next stage's definition from a stage's result (domain.md §1, §4).

  推荐 → next stage     the shortlist of each contest becomes that contest's candidates
  信任投票 → next stage  those who passed become the candidates
  选举, 倒选            losing secretary candidates join the committee ballot
                        (counting.variant = secretary_first)
  选举, 顺选            the elected committee members become the secretary candidates
                        (counting.variant = committee_first)
  a tie at the last seat → a new vote among the tied only, for the seats they tie for
  unfilled seats         → a separate election (另行选举) among those not elected
                           (or the meeting's own choice of them), for the unfilled seats only

Nothing is chained from a result that is not final, nor across a tie at a shortlist's cut:
people settle those first. The new stage is validated like any definition (stroke data
for written-in names, enough candidates for the seats).
"""

from __future__ import annotations

from pydantic import ValidationError

from station.definition_io import format_validation_error
from station.election import Candidate, Contest, Election, ElectionVariant, PostKind, Stage, StageKind
from station.errors import StationError
from station.rules.election_result import ElectionContestResult
from station.rules.recommendation import RecommendationContestResult
from station.rules.tally import StageResult, StageStatus
from station.rules.trust import TrustContestResult


class ChainingRefused(StationError):
    """A next stage cannot (yet) be made from this result."""


def _final(result: StageResult, kind: StageKind) -> None:
    if result.status is not StageStatus.FINAL:
        raise ChainingRefused(
            f"轮次“{result.stage_title}”的结果尚未确定（{result.zh}）",
            f"stage {result.stage_id} is not final: {result.en}",
        )
    if result.kind is not kind:
        raise ChainingRefused(
            f"轮次“{result.stage_title}”不是{kind.value}轮次", f"stage {result.stage_id} is {result.kind}, not {kind}"
        )


def _stage(data: dict, where: str) -> Stage:
    try:
        return Stage.model_validate(data)
    except ValidationError as err:
        raise format_validation_error(err, where) from None


def _with_candidates(target: Stage, names: dict[str, list[str]]) -> Stage:
    data = target.model_dump()
    for c in data["contests"]:
        if c["id"] in names:
            c["candidates"] = [{"name": n} for n in names[c["id"]]]
    return _stage(data, f"{target.id}（由上一轮结果生成 / chained）")


def with_stage(election: Election, stage: Stage) -> Election:
    """The election with `stage` replacing the stage of the same id, or added after the others."""
    stages = [stage if s.id == stage.id else s for s in election.stages]
    if stage.id not in {s.id for s in election.stages}:
        stages.append(stage)
    return election.model_copy(update={"stages": stages})


def from_recommendation(election: Election, result: StageResult, target_id: str) -> Stage:
    _final(result, StageKind.RECOMMENDATION)
    names: dict[str, list[str]] = {}
    for c in result.contests:
        assert isinstance(c, RecommendationContestResult) and c.outcome is not None
        if c.outcome.tie_at_cut:
            raise ChainingRefused(
                f"“{c.post}”人选名单末位票数相等：{c.outcome.tie_at_cut.zh}", f"{c.contest}: {c.outcome.tie_at_cut.en}"
            )
        names[c.contest] = c.outcome.advancing
    return _with_candidates(election.stage(target_id), names)


def from_trust(election: Election, result: StageResult, target_id: str) -> Stage:
    _final(result, StageKind.TRUST)
    names: dict[str, list[str]] = {}
    for c in result.contests:
        assert isinstance(c, TrustContestResult) and c.outcome is not None
        names[c.contest] = c.outcome.passed
    return _with_candidates(election.stage(target_id), names)


def _elections(result: StageResult) -> list[ElectionContestResult]:
    out = [c for c in result.contests if isinstance(c, ElectionContestResult)]
    assert all(c.outcome is not None for c in out)
    return out


def from_election(election: Election, result: StageResult, target_id: str) -> Stage:
    """The next post's ballot under 倒选 or 顺选 (counting.variant)."""
    _final(result, StageKind.ELECTION)
    source = election.stage(result.stage_id)
    target = election.stage(target_id)
    kinds = {c.id: c.post_kind for c in source.contests}
    variant = election.counting.variant
    names: dict[str, list[str]] = {}
    if variant is ElectionVariant.SECRETARY_FIRST:
        losers = [
            p.name for c in _elections(result) if kinds[c.contest] is PostKind.SECRETARY
            for p in c.people if p.on_ballot and c.outcome and p.name not in c.outcome.elected
        ]
        for c in target.contests:
            if c.post_kind is PostKind.MEMBER:
                have = [x.name for x in c.candidates]
                names[c.id] = have + [n for n in losers if n not in have]
    elif variant is ElectionVariant.COMMITTEE_FIRST:
        elected = [n for c in _elections(result) if kinds[c.contest] is PostKind.MEMBER
                   for n in (c.outcome.elected if c.outcome else [])]
        for c in target.contests:
            if c.post_kind is PostKind.SECRETARY:
                names[c.id] = elected
    else:
        raise ChainingRefused(
            "同选（书记、委员同一张票）没有下一轮可生成",
            "simultaneous election: there is no next post's ballot to chain",
        )
    return _with_candidates(target, names)


def _fresh_id(election: Election, base: str) -> str:
    taken = {s.id for s in election.stages}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _follow_up(election: Election, result: StageResult, suffix: str, title_zh: str,
               contests: list[Contest]) -> Stage | None:
    if not contests:
        return None
    source = election.stage(result.stage_id)
    return _stage(
        {
            "id": _fresh_id(election, f"{source.id[:24]}-{suffix}"),
            "title": f"{source.title[:40 - len(title_zh)]}{title_zh}",
            "kind": StageKind.ELECTION,
            "paper": source.paper,
            "contests": [c.model_dump() for c in contests],
        },
        f"{source.id}-{suffix}",
    )


def _contest(source: Stage, contest_id: str, seats: int, names: list[str]) -> Contest:
    c = source.contest(contest_id)
    return Contest(id=c.id, post=c.post, post_kind=c.post_kind, seats=seats,
                   candidates=[Candidate(name=n) for n in names], write_ins=False, order=c.order)


def revote_stage(election: Election, result: StageResult) -> Stage | None:
    """A new vote among those tied for the last seat(s), per contest with a tie; None if none."""
    _final(result, StageKind.ELECTION)
    source = election.stage(result.stage_id)
    contests = [_contest(source, c.contest, c.outcome.tie.places, c.outcome.tie.tied)
                for c in _elections(result) if c.outcome and c.outcome.tie]
    return _follow_up(election, result, "tie", "（重新投票）", contests)


def separate_election_stage(election: Election, result: StageResult,
                            candidates: dict[str, list[str]] | None = None) -> Stage | None:
    """另行选举 for the unfilled seats. Candidates: those the meeting chose (`candidates`, per
    contest), else everyone who may stand (not elected, by votes)."""
    _final(result, StageKind.ELECTION)
    source = election.stage(result.stage_id)
    contests = []
    for c in _elections(result):
        if c.outcome and c.outcome.unfilled:
            allowed = c.outcome.unfilled.may_stand
            chosen = (candidates or {}).get(c.contest, allowed)
            stray = [n for n in chosen if n not in allowed]
            if stray:
                raise ChainingRefused(
                    f"另行选举的候选人须在未当选的人选中：{'、'.join(stray)}",
                    f"separate election candidates must be among those not elected: {', '.join(stray)}",
                )
            contests.append(_contest(source, c.contest, c.outcome.unfilled.seats, chosen))
    return _follow_up(election, result, "extra", "（另行选举）", contests)
