"""Ink outside the boxes, through the real pipeline: rendered ballots, imaged by the
scanner and camera simulations, read with the shipped profiles.

A ballot marked beyond the prescribed items may be void, so every such ballot must reach
the scrutineers; the same ballot without the stray ink must not."""

from __future__ import annotations

import numpy as np
import pytest

from calibration.profile import load_profile
from sample_ballots.synth.corpus import generate_ballot
from sample_ballots.synth.fill import FillPlan
from sample_ballots.synth.pens import sample_pen
from sample_ballots.synth.truth import PenKind, StrayKind
from vision.reader import read_page, to_gray
from vision.reading import QualityFlag, ReviewCode
from vision.streaks import find_streaks

# Stray marks the low-resolution check alone missed (a small tick beside a printed name, a
# thin line under it), on both kinds of image. Not here, because it is not caught: a tick
# so small, or so much of it over a printed rule, that less than 1 mm² of it shows.
CASES = [
    ("scanner", StrayKind.TICK_BESIDE_NAME, PenKind.GEL),
    ("scanner", StrayKind.UNDERLINE_NAME, PenKind.BALLPOINT),
    ("scanner", StrayKind.DOODLE, PenKind.PENCIL),
    ("camera", StrayKind.TICK_BESIDE_NAME, PenKind.BALLPOINT),
    ("camera", StrayKind.UNDERLINE_NAME, PenKind.GEL),
    ("camera", StrayKind.INITIALS, PenKind.PENCIL),
]


def _outside(out) -> bool:
    return any(r.code is ReviewCode.MARKS_OUTSIDE_BOXES for r in getattr(out, "reasons", []))


@pytest.mark.parametrize(("profile", "kind", "pen_kind"), CASES)
def test_stray_ink_reaches_people_and_its_absence_does_not(templates, profile, kind, pen_kind) -> None:
    """An underline may run through a box's margin, where the box reads it (its review
    reason is then the box's); everywhere else it is 'marks outside the boxes'."""
    prof = load_profile(profile)
    for seed in range(500, 503):
        pen = sample_pen(np.random.default_rng(seed), pen_kind)
        ballot = generate_ballot(profile, seed, stage="xuanju", style="main", plan=FillPlan(strays=[kind]), pen=pen)
        assert ballot.truth.stray_marks, "the generator found no place for the stray mark"
        out = read_page(ballot.image, templates, prof)
        assert out.outcome == "needs_review", (seed, out.outcome)
        clean = generate_ballot(profile, seed, stage="xuanju", style="main", plan=FillPlan(), pen=pen)
        assert not _outside(read_page(clean.image, templates, prof)), seed


def test_camera_frames_are_not_corrected_for_scanner_streaks(templates) -> None:
    """A photo's column levels vary with the table and the page's edges; read as streaks,
    the 'correction' drew dark lines across the page (seen on about 1 in 6 frames)."""
    seed = next(s for s in range(600, 700) if find_streaks(to_gray(generate_ballot("camera", s).image))[0].any())
    out = read_page(generate_ballot("camera", seed).image, templates, load_profile("camera"))
    assert QualityFlag.STREAKS not in out.quality


def test_a_marks_tail_is_its_box_but_an_underline_or_a_long_stroke_is_not() -> None:
    """vision.outside._running_on at 8 px/mm: a √ whose long stroke leaves its box across a
    printed rule belongs to the box; a line in the box's margin that touches nothing of the
    mark does not, nor does a stroke from the box running on across the paper (past 3 mm
    beyond the box's region)."""
    from vision.outside import RUN_ON_MAX_MM, _running_on
    from vision.templates import MARGIN_MM, print_masks

    printed = np.zeros((200, 200), np.float32)
    printed[30:32, :] = 1.0  # a printed rule above the box
    ink = np.zeros((200, 200), bool)
    for i in range(86):  # the √'s long stroke: from inside the box up across the rule
        ink[100 - i, 90 + i // 3 : 95 + i // 3] = True  # 0.6 mm wide
    ink[110:113, 100:200] = True  # a stroke from the box running on to the right
    ink[50:52, 0:40] = True  # an underline in the box's margin, clear of the mark
    masks = print_masks(printed, 0.25, 0.0)
    ink &= ~masks.core  # print hides the stroke where it crosses the rule
    box = (60, 60, 120, 120)
    got = _running_on(ink, masks, [box], (0, 0, 200, 200))
    reach = 120 + round((MARGIN_MM + RUN_ON_MAX_MM) * 8)
    assert got[15:30, 90:130].any()  # the stroke's end beyond the rule is the box's
    assert got[110:113, 120:reach].all() and not got[110:113, reach + 1 :].any()
    assert not got[50:52, 0:40].any()
