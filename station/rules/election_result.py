"""Who is elected in one contest (domain.md §4).

  - A person needs agree votes strictly more than half of the base (1990 第二十二条: present
    with voting rights; 2020: should attend with voting rights). Exactly half is not enough.
  - More over half than seats: by votes until the seats are filled (1990 第二十一条).
  - A tie for the last seat(s): those above the tie are elected; the tied go to a new vote
    among themselves for the remaining seats (1990 第二十一条 "再提交大会重新投票").
  - Fewer over half than seats: the rest are NOT filled by ranking those below half; the
    result names the unfilled seats and who may stand in the separate election (另行选举),
    i.e. everyone not elected, by votes (1990 第二十二条 "在未超过半数的人选中重新进行选举").
    When close to the full number the meeting may instead leave them empty (with the
    agreement of more than half of the voters): that is people's decision, not the station's.
  - A written-in person is counted like anyone else by the name scrutineers assigned.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

from station.election import Contest
from station.rules.attendance import BaseRule, needed_to_pass
from station.rules.model import ContestHead, Model
from station.rules.names import by_strokes
from station.rules.ranking import Tie, competition_ranks, ranked, tie_at, top
from station.rules.votes import Choice, ElectionVotes


class ElectionPerson(Model):
    name: str
    on_ballot: bool
    agree: int
    disagree: int | None = None  # printed candidates only: write-ins get agree votes only
    abstain: int | None = None
    agree_by_write_in: int = 0
    rank: int
    over_half: bool


class UnfilledSeats(Model):
    seats: int
    may_stand: list[str]
    zh: str
    en: str


class ElectionOutcome(Model):
    elected: list[str]  # stroke order, as announced
    tie: Tie | None = None  # a tie for the last seat(s): a new vote among the tied
    unfilled: UnfilledSeats | None = None


class ElectionContestResult(ContestHead):
    kind: Literal["election"] = "election"
    seats: int
    base: int
    base_rule: BaseRule
    needed: int
    people: list[ElectionPerson]  # printed candidates in ballot order, then write-ins in stroke order
    outcome: ElectionOutcome | None


def decide(seats: int, agree: dict[str, int], base: int) -> ElectionOutcome:
    """Pure: agree votes per person → who is elected, a tie at the last seat, unfilled seats."""
    need = needed_to_pass(base)
    people = ranked(agree)
    passing = [p for p in people if p.votes >= need]
    cut = top(passing, seats)
    tie = tie_at(cut, "名额：须在票数相等者中重新投票", "seat(s): a new vote among the tied only")
    unfilled = None
    if len(passing) < seats:
        k = seats - len(passing)
        may = [p.name for p in people if p.name not in cut.sure]
        unfilled = UnfilledSeats(
            seats=k, may_stand=may,
            zh=f"得票超过半数者少于应选名额，尚缺 {k} 名：不得按得票多少补足，可在未当选的人选中另行选举"
            "（或接近应选名额时经过半数选举人同意不再选举）",
            en=f"fewer over half than seats, {k} seat(s) unfilled: not filled by ranking; a separate election "
            "among those not elected (or, when close to the full number, left empty if more than half the "
            "voters agree)",
        )
    return ElectionOutcome(elected=by_strokes(cut.sure), tie=tie, unfilled=unfilled)


def tally_election(
    contest: Contest, votes: list[ElectionVotes], invalid: int, base: int, base_rule: BaseRule, final: bool
) -> ElectionContestResult:
    printed = [c.name for c in contest.ordered_candidates()]
    choice = {name: Counter(v.choices.get(name) for v in votes) for name in printed}
    via = Counter(name for v in votes for name in v.via_write_in)
    written = Counter(name for v in votes for name in v.write_ins)
    agree = {name: choice[name][Choice.AGREE] for name in printed} | dict(written)
    ranks = competition_ranks(ranked(agree))
    need = needed_to_pass(base)
    people = [
        ElectionPerson(
            name=name, on_ballot=True, agree=agree[name], disagree=choice[name][Choice.DISAGREE],
            abstain=choice[name][Choice.ABSTAIN], agree_by_write_in=via[name], rank=ranks[name],
            over_half=agree[name] >= need,
        )
        for name in printed
    ] + [
        ElectionPerson(
            name=name, on_ballot=False, agree=written[name], agree_by_write_in=written[name], rank=ranks[name],
            over_half=written[name] >= need,
        )
        for name in by_strokes(written)
    ]
    return ElectionContestResult(
        contest=contest.id, post=contest.post, seats=contest.seats, valid=len(votes), invalid=invalid, base=base,
        base_rule=base_rule, needed=need, people=people,
        outcome=decide(contest.seats, agree, base) if final else None,
    )
