"""Ink lands where the truth says: in marked boxes, in written-in areas, at stray marks, and
nowhere else; every mark kind with every pen stays in its box; light and faint marks are as
light as their recorded contrast."""

from __future__ import annotations

import numpy as np
import pytest
from inkcheck import ink_map, inside, mask_of, quad

from sample_ballots.synth import FillPlan, MarkKind, PenKind, PlannedMark, Strength, generate_ballot
from sample_ballots.synth.pens import sample_pen
from sample_ballots.synth.templates import demo_templates
from sample_ballots.synth.truth import FillMix
from station.layout import BoxKind

SPILL_MM = 7.0  # a cross's tail or a large circle may leave its box by this much
EVERYTHING = FillMix(blank=0.0, overfilled=0.2, ambiguous=0.5, stray=0.6)


def check_ink_where_truth_says(ballot, diff: np.ndarray) -> None:
    t = ballot.truth
    for m in t.boxes:
        rect = ballot.layout.box(m.id).rect
        ink = inside(diff, ballot, rect)
        if m.kind is MarkKind.NONE:
            # nothing in an empty box (its inside: a neighbour's JPEG block may touch the border)
            assert (inside(diff, ballot, rect, grow_mm=-1.0) > 12).sum() == 0, (t.seed, m.id)
        else:
            assert (ink > 3).sum() >= 3, (t.seed, m.id, m.kind)
    for w in t.write_ins:
        ink = inside(diff, ballot, ballot.layout.box(w.id).rect, grow_mm=-0.5)
        assert ((ink > 3).sum() >= 3) == w.has_writing, (t.seed, w.id, w.kind)
    for s in t.stray_marks:
        assert (inside(diff, ballot, s.rect, grow_mm=0.3) > 3).sum() >= 3, (t.seed, s.kind)
    # and nothing anywhere else
    allowed = [quad(ballot, ballot.layout.box(m.id).rect, SPILL_MM) for m in t.boxes if m.kind is not MarkKind.NONE]
    allowed += [quad(ballot, ballot.layout.box(w.id).rect, 2.0) for w in t.write_ins if w.has_writing]
    allowed += [quad(ballot, s.rect, 1.0) for s in t.stray_marks]
    stray_ink = (diff > 30) & ~mask_of(diff.shape, allowed)
    assert stray_ink.sum() == 0, (t.seed, np.argwhere(stray_ink)[:5])


@pytest.mark.parametrize("seed", range(10))
def test_scanned_ink_is_where_the_truth_says(seed: int) -> None:
    kwargs = dict(dpi=150, mix=EVERYTHING)  # full severity: JPEG, blur, bleed-through, streaks
    ballot = generate_ballot("scanner", 300 + seed, **kwargs)
    check_ink_where_truth_says(ballot, ink_map(ballot, **kwargs))


@pytest.mark.parametrize("seed", range(5))
def test_photographed_ink_is_where_the_truth_says(seed: int) -> None:
    kwargs = dict(mix=EVERYTHING, severity="mild")
    ballot = generate_ballot("camera", 400 + seed, **kwargs)
    check_ink_where_truth_says(ballot, ink_map(ballot, **kwargs))


def _spaced_boxes() -> list:
    """Evaluation-sheet boxes with a free row and column between them, so that the ink near one
    box is that box's own."""
    layout = demo_templates().sheet("ceping", "dangyuan")[1].layout
    return [b for b in layout.boxes if b.kind is BoxKind.MARK and b.id[8] in "135" and b.id[-1] in "13"]


@pytest.mark.parametrize("pen_kind", list(PenKind))
def test_every_mark_kind_stays_in_its_box(pen_kind: PenKind) -> None:
    """Each of the 20 kinds: most of its ink is inside its box, none in any other."""
    boxes = _spaced_boxes()
    kinds = [k for k in MarkKind if k is not MarkKind.NONE]
    pen = sample_pen(np.random.default_rng(len(pen_kind.value)), pen_kind)
    kwargs = dict(stage="ceping", style="dangyuan", severity="none", dpi=150)
    for start in range(0, len(kinds), len(boxes)):
        batch = kinds[start : start + len(boxes)]
        plan = FillPlan(marks=[PlannedMark(box_id=b.id, kind=k) for b, k in zip(boxes, batch, strict=False)])
        ballot = generate_ballot("scanner", 11 + start, plan=plan, pen=pen, **kwargs)
        diff = ink_map(ballot, **kwargs).astype(np.float64)
        check_ink_where_truth_says(ballot, diff)
        for box, kind in zip(boxes, batch, strict=False):
            near = inside(diff, ballot, box.rect, grow_mm=SPILL_MM).sum()
            own = inside(diff, ballot, box.rect, grow_mm=0.5).sum()
            share = 0.4 if kind in (MarkKind.CROSS_TAIL, MarkKind.CIRCLE_LARGE) else 0.8
            assert own >= share * near > 0, (pen_kind, kind, own / near)


@pytest.mark.parametrize("strength", [Strength.NORMAL, Strength.LIGHT, Strength.FAINT])
def test_contrast_is_what_the_truth_records(strength: Strength) -> None:
    """On ideal white paper one layer of a mark's ink darkens the paper by about its recorded
    contrast (where the line crosses itself, two layers: darker)."""
    boxes = _spaced_boxes()
    plan = FillPlan(marks=[PlannedMark(box_id=b.id, kind=MarkKind.CIRCLE, strength=strength) for b in boxes])
    kwargs = dict(stage="ceping", style="dangyuan", severity="none", dpi=300)
    for pen_kind in PenKind:
        pen = sample_pen(np.random.default_rng(1), pen_kind)
        ballot = generate_ballot("scanner", 12, plan=plan, pen=pen, **kwargs)
        diff = ink_map(ballot, **kwargs)
        for m in (t for t in ballot.truth.boxes if t.kind is not MarkKind.NONE):
            c = m.contrast
            peak = inside(diff, ballot, ballot.layout.box(m.id).rect, grow_mm=1.5).max() / 255
            assert 0.6 * c <= peak <= 1 - (1 - c) ** 2 + 0.03, (pen_kind, strength, c, peak)
            if strength is Strength.LIGHT:
                assert m.contrast >= 0.3
            if strength is Strength.FAINT:
                assert m.contrast <= 0.15 and m.ambiguous


def test_colour_scans_keep_the_colour_of_the_ink() -> None:
    """Blue ballpoint is blue in a colour scan (BGR) and dark in a grey one."""
    boxes = _spaced_boxes()
    plan = FillPlan(marks=[PlannedMark(box_id=b.id, kind=MarkKind.FILL) for b in boxes])
    pen = sample_pen(np.random.default_rng(0), PenKind.BALLPOINT).model_copy(update={"colour": "blue"})
    kwargs = dict(stage="ceping", style="dangyuan", severity="none", dpi=150)
    colour = generate_ballot("scanner", 13, plan=plan, pen=pen, colour=True, **kwargs)
    grey = generate_ballot("scanner", 13, plan=plan, pen=pen, **kwargs)
    assert colour.image.ndim == 3 and grey.image.ndim == 2 and colour.truth.image.channels == 3
    ink = ink_map(colour, colour=True, **kwargs) > 60
    b, g, r = (colour.image[:, :, c][ink].mean() for c in range(3))
    assert b > r + 40 and b > g
    assert grey.image[ink].mean() < 100
