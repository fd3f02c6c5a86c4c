"""Property: random marks → printed ballot → mild scan or photo → read. Every box is read as
what was drawn, or sent to review; never as another class (a wrong definite reading is the
one defect vision must not have). Doubtful marks (a correction, half a ○ …) may be read
as unclear, filled, or empty, never as a ○, × or √; a faint mark may be missed or sent to
review, but never read as another shape.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calibration.profile import load_profile
from sample_ballots.synth import (
    FillPlan,
    MarkKind,
    PenKind,
    PlannedMark,
    Strength,
    demo_templates,
    generate_ballot,
    pens,
)
from sample_ballots.synth.truth import MARK_TRUTH, Severity
from station.layout import BoxKind
from vision.reader import read_page
from vision.reading import SYMBOLS, MarkClass

KINDS = [k for k in MARK_TRUTH if k is not MarkKind.NONE]
STYLES = [("tuijian", "main"), ("xinren", "main"), ("xuanju", "main"), ("ceping", "dangyuan")]


@st.composite
def ballots(draw: st.DrawFn) -> dict:
    stage, style = draw(st.sampled_from(STYLES))
    layout = demo_templates().sheet(stage, style)[1].layout
    boxes = [b.id for b in layout.boxes if b.kind is BoxKind.MARK]
    chosen = draw(st.lists(st.sampled_from(boxes), min_size=0, max_size=8, unique=True))
    marks = [
        PlannedMark(
            box_id=b,
            kind=draw(st.sampled_from(KINDS)),
            strength=draw(st.sampled_from([Strength.NORMAL, Strength.NORMAL, Strength.LIGHT])),
        )
        for b in chosen
    ]
    return {
        "profile": draw(st.sampled_from(["scanner", "scanner", "camera"])),
        "seed": draw(st.integers(0, 999)),
        "stage": stage,
        "style": style,
        "plan": FillPlan(marks=marks),
        "pen": draw(st.sampled_from(list(PenKind))),
    }


@settings(max_examples=24, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(ballots())
def test_random_marks_are_read_right_or_sent_to_review(templates, case: dict) -> None:
    pen = pens.sample_pen(np.random.default_rng(case["seed"]), case["pen"])
    ballot = generate_ballot(
        case["profile"], case["seed"], stage=case["stage"], style=case["style"], plan=case["plan"], pen=pen,
        severity=Severity.MILD,
    )
    out = read_page(ballot.image, templates, load_profile(case["profile"]))
    assert out.outcome in ("interpreted", "needs_review"), out
    assert (out.identity.stage_id, out.identity.style_id) == (case["stage"], case["style"])
    got = {b.id: b.mark_class for b in out.boxes}
    for t in ballot.truth.boxes:
        g = got[t.id]
        if t.ambiguous:
            assert g not in SYMBOLS - {t.truth_class}, (t.id, t.kind.value, t.strength.value, g.value)
        else:
            assert g in (t.truth_class, MarkClass.UNCLEAR), (t.id, t.kind.value, t.strength.value, g.value)
