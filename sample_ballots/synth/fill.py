"""How voters fill in each kind of ballot: a plan of which mark goes in which box.

A plan is data (a test can write one by hand); `plan_ballot` draws one at random the way
voters fill ballots in, following each ballot's instructions (ballot_layout.INSTRUCTIONS):
- 选举票: per candidate ○ agree, × disagree or nothing; sometimes a write-in name with its
  own ○ under a candidate marked ×; agrees (write-ins included) at most the seats.
- 推荐票: ○ (sometimes √) beside up to N names, or on a blank line with a written name.
- 信任票: ○ in 信任 or in 不信任 per candidate, or neither.
- 民主测评: √ in one grade per person.
Blank and overfilled ballots (too many choices in a contest, two grades for one person,
trust and no-trust for one person) come at the rates of the FillMix, so the rules have
something to refuse.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from pydantic import BaseModel, ConfigDict

from sample_ballots.synth.pens import pick
from sample_ballots.synth.truth import (
    CIRCLE_KINDS,
    FillMix,
    FillPolicy,
    MarkKind,
    StrayKind,
    Strength,
    WriteKind,
)
from station.election import Stage, StageKind
from station.layout import BallotLayout, BoxKind, BoxRole, LayoutBox


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlannedMark(_Model):
    box_id: str
    kind: MarkKind
    strength: Strength = Strength.NORMAL


class PlannedWriteIn(_Model):
    box_id: str
    kind: WriteKind


class FillPlan(_Model):
    """What one voter put on one ballot. Boxes not listed stay empty."""

    policy: FillPolicy = FillPolicy.NORMAL
    marks: list[PlannedMark] = []
    write_ins: list[PlannedWriteIn] = []
    strays: list[StrayKind] = []
    overfilled_contests: list[str] = []


_M = MarkKind
CIRCLE_ODDS = ((_M.CIRCLE, 0.36), (_M.CIRCLE_GAP, 0.12), (_M.CIRCLE_OVAL, 0.10), (_M.CIRCLE_DOUBLE, 0.08),
               (_M.CIRCLE_SMALL, 0.07), (_M.CIRCLE_LARGE, 0.08), (_M.CIRCLE_WOBBLY, 0.11),
               (_M.CIRCLE_HESITANT, 0.08))
CROSS_ODDS = ((_M.CROSS, 0.6), (_M.CROSS_TAIL, 0.2), (_M.CROSS_ASYMMETRIC, 0.2))
FILL_ODDS = ((_M.FILL, 0.5), (_M.FILL_PARTIAL, 0.25), (_M.SCRIBBLE, 0.25))
AMBIGUOUS_ODDS = ((_M.CORRECTION, 0.3), (_M.CIRCLE_AND_CROSS, 0.15), (_M.HALF_CIRCLE, 0.2),
                  (_M.SINGLE_STROKE, 0.15), (_M.DOT, 0.1))
STRAY_ODDS = ((StrayKind.DOODLE, 0.25), (StrayKind.UNDERLINE_NAME, 0.2), (StrayKind.CIRCLE_NAME, 0.2),
              (StrayKind.TICK_BESIDE_NAME, 0.15), (StrayKind.INITIALS, 0.2))
GRADE_ODDS = (0.55, 0.30, 0.10, 0.05)  # 优秀 合格 基本合格 不合格


class _Voter:
    """Per-ballot habits: which mark this voter means by 'yes', and how keen they are."""

    def __init__(self, rng: np.random.Generator, yes_odds: tuple[tuple[str, float], ...]) -> None:
        self.rng = rng
        self.yes_odds = yes_odds
        self.habit = self._fresh_yes()
        self.keen = float(rng.uniform(0.5, 0.92))  # chance to agree with a candidate

    def _fresh_yes(self) -> MarkKind:
        family = pick(self.rng, self.yes_odds)
        odds = {"circle": CIRCLE_ODDS, "fill": FILL_ODDS}.get(family)  # type: ignore[call-overload]
        return pick(self.rng, odds) if odds else MarkKind.TICK  # type: ignore[return-value]

    def yes(self) -> MarkKind:
        return self.habit if self.rng.random() < 0.6 else self._fresh_yes()

    def no(self) -> MarkKind:
        return pick(self.rng, CROSS_ODDS)  # type: ignore[return-value]


YES_ELECTION = (("circle", 0.93), ("tick", 0.05), ("fill", 0.02))
YES_CHOOSE = (("circle", 0.80), ("tick", 0.15), ("fill", 0.05))
YES_GRADE = (("tick", 0.80), ("circle", 0.15), ("fill", 0.05))


def _by_contest(layout: BallotLayout) -> dict[str, list[LayoutBox]]:
    groups: dict[str, list[LayoutBox]] = defaultdict(list)
    for b in layout.boxes:
        groups[b.contest].append(b)
    return groups


def _rows(boxes: list[LayoutBox]) -> dict[str, list[LayoutBox]]:
    """Mark boxes per printed person (trust and evaluation tables), in layout order."""
    rows: dict[str, list[LayoutBox]] = defaultdict(list)
    for b in boxes:
        if b.kind is BoxKind.MARK and b.candidate:
            rows[b.candidate].append(b)
    return rows


def _row_id(row: list[LayoutBox]) -> str:
    return row[0].id.rsplit(".", 1)[0]


class _Planner:
    def __init__(self, rng: np.random.Generator, stage: Stage, layout: BallotLayout) -> None:
        self.rng = rng
        self.stage = stage
        self.layout = layout
        self.marks: dict[str, MarkKind] = {}
        self.writes: dict[str, WriteKind] = {}
        self.over: list[str] = []
        self.faint: set[str] = set()

    def election(self, overfill: str | None) -> None:
        v = _Voter(self.rng, YES_ELECTION)
        for cid, boxes in _by_contest(self.layout).items():
            seats = self.stage.contest(cid).seats
            symbols = [b for b in boxes if b.role is BoxRole.SYMBOL]
            alt = {b.candidate: b for b in boxes if b.role is BoxRole.ALT_SYMBOL and b.pair}
            choice = ["yes" if self.rng.random() < v.keen else "no" if self.rng.random() < 0.6 else ""
                      for _ in symbols]
            while choice.count("yes") > seats:  # a voter who follows the rule drops extras
                idx = [i for i, c in enumerate(choice) if c == "yes"]
                choice[int(self.rng.choice(idx))] = "no" if self.rng.random() < 0.5 else ""
            agrees = choice.count("yes")
            for box, c in zip(symbols, choice, strict=True):
                if c:
                    self.marks[box.id] = v.yes() if c == "yes" else v.no()
                alt_box = alt.get(box.candidate)
                if c != "no" or alt_box is None:
                    continue
                r = self.rng.random()
                if agrees < seats and r < 0.18:  # 另选他人 under a ×, with its own ○
                    self._write_in(alt_box, v.yes())
                    agrees += 1
                elif r > 0.97:  # a name written in, its ○ forgotten (a policy decides)
                    self.writes[alt_box.pair] = WriteKind.NAME  # type: ignore[index]
            if cid == overfill:
                self._overfill_election(v, seats, symbols, list(alt.values()), agrees)
                self.over.append(cid)

    def _write_in(self, alt_box: LayoutBox, kind: MarkKind) -> None:
        self.marks[alt_box.id] = kind
        self.writes[alt_box.pair] = WriteKind.NAME  # type: ignore[index]

    def _overfill_election(self, v: _Voter, seats: int, symbols: list[LayoutBox], alts: list[LayoutBox],
                           agrees: int) -> None:
        """More ○ than seats: ○ on more candidates, then write-ins (even under a ○: a voter's error)."""
        target = seats + int(self.rng.integers(1, 3))
        while agrees < target:
            free = [b for b in symbols if self.marks.get(b.id) not in (*CIRCLE_KINDS, MarkKind.TICK)]
            spare = [b for b in alts if b.id not in self.marks]
            if free:
                self.marks[free[int(self.rng.integers(len(free)))].id] = v.yes()
            elif spare:
                self._write_in(spare[int(self.rng.integers(len(spare)))], v.yes())
            else:
                break
            agrees += 1

    def recommendation(self, overfill: str | None) -> None:
        v = _Voter(self.rng, YES_CHOOSE)
        for cid, boxes in _by_contest(self.layout).items():
            allowed = self.stage.contest(cid).choices_allowed
            named = [b for b in boxes if b.role is BoxRole.CHOOSE]
            blank = [b for b in boxes if b.role is BoxRole.BLANK_SYMBOL]
            if cid == overfill:
                k = min(allowed + int(self.rng.integers(1, 3)), len(named) + len(blank))
                self.over.append(cid)
            else:
                k = allowed if self.rng.random() < 0.5 else int(self.rng.integers(0, allowed + 1))
            n_blank = 1 if blank and k and self.rng.random() < 0.15 else 0
            n_blank = max(n_blank, k - len(named))
            for b in self.rng.permutation(np.array(named, dtype=object))[: k - n_blank]:
                self.marks[b.id] = v.yes()
            for b in blank[:n_blank]:
                self.marks[b.id] = v.yes()
                if b.pair:
                    self.writes[b.pair] = WriteKind.NAME
            spare = [b for b in blank[n_blank:] if b.pair]
            if spare and self.rng.random() < 0.03:  # a name on a blank line without its ○
                self.writes[spare[0].pair] = WriteKind.NAME  # type: ignore[index]

    def trust(self, overfill: str | None) -> None:
        v = _Voter(self.rng, YES_CHOOSE)
        rows = [r for boxes in _by_contest(self.layout).values() for r in _rows(boxes).values()]
        both = int(self.rng.integers(len(rows))) if overfill else -1
        for i, row in enumerate(rows):
            trust = next(b for b in row if b.role is BoxRole.TRUST)
            distrust = next(b for b in row if b.role is BoxRole.DISTRUST)
            r = self.rng.random()
            if i == both:
                self.marks[trust.id], self.marks[distrust.id] = v.yes(), v.yes()
                self.over.append(_row_id(row))
            elif r < v.keen + 0.1:
                self.marks[trust.id] = v.yes()
            elif r < 0.88:  # 不信任: a ○ as asked, sometimes a ×
                self.marks[distrust.id] = v.yes() if self.rng.random() < 0.8 else v.no()

    def evaluation(self, overfill: str | None) -> None:
        v = _Voter(self.rng, YES_GRADE)
        rows = [r for boxes in _by_contest(self.layout).values() for r in _rows(boxes).values()]
        two = int(self.rng.integers(len(rows))) if overfill else -1
        for i, row in enumerate(rows):
            if self.rng.random() < 0.04 and i != two:
                continue  # abstains on this person
            p = np.array(GRADE_ODDS[: len(row)] + (0.05,) * max(0, len(row) - len(GRADE_ODDS)))
            picks = self.rng.choice(len(row), size=2 if i == two else 1, replace=False, p=p / p.sum())
            for g in picks:
                self.marks[row[int(g)].id] = v.yes()
            if i == two:
                self.over.append(_row_id(row))

    def spoil(self) -> None:
        """Make one or two marks genuinely doubtful."""
        mark_boxes = [b.id for b in self.layout.boxes if b.kind is BoxKind.MARK]
        for _ in range(int(self.rng.integers(1, 3))):
            target = str(self.rng.choice(mark_boxes))
            if target in self.marks and self.rng.random() < 0.3:
                self.faint.add(target)
            elif target in self.marks:
                self.marks[target] = pick(self.rng, AMBIGUOUS_ODDS)  # type: ignore[assignment]
            else:
                self.marks[target] = MarkKind.DOT if self.rng.random() < 0.5 else MarkKind.SINGLE_STROKE
        areas = [b.id for b in self.layout.boxes if b.kind is BoxKind.WRITE_IN]
        if areas and self.rng.random() < 0.25:
            area = str(self.rng.choice(areas))
            self.writes[area] = WriteKind.FAINT_NAME if area in self.writes else WriteKind.STRAY_STROKE


def plan_ballot(rng: np.random.Generator, stage: Stage, layout: BallotLayout, mix: FillMix) -> FillPlan:
    """A random voter's ballot of this stage and style."""
    r = rng.random()
    if r < mix.blank:
        return FillPlan(policy=FillPolicy.BLANK)
    policy = FillPolicy.OVERFILLED if r < mix.blank + mix.overfilled else FillPolicy.NORMAL
    p = _Planner(rng, stage, layout)
    contests = list(_by_contest(layout))
    overfill = str(rng.choice(contests)) if policy is FillPolicy.OVERFILLED else None
    match stage.kind:
        case StageKind.ELECTION:
            p.election(overfill)
        case StageKind.RECOMMENDATION:
            p.recommendation(overfill)
        case StageKind.TRUST:
            p.trust(overfill)
        case StageKind.EVALUATION:
            p.evaluation(overfill)
    if rng.random() < mix.ambiguous:
        p.spoil()
    light = rng.random() < mix.light_hand
    strays = [pick(rng, STRAY_ODDS) for _ in range(int(rng.integers(1, 3)))] if rng.random() < mix.stray else []
    order = {b.id: i for i, b in enumerate(layout.boxes)}

    def strength(box_id: str) -> Strength:
        return Strength.FAINT if box_id in p.faint else Strength.LIGHT if light else Strength.NORMAL

    return FillPlan(
        policy=policy,
        marks=[PlannedMark(box_id=b, kind=k, strength=strength(b)) for b, k in sorted(
            p.marks.items(), key=lambda kv: order[kv[0]])],
        write_ins=[PlannedWriteIn(box_id=b, kind=k) for b, k in sorted(p.writes.items(), key=lambda kv: order[kv[0]])],
        strays=strays,  # type: ignore[arg-type]
        overfilled_contests=p.over,
    )

