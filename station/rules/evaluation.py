"""民主测评: grades → a score per person (domain.md §1).

Each grade has a weight (default 优秀 1, 合格 0.8, 基本合格 0.6, 不合格 0.5; stage.grades).
A group's score for a person is 100 × Σ weight × count / the number of ballots that graded
the person (abstentions and spoiled ratings are left out of both). Groups are weighted
(stage.groups, e.g. 40/20/20/10/10, summing to 1); the total is Σ group weight × group score.
A group that rated nobody leaves the total undefined rather than silently re-weighted.
Arithmetic is exact (fractions); scores are shown to two decimals, rounded half up.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from station.election import Contest, Stage, VoterGroup
from station.rules.model import ContestHead, Model
from station.rules.names import person_key
from station.rules.ranking import Ranked, competition_ranks
from station.rules.votes import EvaluationVotes

ALL_EVALUATORS = VoterGroup(id="main", name="全体评议人", weight=1.0)


class GroupRating(Model):
    group: str
    group_name: str
    weight: str
    counts: dict[str, int]  # grade name → ballots
    abstain: int
    spoiled: int
    score: str | None  # 0–100, two decimals


class EvaluationPerson(Model):
    name: str
    groups: list[GroupRating]
    score: str | None
    score_exact: str | None  # the exact fraction the shown score is rounded from
    rank: int | None


class EvaluationOutcome(Model):
    ranking: list[str]  # by score, highest first; people without a score are left out


class EvaluationContestResult(ContestHead):
    kind: Literal["evaluation"] = "evaluation"
    people: list[EvaluationPerson]
    outcome: EvaluationOutcome | None


def exact(x: float) -> Fraction:
    """The decimal a person wrote (0.8), not its binary approximation."""
    return Fraction(str(x))


def shown(score: Fraction | None) -> str | None:
    if score is None:
        return None
    d = Decimal(score.numerator) / Decimal(score.denominator)
    return str(d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def group_score(counts: dict[str, int], weights: dict[str, Fraction]) -> Fraction | None:
    rated = sum(counts.values())
    if rated == 0:
        return None
    return 100 * sum((weights[g] * n for g, n in counts.items()), Fraction(0)) / rated


def total_score(parts: list[tuple[Fraction, Fraction | None]]) -> Fraction | None:
    if any(score is None for _, score in parts):
        return None
    return sum((w * s for w, s in parts if s is not None), Fraction(0))


def tally_evaluation(stage: Stage, contest: Contest, votes: list[EvaluationVotes], invalid: int,
                     final: bool) -> EvaluationContestResult:
    groups = stage.groups or [ALL_EVALUATORS]
    weights = {g.name: exact(g.weight) for g in stage.grades}
    people: list[EvaluationPerson] = []
    scores: dict[str, Fraction] = {}
    for cand in contest.ordered_candidates():
        ratings: list[GroupRating] = []
        parts: list[tuple[Fraction, Fraction | None]] = []
        for grp in groups:
            mine = [v for v in votes if v.group == grp.id]  # without groups: the one style "main"
            given = Counter(v.grades.get(cand.name) for v in mine)
            counts = {g.name: given[g.name] for g in stage.grades}
            spoiled = sum(cand.name in v.spoiled for v in mine)
            score = group_score(counts, weights)
            parts.append((exact(grp.weight), score))
            ratings.append(
                GroupRating(
                    group=grp.id, group_name=grp.name, weight=str(exact(grp.weight)), counts=counts,
                    abstain=given[None] - spoiled, spoiled=spoiled, score=shown(score),
                )
            )
        total = total_score(parts)
        if total is not None:
            scores[cand.name] = total
        people.append(
            EvaluationPerson(
                name=cand.name, groups=ratings, score=shown(total),
                score_exact=None if total is None else str(total), rank=None,
            )
        )
    # Ranks compare exact scores: two people equal to two decimals but not exactly are not tied.
    order = [Ranked(n, scores[n]) for n in sorted(scores, key=lambda n: (-scores[n], person_key(n)))]
    ranks = competition_ranks(order)
    people = [p.model_copy(update={"rank": ranks.get(p.name)}) for p in people]
    return EvaluationContestResult(
        contest=contest.id, post=contest.post, valid=len(votes), invalid=invalid, people=people,
        outcome=EvaluationOutcome(ranking=[r.name for r in order]) if final else None,
    )
