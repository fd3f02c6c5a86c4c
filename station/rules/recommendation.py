"""推荐: rank the names recommended → the next stage's candidate list (domain.md §1, §4).

The list is seats × the contest's shortlist ratio, rounded up (committee members 120 %–150 %,
at least +20 %: 5 seats × 1.2 = 6; secretaries 1:3 then 1:2). Only people with at least one
recommendation can go forward. Equal votes across the cut are never broken by the
station: the result names those tied and how many places they share, for people to decide
(usually a further vote).
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Literal

from station.election import Contest, Notice, PostKind
from station.rules.model import ContestHead, Model
from station.rules.names import by_strokes
from station.rules.ranking import Tie, competition_ranks, ranked, tie_at, top
from station.rules.votes import RecommendationVotes

MEMBER_RATIO = (Fraction(6, 5), Fraction(3, 2))


class RecommendationPerson(Model):
    name: str
    on_ballot: bool
    votes: int
    rank: int


class Shortlist(Model):
    size: int
    ratio: str
    advancing: list[str]  # by votes, most first
    tie_at_cut: Tie | None = None
    short_by: int = 0  # fewer people with votes than the list needs


class RecommendationContestResult(ContestHead):
    kind: Literal["recommendation"] = "recommendation"
    seats: int
    max_choices: int
    people: list[RecommendationPerson]
    outcome: Shortlist | None


def shortlist(size: int, ratio: Fraction, votes: dict[str, int]) -> Shortlist:
    people = [p for p in ranked(votes) if p.votes > 0]
    cut = top(people, size)
    tie = tie_at(cut, "人选名额：须由会议另行确定", "place(s): for people to settle")
    return Shortlist(
        size=size, ratio=str(ratio), advancing=cut.sure, tie_at_cut=tie, short_by=max(0, size - len(people))
    )


def ratio_notices(stage_id: str, contest: Contest) -> list[Notice]:
    ratio = contest.shortlist_factor
    if contest.post_kind is PostKind.MEMBER and not MEMBER_RATIO[0] <= ratio <= MEMBER_RATIO[1]:
        return [
            Notice(
                where=f"{stage_id}/{contest.id}",
                zh=f"委员初步人选倍数 {ratio} 不在 120%–150% 之间",
                en=f"committee shortlist ratio {ratio} is outside 120 %–150 %",
            )
        ]
    return []


def tally_recommendation(
    contest: Contest, votes: list[RecommendationVotes], invalid: int, final: bool
) -> RecommendationContestResult:
    printed = [c.name for c in contest.ordered_candidates()]
    chosen = Counter(name for v in votes for name in v.chosen)
    written = Counter(name for v in votes for name in v.written)
    counts = {name: chosen[name] for name in printed} | dict(written)
    ranks = competition_ranks(ranked(counts))
    people = [RecommendationPerson(name=n, on_ballot=True, votes=counts[n], rank=ranks[n]) for n in printed] + [
        RecommendationPerson(name=n, on_ballot=False, votes=counts[n], rank=ranks[n]) for n in by_strokes(written)
    ]
    return RecommendationContestResult(
        contest=contest.id, post=contest.post, seats=contest.seats, max_choices=contest.choices_allowed,
        valid=len(votes), invalid=invalid, people=people,
        outcome=shortlist(contest.shortlist_size, contest.shortlist_factor, counts) if final else None,
    )
