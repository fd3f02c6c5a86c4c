"""Ranking by votes, and taking the top n without ever breaking a tie by guesswork."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from station.rules.model import Model
from station.rules.names import by_strokes, person_key


@dataclass(frozen=True)
class Ranked:
    name: str
    votes: int | Fraction  # a count, or an exact score (测评)


def ranked(votes: dict[str, int]) -> list[Ranked]:
    """Most votes first; equal votes in stroke order (for display only: never decides)."""
    return sorted((Ranked(n, v) for n, v in votes.items()), key=lambda r: (-r.votes, person_key(r.name)))


def competition_ranks(people: Sequence[Ranked]) -> dict[str, int]:
    """Rank 1 for the most votes; equal votes share a rank and the next rank skips (1, 2, 2, 4)."""
    ranks: dict[str, int] = {}
    for i, p in enumerate(people):
        ranks[p.name] = ranks[people[i - 1].name] if i and p.votes == people[i - 1].votes else i + 1
    return ranks


@dataclass(frozen=True)
class Cut:
    """The top `n` of a ranking: who is surely in, and who is tied for the remaining places."""

    sure: list[str]
    tied: list[str]  # empty unless equal votes straddle the cut
    places: int  # how many of `tied` can still get in
    votes_at_cut: int


def top(people: Sequence[Ranked], n: int) -> Cut:
    """`people` ranked (most first). When fewer than n, everyone is sure."""
    if len(people) <= n:
        return Cut([p.name for p in people], [], 0, people[-1].votes if people else 0)
    last = people[n - 1].votes
    if people[n].votes != last:
        return Cut([p.name for p in people[:n]], [], 0, last)
    sure = [p.name for p in people if p.votes > last]
    tied = [p.name for p in people if p.votes == last]
    return Cut(sure, tied, n - len(sure), last)


class Tie(Model):
    """Equal votes across a cut: `places` of them can get in; people decide which."""

    places: int
    votes: int
    tied: list[str]  # stroke order
    zh: str
    en: str


def tie_at(cut: Cut, what_zh: str, what_en: str) -> Tie | None:
    if not cut.tied:
        return None
    names = by_strokes(cut.tied)
    return Tie(
        places=cut.places, votes=cut.votes_at_cut, tied=names,
        zh=f"{'、'.join(names)} 均得 {cut.votes_at_cut} 票，争最后 {cut.places} 个{what_zh}",
        en=f"{', '.join(names)} tie at {cut.votes_at_cut} votes for the last {cut.places} {what_en}",
    )
