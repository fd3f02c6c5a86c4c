"""The shape model's second opinion (vision.shape_model): what it may overrule, and that the
shipped model really sees marks (real rendered ballots through the real reader)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from calibration.profile import SecondOpinion, load_profile
from sample_ballots.synth import generate_ballot
from station.errors import StationError
from vision.mark_rules import MarkRule
from vision.marks import Verdict, encircles_box
from vision.reader import mark_evidence, read_page
from vision.reading import MarkClass
from vision.shape_model import ShapeLabel, load_shape_model, may_overrule, second_opinion, shipped_model

RULES = SecondOpinion(veto_max=0.02, veto_blob_max=0.0, decide_min=0.99, decide_rules=(MarkRule.NO_SHAPE,))


def _p(**shares: float) -> np.ndarray:
    p = np.zeros(len(ShapeLabel))
    for name, v in shares.items():
        p[ShapeLabel[name.upper()]] = v
    return p


def test_a_definite_class_the_model_finds_unlikely_goes_to_people() -> None:
    rules = Verdict(MarkClass.CIRCLE, 1.0, False, "ring", MarkRule.SHAPE)
    v = second_opinion(rules, _p(filled=0.985, circle=0.015), RULES)
    assert v.mark_class is MarkClass.UNCLEAR and v.marginal and v.rule is MarkRule.VETO
    assert "circle by the shape rules, filled by the shape model" in v.why
    # The model merely less sure than the rules: the rules stand.
    assert second_opinion(rules, _p(filled=0.7, circle=0.3), RULES) == rules
    # A vote the model takes for a blob (filled its likeliest class) and gives at most
    # veto_blob_max: people (a scribbled-over mark read as √, scan 83,001,124).
    blob = SecondOpinion(veto_max=0.02, veto_blob_max=0.35)
    tick = Verdict(MarkClass.TICK, 0.5, False, "two strokes meeting at a corner", MarkRule.SHAPE)
    assert second_opinion(tick, _p(filled=0.55, tick=0.25, doubtful=0.2), blob).rule is MarkRule.VETO
    assert second_opinion(tick, _p(doubtful=0.7, tick=0.3), blob) == tick  # no blob: the rules stand
    assert second_opinion(tick, _p(filled=0.6, tick=0.4), blob) == tick  # the vote likely enough
    filled = Verdict(MarkClass.FILLED, 0.9, False, "box filled", MarkRule.FILLED)
    assert second_opinion(filled, _p(filled=0.3, doubtful=0.7), blob) == filled  # only votes
    # The model is consulted for the blob veto even in a profile without the plain veto.
    no_plain = SecondOpinion(veto_max=0.0, veto_blob_max=0.35)
    assert may_overrule(tick, no_plain) and not may_overrule(filled, no_plain)


def test_the_model_decides_only_unknown_shapes_and_only_when_sure() -> None:
    why = "no known shape (ends 3, forks 0, holes 0, loops 0)"
    unknown = Verdict(MarkClass.UNCLEAR, 0.0, True, why, MarkRule.NO_SHAPE)
    v = second_opinion(unknown, _p(tick=0.995, cross=0.005), RULES)
    assert (v.mark_class, v.rule, v.marginal) == (MarkClass.TICK, MarkRule.MODEL, False)
    assert v.confidence == pytest.approx(0.995)
    assert second_opinion(unknown, _p(tick=0.98, cross=0.02), RULES) == unknown  # not sure enough
    assert second_opinion(unknown, _p(doubtful=0.999), RULES) == unknown  # doubtful: people decide
    # Unclear for reasons the profile does not list stays with people; a correction (dense
    # ink), a light mark (faint ink) or two shapes at once, even when a profile lists them.
    for rule in (MarkRule.DENSE, MarkRule.FAINT, MarkRule.TINY, MarkRule.BESIDE, MarkRule.SMALL, MarkRule.CONFLICT):
        other = Verdict(MarkClass.UNCLEAR, 0.0, True, "…", rule)
        assert second_opinion(other, _p(cross=1.0), RULES) == other
    every = SecondOpinion(decide_min=0.99, decide_rules=(MarkRule.DENSE, MarkRule.TINY))
    for rule in (MarkRule.FAINT, MarkRule.CONFLICT):
        other = Verdict(MarkClass.UNCLEAR, 0.0, True, "…", rule)
        assert second_opinion(other, _p(cross=1.0), every) == other
    # Dense ink may be called filled (the count sends a filled box to people), or a fat
    # marker's × or ○; never √ (no √ is dense).
    dense = Verdict(MarkClass.UNCLEAR, 0.0, True, "dense ink (45% of the box): a correction?", MarkRule.DENSE)
    assert second_opinion(dense, _p(filled=1.0), every).mark_class is MarkClass.FILLED
    assert second_opinion(dense, _p(circle=1.0), every).mark_class is MarkClass.CIRCLE
    assert second_opinion(dense, _p(cross=1.0), every).mark_class is MarkClass.CROSS
    assert second_opinion(dense, _p(tick=1.0), every) == dense
    # A vote needs the members sure on average too, not only the least sure one above decide_min.
    split = np.stack([_p(cross=0.995, doubtful=0.005)] * 4 + [_p(cross=0.9, doubtful=0.1)])
    assert second_opinion(dense, split, every.model_copy(update={"decide_min": 0.9})).mark_class is MarkClass.CROSS
    strict = every.model_copy(update={"decide_min": 0.9, "decide_mean_vote": 0.99})
    assert second_opinion(dense, split, strict) == dense
    assert second_opinion(dense, np.stack([_p(filled=0.98, doubtful=0.02)] * 5), strict).mark_class is MarkClass.FILLED
    # Paper enclosed in the middle (a fat marker ○): never a fill, whatever the model says.
    assert second_opinion(dense, _p(filled=1.0), every, holed=True) == dense
    tiny = Verdict(MarkClass.UNCLEAR, 0.0, True, "faint or tiny ink (1.5 mm²)", MarkRule.TINY)
    assert second_opinion(tiny, _p(empty=1.0), every).mark_class is MarkClass.EMPTY
    # A speck may be called empty, never a vote: it may be the start of a light mark.
    assert second_opinion(tiny, _p(tick=1.0), every) == tiny
    # Ink beside a box, hardly in it: empty, or people (every class needs ink in the box).
    beside = Verdict(MarkClass.UNCLEAR, 0.0, True, "ink beside the box, hardly in it", MarkRule.BESIDE)
    near = SecondOpinion(decide_min=0.99, decide_rules=(MarkRule.BESIDE,))
    assert second_opinion(beside, _p(circle=1.0), near) == beside
    assert second_opinion(beside, _p(empty=1.0), near).mark_class is MarkClass.EMPTY
    # …unless the ink goes all the way round the box: a ○ drawn around it (never × or √).
    assert second_opinion(beside, _p(circle=1.0), near, around_box=True).mark_class is MarkClass.CIRCLE
    assert second_opinion(beside, _p(cross=1.0), near, around_box=True) == beside
    assert second_opinion(tiny, _p(circle=1.0), every, around_box=True) == tiny
    # Ink too light to be sure it is a mark at all: never settled as one (empty it may be).
    light = SecondOpinion(decide_min=0.99, decide_rules=(MarkRule.NO_SHAPE, MarkRule.TINY), decide_min_darkness=0.18)
    assert second_opinion(unknown, _p(tick=1.0), light, ink_darkness=0.12) == unknown
    assert second_opinion(unknown, _p(tick=1.0), light, ink_darkness=0.30).mark_class is MarkClass.TICK
    assert second_opinion(tiny, _p(empty=1.0), light, ink_darkness=0.05).mark_class is MarkClass.EMPTY
    # Every member must be sure: one doubting member keeps the box with people.
    members = np.stack([_p(tick=1.0)] * 4 + [_p(tick=0.6, cross=0.4)])
    assert second_opinion(unknown, members, RULES) == unknown
    # decide_min 1.0 turns deciding off, and the model is then not consulted for unclear marks.
    off = SecondOpinion(decide_min=1.0)
    assert second_opinion(unknown, _p(tick=1.0), off) == unknown
    assert not may_overrule(unknown, off) and may_overrule(unknown, RULES)
    assert not may_overrule(Verdict(MarkClass.EMPTY, 1.0, False, "no ink", MarkRule.NO_INK), RULES)


def test_the_shipped_model_reads_rendered_marks_like_their_truth(templates) -> None:
    """Not a stand-in: on ballots it never saw (seeds < 1,000; it was trained on ≥ 43,000,000),
    the model's own top class is the drawn one for nearly every clear mark."""
    right = total = 0
    for profile in ("scanner", "camera"):
        prof = load_profile(profile)
        for seed in range(40):
            ballot = generate_ballot(profile, seed)
            ev = mark_evidence(ballot.image, templates, prof)
            if ev is None:
                continue
            for t in ballot.truth.boxes:
                e = ev[t.id]
                if t.ambiguous or e.model_input is None:
                    continue
                p = shipped_model().probabilities(e.model_input)
                total += 1
                right += ShapeLabel(int(np.argmax(p))).name == t.truth_class.name
    assert total > 300
    assert right / total > 0.95, (right, total)


def test_the_model_is_pure_and_names_itself(templates) -> None:
    """Same image, same answer, twice over and box by box in any order; the file's digest
    and training record travel with what it says."""
    m = shipped_model()
    assert "seeds" in m.trained_on and len(m.digest) == 12
    ballot = generate_ballot("camera", 868)
    prof = load_profile("camera")
    first, second = mark_evidence(ballot.image, templates, prof), mark_evidence(ballot.image, templates, prof)
    asked = [k for k, e in first.items() if e.probabilities is not None]
    assert asked
    for k in reversed(asked):  # another order: no state carried from box to box
        assert np.array_equal(first[k].probabilities, m.member_probabilities(second[k].model_input))
        assert first[k].verdict == second[k].verdict


def test_profiles_name_only_rules_the_model_may_settle() -> None:
    with pytest.raises(ValueError, match="may never be settled"):
        SecondOpinion(decide_rules=("no_shape", "faint"))
    with pytest.raises(ValueError, match="unknown rule 'no-shape'"):
        SecondOpinion(decide_rules=("no-shape",))
    # A custom profile that leaves the section out keeps the shipped guards.
    assert SecondOpinion() == load_profile("scanner").second_opinion == load_profile("camera").second_opinion


@pytest.mark.parametrize(
    ("profile", "seed", "box", "misread_as"),
    [
        # Benchmark misreads of the rules alone (docs/vision-benchmarks.md): a ballpoint scribble
        # of loops round a gap read as a thick ○; a √ whose blurred short stroke curls, as an open ○.
        ("scanner", 39_001_441, "banzi.c03.g1", MarkClass.CIRCLE),
        ("camera", 40_002_689, "banzi.c02.g1", MarkClass.CIRCLE),
        # A dense ballpoint scribble read as √; the model gives √ 0.25 and filled 0.55 on
        # average: vetoed as a blob read as a vote (veto_blob_max 0.35; veto_max 0.2 alone
        # let it through).
        ("scanner", 83_001_124, "shuji.c01.trust", MarkClass.TICK),
    ],
)
def test_misreads_of_the_rules_alone_go_to_people(templates, profile, seed, box, misread_as) -> None:
    ballot = generate_ballot(profile, seed)
    rules_only = load_profile(profile).model_copy(update={"second_opinion": SecondOpinion(use=False)})
    before = {b.id: b.mark_class for b in read_page(ballot.image, templates, rules_only).boxes}
    after = {b.id: b.mark_class for b in read_page(ballot.image, templates, load_profile(profile)).boxes}
    ok = (MarkClass.UNCLEAR,)
    wrong = [t.id for t in ballot.truth.boxes if not t.ambiguous and before[t.id] not in (t.truth_class, *ok)]
    assert wrong == [box] and before[box] is misread_as
    assert after[box] is MarkClass.UNCLEAR


def test_a_damaged_model_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "shape_model.npz"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(StationError) as err:
        load_shape_model(bad)
    assert "形状模型文件" in err.value.zh and "shape model file" in err.value.en
    with pytest.raises(StationError):
        load_shape_model(tmp_path / "missing.npz")
    # A file of another version (one network, not an ensemble): refused when loaded, not at a read.
    m = shipped_model()
    np.savez(tmp_path / "old.npz", mean=m.mean, scale=m.scale, w1=m.w1[0], b1=m.b1[0], w2=m.w2[0], b2=m.b2[0],
             trained_on=np.array("old"))  # fmt: skip
    with pytest.raises(StationError, match="shape model file"):
        load_shape_model(tmp_path / "old.npz")


def _box(profile: str, seed: int, box: str, templates):
    """The truth, the reading and the evidence of one box of a generated ballot."""
    ballot = generate_ballot(profile, seed)
    prof = load_profile(profile)
    truth = {t.id: t for t in ballot.truth.boxes}[box]
    read = {b.id: b for b in read_page(ballot.image, templates, prof).boxes}[box]
    return truth, read, mark_evidence(ballot.image, templates, prof)[box]


@pytest.mark.parametrize(
    ("profile", "seed", "box", "rule", "read_as"),
    [
        # A ○ drawn around the box, not in it: the ink goes all the way round the box's middle.
        ("scanner", 69_000_223, "shuji.c02.trust", MarkRule.BESIDE, MarkClass.CIRCLE),
        ("scanner", 69_000_398, "weiyuan.c08.choose", MarkRule.BESIDE, MarkClass.CIRCLE),
        # A fat marker × whose tail runs out of the box: dense ink, × to every member.
        ("scanner", 69_000_165, "weiyuan.c05.symbol", MarkRule.DENSE, MarkClass.CROSS),
        # A stray initial beside an empty box, nothing in it, that every member called ○: people.
        ("camera", 66_002_372, "weiyuan.c04.choose", MarkRule.BESIDE, MarkClass.UNCLEAR),
    ],
)
def test_marks_the_rules_leave_to_people_that_the_model_may_settle(templates, profile, seed, box, rule, read_as):
    truth, read, ev = _box(profile, seed, box, templates)
    assert ev.rules.rule is rule and ev.rules.mark_class is MarkClass.UNCLEAR
    assert read.mark_class is read_as
    if read_as is not MarkClass.UNCLEAR:
        assert read.mark_class is truth.truth_class and read.decided_by == "shape_model"


def test_a_light_mark_a_blurred_photo_shows_as_a_speck_is_never_empty(templates) -> None:
    """A light ○ (peak darkening 0.31) in a blurred photo: only 1.4 mm² of it clears the stroke
    threshold, much faint ink around it. The model called the speck empty (0.98), a lost
    vote; faint ink around a speck now makes it a light mark, for people."""
    truth, read, ev = _box("camera", 73_100_323, "weiyuan.c01.symbol", templates)
    assert truth.truth_class is MarkClass.CIRCLE and not truth.ambiguous
    assert ev.rules.rule is MarkRule.FAINT and "in faint ink" in ev.rules.why
    assert read.mark_class is MarkClass.UNCLEAR


def _ring(size: int, centre: tuple[int, int], radius: int, start_deg: float, sweep_deg: float) -> np.ndarray:
    a = np.deg2rad(np.linspace(start_deg, start_deg + sweep_deg, 400))
    pts = np.stack([centre[0] + radius * np.cos(a), centre[1] + radius * np.sin(a)], 1).round().astype(np.int32)
    out = np.zeros((size, size), np.uint8)
    cv2.polylines(out, [pts], sweep_deg >= 360, 1, 3)
    return out.astype(bool)


def test_only_a_ring_all_the_way_round_the_box_encircles_it() -> None:
    size, inner, c = 136, (28, 28, 108, 108), (68, 68)
    hidden = np.zeros((size, size), bool)
    hidden[24:32, 24:112] = hidden[104:112, 24:112] = hidden[24:112, 24:32] = hidden[24:112, 104:112] = True  # frame
    assert encircles_box(_ring(size, c, 52, 0, 360), hidden, inner)
    assert encircles_box(_ring(size, c, 52, 0, 340), hidden, inner)  # a ○ with a gap is a ○
    for sweep in (180, 220, 270):  # half a ring, or three quarters: not round the box
        assert not encircles_box(_ring(size, c, 52, 30, sweep), hidden, inner)
    # A ring that runs under print for 30° is whole, and with 30° of bare paper it is a ○
    # with a gap; 70° under print is more than a frame's corner hides.
    cut = _ring(size, c, 52, 105, 330)  # missing 75°–105°: straight down (y grows downwards)
    cover = hidden.copy()
    cover[100:, :] = True
    assert encircles_box(cut, cover, inner)
    assert not encircles_box(_ring(size, c, 52, 125, 290), cover, inner)  # missing 55°–125°
    # An initial in a corner of the region, and remnants of the printed frame: not around the box.
    assert not encircles_box(_ring(size, (14, 14), 10, 0, 360), hidden, inner)
    frame_edges = np.zeros((size, size), bool)
    frame_edges[32:34, 32:104] = frame_edges[102:104, 32:104] = frame_edges[32:104, 32:34] = True
    frame_edges[32:104, 102:104] = True
    assert not encircles_box(frame_edges, hidden, inner)
    assert not encircles_box(np.zeros((size, size), bool), hidden, inner)
