"""Every mark kind, through the real pipeline: printed ballot (pdfium) → ink (synthetic
hand, four pens) → scanner or camera model → vision.reader.read_page.

The policy under test: a box is read as what was drawn, or sent to review (`unclear`);
never as another class. And the parts that make that possible, on small real images:
the skeleton graph, the print model, streak removal.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from calibration.profile import load_profile
from sample_ballots.synth import FillPlan, MarkKind, PenKind, PlannedMark, demo_templates, generate_ballot, pens
from sample_ballots.synth import scanner as synth_scanner
from sample_ballots.synth.truth import AMBIGUOUS_KINDS, CLEAR_KINDS, Severity, Streak, Strength
from station.layout import BoxKind
from vision import print_model
from vision.ink import PageSpace
from vision.locate import locate, registration
from vision.reader import read_page
from vision.reading import SYMBOLS, MarkClass, QualityFlag
from vision.skeleton import branches, prune, thin
from vision.streaks import remove_streaks


@pytest.fixture(scope="module")
def mark_boxes() -> list[str]:
    layout = demo_templates().sheet("xuanju", "main")[1].layout
    return [b.id for b in layout.boxes if b.kind is BoxKind.MARK]


def _read(profile: str, seed: int, plan: FillPlan, pen_kind: PenKind, templates, **kw):
    pen = pens.sample_pen(np.random.default_rng(seed), pen_kind)
    ballot = generate_ballot(profile, seed, stage="xuanju", style="main", plan=plan, pen=pen, **kw)
    outcome = read_page(ballot.image, templates, load_profile(profile))
    assert outcome.outcome in ("interpreted", "needs_review"), outcome
    return ballot, {b.id: b.mark_class for b in outcome.boxes}, outcome


def _compare(ballot, got: dict[str, MarkClass]) -> tuple[list[str], list[str]]:
    """(right, wrong): box kinds read as their truth, and definite readings that are not."""
    right, wrong = [], []
    for t in ballot.truth.boxes:
        g = got[t.id]
        if g is t.truth_class:
            right.append(t.kind.value)
        elif g is not MarkClass.UNCLEAR and not t.ambiguous:
            wrong.append(f"{t.id}: {t.kind.value} read as {g.value}")
    return right, wrong


@pytest.mark.parametrize("profile", ["scanner", "camera"])
def test_every_clear_kind_with_every_pen(profile, templates, mark_boxes) -> None:
    """Fifteen kinds on one ballot, once per pen: each read right or sent to review, and
    each kind read right with at least three of the four pens."""
    plan = FillPlan(marks=[PlannedMark(box_id=b, kind=k) for b, k in zip(mark_boxes, CLEAR_KINDS, strict=False)])
    right_per_kind: dict[str, int] = {}
    for i, pen_kind in enumerate(PenKind):
        ballot, got, _ = _read(profile, 11 + i, plan, pen_kind, templates, severity=Severity.MILD)
        right, wrong = _compare(ballot, got)
        assert not wrong, (pen_kind, wrong)
        for k in right:
            right_per_kind[k] = right_per_kind.get(k, 0) + 1
    assert all(right_per_kind.get(k.value, 0) >= 3 for k in CLEAR_KINDS), right_per_kind


def test_doubtful_marks_never_count_as_votes(templates, mark_boxes) -> None:
    """A correction, a ○ with a × in it, half a ○, one slash, a dot: people decide. They may
    be read as unclear, filled (the count sends that to review too) or, for a dot, empty;
    never as ○, × or √."""
    plan = FillPlan(marks=[PlannedMark(box_id=b, kind=k) for b, k in zip(mark_boxes, AMBIGUOUS_KINDS, strict=False)])
    for i, pen_kind in enumerate(PenKind):
        ballot, got, outcome = _read("scanner", 21 + i, plan, pen_kind, templates, severity=Severity.MILD)
        assert outcome.outcome == "needs_review"
        for t in ballot.truth.boxes:
            if t.kind is not MarkKind.NONE:
                assert got[t.id] not in SYMBOLS, (pen_kind, t.kind, got[t.id])


@pytest.mark.parametrize("seed", [517, 529])
def test_felt_tip_circles_with_a_cross_in_them_are_never_votes(seed, templates, mark_boxes) -> None:
    """A ○ with a × in it, drawn with a felt tip and blurred shut in a photo, is a blot with
    the ×'s ends as bumps on its rim; its skeleton is four straight arms. Read as × by the
    rules once (these two photos, one box each); a blot with arms is for people."""
    plan = FillPlan(marks=[PlannedMark(box_id=b, kind=MarkKind.CIRCLE_AND_CROSS) for b in mark_boxes])
    _, got, _ = _read("camera", seed, plan, PenKind.MARKER, templates)
    assert not {b: g for b, g in got.items() if g in SYMBOLS}


def test_faint_marks_in_a_scan_are_no_votes_and_light_ones_are(templates, mark_boxes) -> None:
    """Drawn faintly (peak darkening 0.07–0.14: is it a mark at all?) a ○, × or √ goes to
    people, however clear its shape; drawn lightly (0.30–0.45) it is read. A scan keeps a
    stroke's darkness, so the scanner profile can tell them apart (vote_min_darkness)."""
    kinds = [MarkKind.CIRCLE, MarkKind.CROSS, MarkKind.TICK, MarkKind.CIRCLE_GAP, MarkKind.CROSS_TAIL]
    votes = {Strength.FAINT: 0, Strength.LIGHT: 0}
    for strength in votes:
        boxes = zip(mark_boxes, kinds * 3, strict=False)
        plan = FillPlan(marks=[PlannedMark(box_id=b, kind=k, strength=strength) for b, k in boxes])
        for i, pen_kind in enumerate(PenKind):
            ballot, got, _ = _read("scanner", 41 + i, plan, pen_kind, templates, severity=Severity.MILD)
            marked = [t for t in ballot.truth.boxes if t.kind is not MarkKind.NONE]
            votes[strength] += sum(got[t.id] in SYMBOLS for t in marked)
            if strength is Strength.FAINT:
                assert not [t.kind for t in marked if got[t.id] in SYMBOLS], pen_kind
    assert votes[Strength.LIGHT] >= 0.8 * 4 * min(len(mark_boxes), 15), votes


@pytest.mark.parametrize("orientation", [0, 90, 180, 270])
def test_every_orientation_reads_the_same_marks(orientation, templates, mark_boxes) -> None:
    kinds = [MarkKind.CIRCLE, MarkKind.CROSS, MarkKind.TICK, MarkKind.FILL, MarkKind.CIRCLE_GAP, MarkKind.CROSS_TAIL]
    plan = FillPlan(marks=[PlannedMark(box_id=b, kind=k) for b, k in zip(mark_boxes[::2], kinds, strict=False)])
    rng = np.random.default_rng(5)
    imaging = synth_scanner.sample(rng, 210.0, 297.0, Severity.MILD, dpi=200).model_copy(
        update={"orientation": orientation}
    )
    ballot, got, _ = _read("scanner", 31, plan, PenKind.BALLPOINT, templates, imaging=imaging)
    right, wrong = _compare(ballot, got)
    assert not wrong and len(right) == len(ballot.truth.boxes), (right, wrong)


def test_streaks_through_empty_boxes_stay_empty(templates, mark_boxes) -> None:
    """Dirt on the scanner glass: a dark and a light line down the page, across boxes."""
    rng = np.random.default_rng(8)
    imaging = synth_scanner.sample(rng, 210.0, 297.0, Severity.MILD, dpi=200)
    ballot0 = generate_ballot("scanner", 41, stage="xuanju", style="main", plan=FillPlan(), imaging=imaging)
    layout = ballot0.layout
    # Columns through the first boxes of the sheet, in image px.
    centres = np.array([[[layout.box(b).rect.cx, layout.box(b).rect.cy]] for b in mark_boxes[:2]])
    xs = cv2.perspectiveTransform(centres, ballot0.homography)[:, 0, 0]
    streaks = [Streak(x_px=float(xs[0]), width_px=3.0, delta=-0.35), Streak(x_px=float(xs[1]), width_px=2, delta=0.25)]
    imaging = imaging.model_copy(update={"streaks": streaks})
    ballot = generate_ballot("scanner", 41, stage="xuanju", style="main", plan=FillPlan(), imaging=imaging)
    out = read_page(ballot.image, templates, load_profile("scanner"))
    assert out.outcome == "interpreted", getattr(out, "reasons", out)
    assert QualityFlag.STREAKS in out.quality
    assert all(b.mark_class is MarkClass.EMPTY for b in out.boxes)
    _, columns = remove_streaks(ballot.image)
    assert columns > 0


def test_two_streaks_side_by_side_through_a_name_area_are_no_writing(templates) -> None:
    """Two dirt lines 8 px apart (15 columns with their soft sides) through an empty write-in
    area: once left in as "a band of lighting" and read as writing (benchmark scan 83,002,761)."""
    ballot = generate_ballot("scanner", 83_002_761)
    assert [round(s.x_px) for s in ballot.truth.imaging.streaks][:2] == [546, 538]
    out = read_page(ballot.image, templates, load_profile("scanner"))
    assert out.outcome == "interpreted", getattr(out, "reasons", out)
    assert QualityFlag.STREAKS in out.quality
    assert [w.id for w in out.write_ins if w.has_writing is not False] == []
    assert all(not t.has_writing for t in ballot.truth.write_ins)


def _x(angle_deg: float, width: int) -> np.ndarray:
    m = np.zeros((100, 100), np.uint8)
    a, r = math.radians(angle_deg / 2), 35
    for sign in (1, -1):
        p0 = (int(50 - r * math.cos(a)), int(50 - sign * r * math.sin(a)))
        p1 = (int(50 + r * math.cos(a)), int(50 + sign * r * math.sin(a)))
        cv2.line(m, p0, p1, 1, width)
    return m.astype(bool)


@pytest.mark.parametrize(("angle", "width"), [(90, 3), (90, 6), (60, 6), (50, 4)])
def test_two_crossing_strokes_make_one_fork_with_four_arms(angle, width) -> None:
    """Thinning turns a crossing into a 2×2 block or two forks a few pixels apart; both
    are one fork with four arms."""
    brs, forks = branches(prune(thin(_x(angle, width)), 9)[0], 12)
    assert forks == 1
    assert sorted(b.forks.count(1) for b in brs) == [1, 1, 1, 1]


def test_a_tick_has_no_fork_and_one_corner() -> None:
    m = np.zeros((80, 80), np.uint8)
    cv2.line(m, (10, 30), (30, 60), 1, 10)
    cv2.line(m, (30, 60), (70, 10), 1, 10)
    brs, forks = branches(prune(thin(m.astype(bool)), 10)[0])
    assert forks == 0 and len(brs) == 1 and not brs[0].loop


def test_print_model_measures_blur_and_shake(blank_render, templates) -> None:
    """The same blank ballot sharp, defocused, and smeared sideways by camera shake."""
    page = blank_render("xinren", "main", 200)
    scale = 200 / 25.4 / 8.0  # image px per canonical px
    sharp = page
    soft = cv2.GaussianBlur(page, (0, 0), 2.0 * scale)
    shaken = cv2.filter2D(page, -1, np.full((1, 11), 1.0 / 11, np.float32))  # 11 px ≈ 1.4 mm along x
    tpl = templates.styles[("xinren", "main")]
    page_layout = tpl.layout.pages[0]
    models = []
    for img in (sharp, soft, shaken):
        reg = registration(locate(img), page_layout)
        space = PageSpace.build(img, reg, page_layout.width_mm, page_layout.height_mm)
        models.append(print_model.measure(space, tpl))
    assert models[0].sigma_mm < 0.15 and models[0].smear_px == 0
    assert models[1].sigma_mm > 0.15 and models[1].smear_px == 0
    assert models[2].smear_px >= 8 and min(models[2].smear_deg, 180 - models[2].smear_deg) <= 20


@pytest.mark.parametrize("pen_kind", [PenKind.BALLPOINT, PenKind.GEL, PenKind.MARKER])
def test_large_circles_over_the_frame_are_circles(templates, mark_boxes, pen_kind) -> None:
    """A ○ drawn around the box runs under the printed frame in places: it is seen in
    pieces, with bends where its visible ends meet the print. Read as ○ (or sent to people),
    never as anything else; and mostly as ○ (measured: 100 % of these boxes)."""
    plan = FillPlan(marks=[PlannedMark(box_id=b, kind=MarkKind.CIRCLE_LARGE) for b in mark_boxes])
    circles = total = 0
    for seed in (51, 52):
        ballot, got, _ = _read("scanner", seed, plan, pen_kind, templates, severity=Severity.MILD)
        _, wrong = _compare(ballot, got)
        assert not wrong, wrong
        circles += sum(got[b] is MarkClass.CIRCLE for b in mark_boxes)
        total += len(mark_boxes)
    assert circles >= 0.8 * total, f"{circles}/{total} read as ○"


@pytest.mark.parametrize("profile", ["scanner", "camera"])
def test_scribbles_are_never_votes(profile, templates, mark_boxes) -> None:
    """Loops over loops filling the box (truth: filled): dense enough to look like a fat ×
    with a fifth arm, or like a thick ○ around a gap. Filled or unclear, never ○, × or √."""
    plan = FillPlan(marks=[PlannedMark(box_id=b, kind=MarkKind.SCRIBBLE) for b in mark_boxes])
    for i, pen_kind in enumerate((PenKind.BALLPOINT, PenKind.GEL, PenKind.PENCIL)):
        _, got, _ = _read(profile, 61 + i, plan, pen_kind, templates, severity=Severity.FULL)
        assert not [g for g in got.values() if g in SYMBOLS], (pen_kind, got)


def test_a_fat_marker_ring_touching_the_frame_in_a_photo_is_a_circle(templates) -> None:
    """A blurred marker ○ as wide as the box, cut flat by the frame: a sliver of the frame's
    blurred edge clings to it, and its skeleton grows spurs into the frame's corners. Once
    "dense ink: a correction?" (photo 91,000,060, a study range); the shape rules read it."""
    ballot = generate_ballot("camera", 91_000_060)
    truth = {t.id: t for t in ballot.truth.boxes}
    out = read_page(ballot.image, templates, load_profile("camera"))
    got = {b.id: b for b in out.boxes}
    for box in ("weiyuan.c06.choose", "weiyuan.c09.choose"):
        assert truth[box].kind is MarkKind.CIRCLE and truth[box].truth_class is MarkClass.CIRCLE
        assert (got[box].mark_class, got[box].decided_by) == (MarkClass.CIRCLE, "rules"), got[box]


def test_a_short_felt_tip_cross_in_a_scan_is_read(templates) -> None:
    """A × drawn with a felt tip about 4 mm wide and 8 mm long: its skeleton has three arms.
    Once "no known shape" for people (scan 98,000,078, a study range); read from its outline."""
    ballot = generate_ballot("scanner", 98_000_078)
    truth = {t.id: t for t in ballot.truth.boxes}["weiyuan.c04.symbol"]
    assert truth.kind is MarkKind.CROSS_ASYMMETRIC and ballot.truth.pen.kind is PenKind.MARKER
    out = read_page(ballot.image, templates, load_profile("scanner"))
    got = {b.id: b for b in out.boxes}["weiyuan.c04.symbol"]
    assert (got.mark_class, got.decided_by) == (MarkClass.CROSS, "rules"), got
    assert out.outcome == "interpreted", out.reasons


def test_only_slivers_along_print_are_left_out_of_a_bands_outline() -> None:
    """The ring rule's roughness (vision.marks._band_roughness): a 1-px sliver of a printed
    line's edge clinging to a band is left out; loops poking out of a band away from print,
    or anything that is not a sliver, still make it rough."""
    from vision.marks import _band_roughness, _roughness
    from vision.templates import beside_print

    hidden = np.zeros((140, 140), bool)
    hidden[118:122, 10:130] = True  # a printed rule under the band
    near = beside_print(hidden)
    ring = np.zeros((140, 140), np.uint8)
    cv2.circle(ring, (70, 70), 40, 1, 18)
    ring = ring.astype(bool)
    sliver = ring.copy()
    sliver[117, 20:120] = True  # the rule's blurred edge, touching the band
    r = _roughness(sliver)
    assert r > 1.1 and _band_roughness(sliver, near, r) < 1.05
    loops = ring.copy()
    for a in range(0, 360, 30):  # thin loops poking out all round, away from print
        x, y = 70 + 52 * math.cos(math.radians(a)), 70 + 52 * math.sin(math.radians(a))
        cv2.circle(loops.view(np.uint8), (int(x), int(y)), 6, 1, 2)
    r = _roughness(loops)
    assert r > 1.15 and _band_roughness(loops, near, r) == r
    wide = ring.copy()
    wide[112:118, 20:120] = True  # 6 px wide along print: no sliver
    r = _roughness(wide)
    assert _band_roughness(wide, near, r) == r
    # A thin link along print that holds two pieces together is part of the ink, not a sliver.
    pieces = np.zeros_like(ring)
    pieces[100:117, 20:50] = pieces[100:117, 90:120] = True
    pieces[116, 50:90] = True
    r = _roughness(pieces)
    assert _band_roughness(pieces, near, r) == r


def test_print_edges_alone_leave_a_box_empty_but_never_hide_a_mark() -> None:
    """A thin grey line along the printed frame (a photo's blur the print model did not
    explain) is no ink; the same line beside a stroke that leaves the print is kept."""
    from vision.reader import BoxInkParts, _without_print_edges

    hidden = np.zeros((136, 136), bool)
    hidden[26:30, 26:110] = True  # the frame's top side, with its halo
    edge = np.zeros_like(hidden)
    edge[30:31, 40:70] = True  # 30 px ≈ 0.5 mm² just below it
    none = np.zeros_like(hidden)
    out = _without_print_edges(BoxInkParts(edge, edge, none), hidden, 2.0)
    assert not out.mask.any()
    stroke = edge.copy()
    stroke[30:80, 60:63] = True  # a stroke down into the box
    out = _without_print_edges(BoxInkParts(stroke, stroke, none), hidden, 2.0)
    assert out.mask.sum() == stroke.sum()
    assert _without_print_edges(BoxInkParts(edge, edge, none), hidden, 0.0).mask.sum() == edge.sum()
    corner = np.zeros_like(hidden)
    corner[30:31, 100:108] = True
    corner[24:31, 107:108] = True  # bending round the frame's corner: a light ○, not a printed line
    hidden[26:110, 106:110] = True
    out = _without_print_edges(BoxInkParts(corner, corner, none), hidden, 2.0)
    assert out.mask.sum() == corner.sum()


def test_the_sheet_edge_is_no_writing_but_a_tick_near_it_is() -> None:
    """At 2 px/mm: a slanting dashed line in the top band (the paper's edge in a photo of a
    curled sheet) is left out of the ink outside the boxes; a small tick in the same band
    and an underline in the middle of the page are kept."""
    from vision.outside import sheet_edges

    ink = np.zeros((594, 420), bool)
    for i, x in enumerate(range(150, 260, 10)):  # dashes stepping down one row every 10 px
        ink[12 + i // 2, x : x + 5] = True
    ink[20:24, 330:332] = True  # a tick's short arm…
    ink[16:24, 332:334] = True  # …and long arm
    ink[300, 100:140] = True  # an underline, far from every edge
    for k, x in enumerate(range(100, 150, 6)):  # a written name 10 mm above the bottom edge
        ink[570 + (k % 3) : 575 + (k % 3), x : x + 2] = True
        ink[572, x : x + 5] = True
    edges = sheet_edges(ink)
    assert not edges[565:580, 95:155].any()
    assert edges[12:20, 150:265].sum() == ink[12:20, 150:265].sum()
    assert not edges[16:24, 330:334].any()
    assert not edges[300].any()


def _tick_verdict(mask: np.ndarray, hidden: np.ndarray, profile: str = "camera"):
    from vision.marks import classify, features

    t = load_profile(profile).marks
    inner = (28, 28, 108, 108)  # a 10 mm box with 3.5 mm around it, at 8 px/mm
    return classify(features(mask, inner, t.min_component_mm2, hidden=hidden), t)


def _felt_tip(width: int, reach: int, disc: int = 0) -> np.ndarray:
    """A × of two diagonal strokes `width` px wide reaching `reach` px from the middle of a
    10 mm box (8 px/mm), over a filled disc of radius `disc` (a ○ drawn round it, blurred shut)."""
    m = np.zeros((136, 136), np.uint8)
    if disc:
        cv2.circle(m, (68, 68), disc, 1, -1)
    d = int(reach / math.sqrt(2))
    cv2.line(m, (68 - d, 68 - d), (68 + d, 68 + d), 1, width)
    cv2.line(m, (68 - d, 68 + d), (68 + d, 68 - d), 1, width)
    return m.astype(bool)


@pytest.mark.parametrize("profile", ["scanner", "camera"])
def test_a_short_felt_tip_cross_is_read_from_its_outline(profile) -> None:
    """A × drawn with a felt tip so wide for its length that its skeleton shows no four
    arms (scans of fat marker ×, once "no known shape": 98,000,078, a study range) is four
    lobes in two straight pairs with notches reaching in near its middle."""
    hidden = np.zeros((136, 136), bool)
    fat = _tick_verdict(_felt_tip(28, 30), hidden, profile)
    assert (fat.mark_class, fat.why) == (MarkClass.CROSS, "wide crossing strokes (four lobes)"), fat
    thin_x = _tick_verdict(_felt_tip(8, 40), hidden, profile)
    assert (thin_x.mark_class, thin_x.why) == (MarkClass.CROSS, "crossing strokes"), thin_x


@pytest.mark.parametrize("profile", ["scanner", "camera"])
def test_a_blot_with_short_arms_is_no_cross(profile) -> None:
    """A ○ with a × in it drawn with a felt tip and blurred shut: a disc with the ×'s ends
    as bumps on its rim. Its skeleton is four straight arms from one fork, as a ×'s (the
    rules read such marks as × in forced-marker photos); its outline is not."""
    from vision.marks import _lobes

    blot = _felt_tip(14, 40, disc=28)
    lobes = _lobes(blot)
    assert lobes.count == 4 and lobes.valley > 0.55, lobes
    v = _tick_verdict(blot, np.zeros((136, 136), bool), profile)
    assert v.mark_class is MarkClass.UNCLEAR, v


def test_an_outline_that_touches_itself_has_notches() -> None:
    """The voter ink of a felt-tip fill in a photo (forced-marker study photo 98,230,220,
    box weiyuan.c01.alt_symbol): its outline runs through one pixel twice, which OpenCV's
    convexityDefects refuses with an error. The reader measures the notches itself."""
    from pathlib import Path

    from vision.marks import _lobes

    ink = cv2.imread(str(Path(__file__).parent / "data" / "felt_tip_fill_self_touching.png"), cv2.IMREAD_GRAYSCALE) > 0
    contours, _ = cv2.findContours(ink.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    outline = max(contours, key=len)
    with pytest.raises(cv2.error):
        cv2.convexityDefects(outline, cv2.convexHull(outline, returnPoints=False))
    assert _lobes(ink).count > 4  # a fill's ragged outline: many notches, no ×
    v = _tick_verdict(ink, np.zeros(ink.shape, bool))
    assert v.mark_class is not MarkClass.CROSS, v


def test_a_frame_corner_left_over_is_no_tick_but_a_tick_in_the_corner_is() -> None:
    """In a photo whose print the model missed, remnants of the printed frame along two of
    its sides make an L: one stroke with one corner, low in the ink, like a √ (seen on a
    fresh benchmark range: an empty box read as √). Both its sides lie beside print."""
    hidden = np.zeros((136, 136), bool)
    hidden[26:30, 26:110] = hidden[106:110, 26:110] = True  # the frame, as print hides it
    hidden[26:110, 26:30] = hidden[26:110, 106:110] = True
    remnant = np.zeros_like(hidden)
    remnant[40:105, 31:34] = True  # along the left side…
    remnant[102:105, 31:70] = True  # …and the bottom
    v = _tick_verdict(remnant, hidden)
    assert v.mark_class is MarkClass.UNCLEAR, v
    tick = np.zeros((136, 136), np.uint8)
    cv2.line(tick, (40, 70), (58, 95), 1, 4)
    cv2.line(tick, (58, 95), (95, 40), 1, 4)
    assert _tick_verdict(tick.astype(bool), hidden).mark_class is MarkClass.TICK


def test_an_open_circle_whose_end_hooks_back_is_no_tick() -> None:
    """A wobbly ○ left open at the bottom, its end hooking sharply back: one stroke with
    one sharp corner low in the ink, and in all (one way, then back) less than half a turn
    (seen on a fresh benchmark range, pencil, read as √). Its strokes are not straight."""
    hidden = np.zeros((136, 136), bool)
    m = np.zeros((136, 136), np.uint8)
    pts = [(68 + 30 * math.sin(a), 66 + 32 * math.cos(a)) for a in np.linspace(0.5, 2 * math.pi - 0.3, 60)]
    d = np.subtract(pts[-1], pts[-2]) / np.hypot(*np.subtract(pts[-1], pts[-2]))
    c, s = math.cos(math.radians(150)), math.sin(math.radians(150))
    pts += [(pts[-1][0] + 18 * (d[0] * c - d[1] * s), pts[-1][1] + 18 * (d[0] * s + d[1] * c))]  # the hook
    cv2.polylines(m, [np.round(np.array(pts)).astype(np.int32)], False, 1, 4)
    v = _tick_verdict(m.astype(bool), hidden, "scanner")
    assert v.mark_class is not MarkClass.TICK, v
