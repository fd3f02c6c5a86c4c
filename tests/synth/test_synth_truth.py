"""The truth is complete and consistent: every box has one, doubtful marks are flagged, the
fill policy holds (blank, within the limits, or overfilled as stated)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from sample_ballots.synth import (
    BallotTruth,
    FillMix,
    FillPolicy,
    MarkKind,
    Strength,
    WriteKind,
    demo_templates,
    generate_ballot,
    plan_ballot,
)
from sample_ballots.synth.truth import AMBIGUOUS_KINDS, MARK_TRUTH, WRITE_TRUTH
from station.election import StageKind
from station.layout import BallotLayout, BoxKind, BoxRole
from vision.reading import MarkClass

YES = {MarkClass.CIRCLE, MarkClass.TICK, MarkClass.FILLED}
SEEDS = range(40)


@pytest.fixture(scope="module")
def ballots() -> list:
    # every stage, all kinds of ballots: doubtful marks and stray ink on a third of them
    mix = FillMix(blank=0.08, overfilled=0.15, ambiguous=0.35, stray=0.35)
    return [generate_ballot("scanner", s, severity="none", dpi=100, mix=mix) for s in SEEDS]


def test_every_kind_has_a_truth() -> None:
    assert set(MARK_TRUTH) == set(MarkKind)
    assert set(WRITE_TRUTH) == set(WriteKind)


def test_every_box_of_the_layout_has_exactly_one_truth(ballots: list) -> None:
    for b in ballots:
        marks = [x.id for x in b.layout.boxes if x.kind is BoxKind.MARK]
        areas = [x.id for x in b.layout.boxes if x.kind is BoxKind.WRITE_IN]
        assert [t.id for t in b.truth.boxes] == marks
        assert [t.id for t in b.truth.write_ins] == areas
        assert b.truth.layout_hash == b.layout.layout_hash


def test_doubtful_marks_are_ambiguous_and_nothing_else_is(ballots: list) -> None:
    seen = Counter()
    for b in ballots:
        for t in b.truth.boxes:
            doubtful = t.kind in AMBIGUOUS_KINDS or t.strength is Strength.FAINT
            assert t.ambiguous == doubtful, t
            assert t.truth_class == MARK_TRUTH[t.kind][0]
            assert (t.contrast > 0) == (t.kind is not MarkKind.NONE)
            seen[t.ambiguous] += 1
        for w in b.truth.write_ins:
            assert (w.has_writing, w.ambiguous) == WRITE_TRUTH[w.kind]
        assert b.truth.review_expected == (b.truth.has_stray_marks or any(t.ambiguous for t in b.truth.boxes)
                                           or any(w.ambiguous for w in b.truth.write_ins))
    assert seen[True] > 5 and seen[False] > 500


def _limits(truth: BallotTruth, layout: BallotLayout, doubtful: bool) -> dict[str, tuple[int, int]]:
    """Per contest (or per person on trust and evaluation ballots): (marks counted, allowed).
    `doubtful`: count ambiguous marks too (a voter who overfills may also blur a mark)."""
    stage = next(s for s in demo_templates().election.stages if s.id == truth.stage_id)
    by_id = {t.id: t for t in truth.boxes}
    out: dict[str, tuple[int, int]] = {}
    for box in layout.boxes:
        t = by_id.get(box.id)
        if t is None or t.kind is MarkKind.NONE or (t.ambiguous and not doubtful):
            continue
        if stage.kind in (StageKind.ELECTION, StageKind.RECOMMENDATION):
            key, allowed = box.contest, stage.contest(box.contest).choices_allowed
            counted = t.truth_class in YES or t.ambiguous
        else:
            key, allowed, counted = box.id.rsplit(".", 1)[0], 1, True
        n, _ = out.get(key, (0, allowed))
        out[key] = (n + counted, allowed)
    return out


def test_fill_policies_hold(ballots: list) -> None:
    policies = Counter()
    for b in ballots:
        t = b.truth
        policies[t.policy] += 1
        limits = _limits(t, b.layout, doubtful=t.policy is FillPolicy.OVERFILLED)
        if t.policy is FillPolicy.BLANK:
            assert all(x.kind is MarkKind.NONE for x in t.boxes) and not any(w.has_writing for w in t.write_ins)
            assert not t.stray_marks
        elif t.policy is FillPolicy.NORMAL:
            assert not t.overfilled_contests
            assert all(n <= allowed for n, allowed in limits.values()), limits
        else:
            assert t.overfilled_contests
            for key in t.overfilled_contests:
                n, allowed = limits[key]
                assert n > allowed, (t.seed, key, limits)
    assert set(policies) == set(FillPolicy)


def test_write_ins_come_with_their_symbol_box(ballots: list) -> None:
    """An election write-in is mostly under a ×, with its own ○ (the rule the count applies)."""
    with_circle = without = 0
    for b in ballots:
        by_id = {t.id: t for t in b.truth.boxes}
        for w in b.truth.write_ins:
            box = b.layout.box(w.id)
            if w.kind is not WriteKind.NAME or box.role is not BoxRole.ALT_NAME:
                continue
            symbol = by_id[box.pair]  # type: ignore[index]
            if symbol.truth_class in YES:
                with_circle += 1
            else:
                without += 1
    assert with_circle > without


def test_truth_survives_json() -> None:
    b = generate_ballot("camera", 3, severity="mild")
    again = BallotTruth.model_validate_json(b.truth.model_dump_json())
    assert again == b.truth


def test_clean_mix_has_nothing_doubtful() -> None:
    for s in range(15):
        t = generate_ballot("scanner", 500 + s, severity="none", dpi=100, mix=FillMix.clean()).truth
        assert not t.review_expected


def test_plans_cover_every_mark_kind_on_every_ballot_kind() -> None:
    """Over many voters, each stage's ballots see blank, normal and overfilled ballots, and the
    marks of the whole corpus span every MarkKind."""
    rng = np.random.default_rng(0)
    templates = demo_templates()
    kinds: Counter = Counter()
    mix = FillMix(ambiguous=0.5, blank=0.1, overfilled=0.2)
    for stage_id, style_id in templates.styles:
        stage, sheet = templates.sheet(stage_id, style_id)
        policies = Counter()
        for _ in range(150):
            plan = plan_ballot(rng, stage, sheet.layout, mix)
            policies[plan.policy] += 1
            kinds.update(m.kind for m in plan.marks)
        assert set(policies) == set(FillPolicy), (stage_id, policies)
    assert set(kinds) == set(MarkKind) - {MarkKind.NONE}
