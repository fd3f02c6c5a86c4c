"""信任投票: attendees without voting rights trust or not each candidate (domain.md §1).

A candidate passes with trust votes strictly more than counting.trust_pass_share (default
1/2) of the attendees of the trust vote (the seed documents: "超过到会人数的半数"). A
ballot marking more people as trusted than there are seats is invalid (the trust vote is
等额: each attendee trusts as many names as there are seats).
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Literal

from station.election import Contest
from station.rules.model import ContestHead, Model
from station.rules.votes import TrustChoice, TrustVotes


class TrustPerson(Model):
    name: str
    trust: int
    distrust: int
    abstain: int
    spoiled: int
    passed: bool


class TrustOutcome(Model):
    passed: list[str]  # ballot order
    failed: list[str]


class TrustContestResult(ContestHead):
    kind: Literal["trust"] = "trust"
    seats: int
    base: int
    share: str
    needed: int
    people: list[TrustPerson]
    outcome: TrustOutcome | None


def trust_needed(base: int, share: Fraction) -> int:
    """The fewest trust votes strictly more than share × base."""
    return base * share.numerator // share.denominator + 1


def tally_trust(contest: Contest, votes: list[TrustVotes], invalid: int, base: int, share: Fraction,
                final: bool) -> TrustContestResult:
    need = trust_needed(base, share)
    people = []
    for cand in contest.ordered_candidates():
        n = Counter(v.choices.get(cand.name) for v in votes)
        people.append(
            TrustPerson(
                name=cand.name, trust=n[TrustChoice.TRUST], distrust=n[TrustChoice.DISTRUST],
                abstain=n[TrustChoice.ABSTAIN], spoiled=n[TrustChoice.SPOILED], passed=n[TrustChoice.TRUST] >= need,
            )
        )
    outcome = None
    if final:
        outcome = TrustOutcome(
            passed=[p.name for p in people if p.passed], failed=[p.name for p in people if not p.passed]
        )
    return TrustContestResult(
        contest=contest.id, post=contest.post, seats=contest.seats, valid=len(votes), invalid=invalid, base=base,
        share=str(share), needed=need, people=people, outcome=outcome,
    )
