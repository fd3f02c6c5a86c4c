"""Classify the voter ink of one box: empty, filled, ○, ×, √ or unclear.

Telling ○ from × is the core of an election count, so the classifier is built to refuse
rather than risk a misread: each class needs its own evidence AND no evidence for a rival
class; everything else is `unclear` and goes to scrutineers with its crop.

Evidence, all measured in canonical page space (8 px/mm) on the voter ink of the box and
its margin (a neighbour's ink already removed, vision.reader):
- ink area (mm²) against the calibrated empty / mark thresholds; fill: the share of the
  box interior inked; solidity;
- the skeleton as a graph (vision.skeleton), after joining pieces across short gaps (pen
  skips, a light hand): free ends, forks, branches and which way they point;
- a ring (○): paper enclosed by the ink (gaps up to ~1 mm closed), or an ellipse that the
  ink follows all round, where it is not inked only under print (a large ○ drawn over the
  printed frame) or over a short gap; in both cases with nothing inside it;
- an open ring: one stroke turning through most of a full turn;
- a cross (×): a fork with four long arms that pair into two straight strokes, and no
  ring; or, drawn so wide for its length that the skeleton cannot find the arms (a short
  felt-tip ×), an outline of four lobes between four notches near its middle;
- a tick (√): one stroke with one sharp corner in its lower part, two arms, no ring;
- a blot that is solid ink but lighter in its middle is a ring blurred shut, not a fill.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from calibration.profile import MarkThresholds
from vision.mark_rules import MarkRule
from vision.reading import SYMBOLS, MarkClass
from vision.skeleton import (
    Branch,
    corner_angles,
    enclosed_paper,
    fill_specks,
    link_gaps,
    merge_passing,
    prune,
    thin,
    turning,
)
from vision.templates import PX_PER_MM, beside_print

PX2_PER_MM2 = PX_PER_MM * PX_PER_MM
GAP_MM = 0.5  # ring closure: gaps up to twice this are closed when looking for enclosed paper
LINK_MM = 1.6  # a stroke broken by a skip is joined across at most this much paper
LINK_OVER_PRINT_MM = 5.0  # or across this much where print hides it (a ○ running along the frame)
SPUR_MM = 1.2  # side branches shorter than this (or than the stroke is wide) are blots
CROP_PAD_PX = 12  # around the ink: room to close gaps and to follow a ring beyond its visible arcs
SPECK_HOLE_MM2 = 0.6  # paper enclosed in a stroke smaller than this is grain, not a ring's hole
# Where a stroke goes under print its visible end is cut along the print's edge, which bends
# its skeleton: corners this close to print are the occlusion's, not the pen's.
CLEAR_OF_PRINT_MM = 1.0
# The outline of a wide stroke (a felt tip) is measured for lobes (Lobes) only from this mean
# width: a thinner pen's × is read from its skeleton.
LOBES_MIN_STROKE_MM = 1.0
LOBE_NOTCH_MM = 0.75  # a notch in the outline (a convexity defect) at least this deep
# A speck this small lying wholly this far outside the box is dust or a neighbour's print cut
# by the region's edge: it is ink (area) but no part of the mark's shape.
FAR_SPECK_MAX_MM2 = 1.0
FAR_SPECK_MIN_DIST_MM = 2.5


@dataclass(frozen=True)
class Ring:
    """How well the ink follows one ellipse around an empty middle."""

    found: bool
    inked: float  # share of the ellipse's outline with ink on it
    hidden: float  # share under print (cannot be seen either way)
    paper: float  # share over bare paper
    longest_gap: float  # longest run of bare paper, as a share of the outline
    on_curve: float  # share of the skeleton lying on the ellipse
    inside_ink: float  # ink inside the ellipse shrunk to 60 %, mm²
    axes_mm: tuple[float, float]  # semi-axes, short then long
    inked_quarters: int = 0  # quarters of the outline with ink on them: a ○ is seen all round


NO_RING = Ring(False, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, (0.0, 0.0))


@dataclass(frozen=True)
class Lobes:
    """The outline of one wide blot of ink, cut by notches into lobes: a short felt-tip ×
    is four lobes (its arms) between four notches that reach in near its middle; a ○ with
    a × in it, blurred shut, is a disc whose notches stay near its rim."""

    count: int  # notches at least LOBE_NOTCH_MM deep (0: not measured, or none)
    opposite_deg: float  # four lobes: the worse pair's angle between opposite tips through the middle (180 = in line)
    off_diagonal_deg: float  # four lobes: the two tip-to-tip lines' largest angle from the page's diagonals
    valley: float  # four lobes: the notch bottom farthest from the middle, over the farthest ink's distance


NO_LOBES = Lobes(0, 0.0, 45.0, 1.0)


@dataclass(frozen=True)
class MarkFeatures:
    ink_mm2: float  # voter ink over the box and its margin
    inner_fill: float  # share of the box interior inked
    inside_share: float  # share of the ink that is inside the box (a large ○ lies mostly outside)
    score: float  # ink inside the box over the box area (the reported score)
    solidity: float  # ink area / its convex hull area: 1 for a solid fill
    extent_mm: float  # larger side of the ink bounding box
    components: int
    stroke_mm: float  # mean stroke width: ink area / skeleton length
    skeleton_mm: float
    links: int  # gaps joined
    ends: int  # free ends of the skeleton
    forks: int
    loops: int  # closed skeleton cycles
    hole: Hole  # the largest paper area enclosed by the ink (gaps ≤ 2·GAP_MM closed)
    texture_mm2: float  # specks of paper inside the strokes (many overlapping lines: a scribble)
    enclosed: int  # paper areas enclosed by the ink, larger than a speck (a ○ around a ×)
    roughness: float  # outline length over its convex hull's: 1 for a smooth round band
    # The same with thin slivers along print left out (the blurred edge of a printed line a
    # fat ○ touches, which stretches the hull to the frame's corner): the ring rule's measure.
    band_roughness: float
    ring: Ring
    turn_total: float  # one stroke (two ends, no fork): total turning, degrees
    turn_sharp: float  # its sharpest corner (180 = straight)
    turn_curl: float  # one stroke: its turning either way, less its sharpest corner's (degrees)
    turn_at_y: float  # where that corner is, from the top (0) to the bottom (1) of the ink
    smooth_clear_deg: float  # the sharpest corner along any branch of 3 mm or more, away from print (180 = straight)
    arms: tuple[float, ...]  # cross: lengths (mm) of the arms of the main fork, longest first
    arms_straight: float  # cross: worst straightness of the two paired arm lines (180 = straight)
    arms_off_diagonal: float  # cross: the paired lines' largest angle from the page's diagonals
    arms_beside_print: float  # × or √: the largest share of an arm (a side of the corner) running beside print
    centre_ink: float  # ink share in the middle ninth of the ink bounding box
    band_evenness: float  # a stroke's width along its skeleton, 10th over 90th percentile: 1 for one pen line
    loop_evenness: float  # the same along the skeleton's closed part, around a hole (the ring rule's)
    lighter_middle: bool  # a blot whose middle is clearly lighter than its body
    lobes: Lobes = NO_LOBES  # one wide blot (≥ LOBES_MIN_STROKE_MM) without holes: its outline's lobes


def _shapeless(ink_mm2: float, inner_fill: float, components: int) -> MarkFeatures:
    """Features of ink too slight to have a shape worth measuring."""
    return MarkFeatures(
        ink_mm2=ink_mm2, inner_fill=inner_fill, inside_share=0.0, score=inner_fill, solidity=0.0, extent_mm=0.0,
        components=components, stroke_mm=0.0, skeleton_mm=0.0, links=0, ends=0, forks=0, loops=0,
        hole=NO_HOLE, texture_mm2=0.0, enclosed=0, roughness=1.0, band_roughness=1.0, ring=NO_RING, turn_total=0.0,
        turn_sharp=180.0, turn_curl=0.0, turn_at_y=0.0, smooth_clear_deg=180.0, arms=(), arms_straight=0.0,
        arms_off_diagonal=45.0, arms_beside_print=0.0, centre_ink=0.0, lighter_middle=False, band_evenness=1.0,
        loop_evenness=1.0,
    )


@dataclass(frozen=True)
class Hole:
    """The largest paper area the ink encloses."""

    mm2: float
    share: float  # of all enclosed paper: one hole, not a ring cut by a stroke across it
    centred: bool  # in the middle of the ink
    convex: float  # area / convex hull area: a stroke poking into a ring makes it concave
    islands_mm2: float  # ink inside it, not touching the ring (a dot in a ○)
    count: int  # enclosed areas of at least 1 mm²


NO_HOLE = Hole(0.0, 0.0, False, 0.0, 0.0, 0)


def _roughness(mask: np.ndarray) -> float:
    """Outline length of the largest piece of ink over that of its convex hull."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return 1.0
    c = max(contours, key=cv2.contourArea)
    return float(cv2.arcLength(c, True) / max(cv2.arcLength(cv2.convexHull(c), True), 1.0))


_NOTCH = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))  # notches up to ~0.8 mm wide


def _print_notches_filled(mask: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """The ink with the narrow notches that print cuts into it filled (only under print:
    a notch between a scribble's lines stays a notch)."""
    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, _NOTCH).astype(bool)
    return mask | (closed & hidden)


_SLIVER = np.ones((3, 3), np.uint8)  # ink narrower than 3 px (0.4 mm)


def _band_roughness(notched: np.ndarray, near_print: np.ndarray, roughness: float) -> float:
    """`roughness` (of `notched`: the ink with print's notches filled), or less without the
    slivers of ink narrower than 0.4 mm that lie beside print (`near_print`: a printed line's
    blurred edge). Never more, and unchanged where leaving them out would split the ink (a
    large ○ thinned where it crosses the frame). Loops poking out of a scribbled band still
    count."""
    ink = notched.astype(np.uint8)
    opened = cv2.morphologyEx(ink, cv2.MORPH_OPEN, _SLIVER).astype(bool)
    slivers = notched & ~opened & near_print
    if not slivers.any():
        return roughness
    rest = notched & ~slivers
    if cv2.connectedComponents(rest.astype(np.uint8))[0] > cv2.connectedComponents(ink)[0]:
        return roughness
    return min(roughness, _roughness(rest))


def _loop_evenness(linked: np.ndarray, brs: list[Branch], near_print: np.ndarray, stroke_px: float) -> float | None:
    """_band_evenness along the band around a hole without the spurs it grows into print (a
    fat marker ○ meeting the frame grows them into its corners; thin by their nature): a spur
    here is a branch with one free end, beside print, no longer than 2.5 band widths. Spurs
    elsewhere (a scribble's loose loops) still count. None when there is no such spur."""

    def into_print(b: Branch) -> bool:
        if b.loop or (b.forks[0] == 0) == (b.forks[1] == 0) or b.length > 2.5 * stroke_px:
            return False
        end = b.points[0] if b.forks[0] == 0 else b.points[-1]
        return bool(near_print[int(end[0]), int(end[1])])

    band = [b for b in brs if not into_print(b)]
    if not band or len(band) == len(brs):
        return None
    on_band = np.zeros(linked.shape, bool)
    for b in band:
        on_band[b.pixels[:, 0], b.pixels[:, 1]] = True
    return _band_evenness(linked, on_band)


def _count_enclosed(mask: np.ndarray) -> int:
    holes = enclosed_paper(mask)
    return cv2.connectedComponents(holes, connectivity=4)[0] - 1 if holes.any() else 0


def _hole(mask: np.ndarray, ink: np.ndarray, bbox: tuple[int, int, int, int]) -> Hole:
    holes = enclosed_paper(mask)
    hn, labels, hs, hc = cv2.connectedComponentsWithStats(holes, connectivity=4)
    if hn <= 1:
        return NO_HOLE
    areas = hs[1:, cv2.CC_STAT_AREA].astype(np.float64)
    j = int(np.argmax(areas))
    cx, cy = hc[1 + j]
    bx0, by0, bx1, by1 = bbox
    bw, bh = bx1 - bx0, by1 - by0
    centred = abs(cx - (bx0 + bx1) / 2) < 0.2 * bw and abs(cy - (by0 + by1) / 2) < 0.2 * bh
    region = (labels == 1 + j).astype(np.uint8)
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    filled = np.zeros_like(region)
    cv2.drawContours(filled, contours, -1, 1, -1)
    hull = cv2.convexHull(np.vstack(contours))
    convex = float(areas[j] / max(cv2.contourArea(hull), 1.0))
    islands = float((filled.astype(bool) & ink).sum()) / PX2_PER_MM2
    count = int((areas >= PX2_PER_MM2).sum())
    return Hole(float(areas[j] / PX2_PER_MM2), float(areas[j] / areas.sum()), bool(centred), min(convex, 1.0),
                islands, count)


def _holes(mask: np.ndarray, bbox: tuple[int, int, int, int]) -> Hole:
    """The largest paper area enclosed by the ink: as drawn (a thick marker ○ keeps a
    small hole), and after closing gaps of up to 2·GAP_MM by growing the ink by GAP_MM (the
    hole shrinks by as much); the larger wins."""
    r = int(round(GAP_MM * PX_PER_MM))
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    grown = cv2.dilate(mask.astype(np.uint8), k).astype(bool)
    a, b = _hole(mask, mask, bbox), _hole(grown, mask, bbox)
    best = a if a.mm2 >= b.mm2 else b
    return replace(best, count=max(a.count, b.count))


def longest_circular_run(flags: np.ndarray) -> int:
    """The longest run of True in a ring of flags (the last one is next to the first)."""
    longest = run = 0
    for f in np.concatenate([flags, flags]):  # twice round: a run across the seam is whole
        run = run + 1 if f else 0
        longest = max(longest, run)
    return min(longest, len(flags))


def _ring(skel: np.ndarray, mask: np.ndarray, hidden: np.ndarray, stroke_px: float) -> Ring:
    """Fit an ellipse to the skeleton and walk its outline: ink, print, or bare paper?"""
    ys, xs = np.nonzero(skel)
    if len(ys) < 12:
        return NO_RING
    pts = np.column_stack([xs, ys]).astype(np.float32)
    try:
        (cx, cy), (d1, d2), ang = cv2.fitEllipseDirect(pts)
    except cv2.error:
        return NO_RING
    if not (np.isfinite(cx) and np.isfinite(cy) and np.isfinite(d1) and np.isfinite(d2)) or min(d1, d2) <= 2:
        return NO_RING
    a, b = d1 / 2, d2 / 2  # along the ellipse's own x and y
    t = math.radians(ang)
    c, s = math.cos(t), math.sin(t)
    # Skeleton on the curve: normalised radius within tolerance.
    u = (xs - cx) * c + (ys - cy) * s
    v = -(xs - cx) * s + (ys - cy) * c
    rn = np.sqrt((u / a) ** 2 + (v / b) ** 2)
    mean_r = math.sqrt(a * b)
    tol = max(0.6 * PX_PER_MM, 0.18 * mean_r, stroke_px / 2 + 2)
    on_curve = float(np.mean(np.abs(rn - 1.0) * mean_r <= tol))
    # Walk the outline.
    n = 90
    th = np.linspace(0, 2 * np.pi, n, endpoint=False)
    px = cx + a * np.cos(th) * c - b * np.sin(th) * s
    py = cy + a * np.cos(th) * s + b * np.sin(th) * c
    h, w = mask.shape
    inside = (px >= 0) & (py >= 0) & (px < w) & (py < h)
    dist_to_ink = cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 3)
    ix, iy = np.clip(px.astype(int), 0, w - 1), np.clip(py.astype(int), 0, h - 1)
    near = stroke_px / 2 + 0.5 * PX_PER_MM
    inked = inside & (dist_to_ink[iy, ix] <= near)
    under = inside & ~inked & hidden[iy, ix]
    paper = ~inked & ~under
    longest = longest_circular_run(paper)
    # Ink inside: the ellipse shrunk to 60 % (and clear of a thick stroke) must hold none.
    core = np.zeros_like(mask, dtype=np.uint8)
    inset = stroke_px / 2 + 2
    i1, i2 = min(0.6 * d1, d1 - 2 * inset), min(0.6 * d2, d2 - 2 * inset)
    if i1 > 0 and i2 > 0:
        cv2.ellipse(core, ((float(cx), float(cy)), (float(i1), float(i2)), float(ang)), 1, -1)
    inside_ink = float((core.astype(bool) & mask).sum()) / PX2_PER_MM2
    short, long_ = sorted((a / PX_PER_MM, b / PX_PER_MM))
    return Ring(
        found=True,
        inked=float(inked.mean()),
        hidden=float(under.mean()),
        paper=float(paper.mean()),
        longest_gap=longest / n,
        on_curve=on_curve,
        inside_ink=inside_ink,
        axes_mm=(short, long_),
        inked_quarters=int(sum(bool(q.any()) for q in np.array_split(inked, 4))),
    )


def _arms(brs, main_fork: int, near_print: np.ndarray) -> tuple[tuple[float, ...], float, float, float]:
    """Arms of the main fork (length mm, longest first); how straight the best pairing of
    four arms into two lines is (the smaller of the two angles, 180 = straight); and how far
    those lines are from the page's diagonals (the larger of the two, degrees: 0 for a
    textbook ×, 45 for a line along a printed rule); and the largest share of an arm that
    runs beside print (a printed line's blurred edge, or a stroke along it)."""
    arms = []
    beside = 0.0
    for br in brs:
        for end_i, f in ((0, br.forks[0]), (1, br.forks[1])):
            if f != main_fork:
                continue
            p = br.points if end_i == 0 else br.points[::-1]
            q = p.astype(int)
            beside = max(beside, float(near_print[q[:, 0], q[:, 1]].mean()))
            k = min(len(p) - 1, int(2.0 * PX_PER_MM))
            d = p[k] - p[0]
            arms.append((br.length / PX_PER_MM, d / (np.hypot(*d) + 1e-9)))
    arms.sort(key=lambda a: -a[0])
    lengths = tuple(round(a[0], 2) for a in arms)
    if len(arms) < 4:
        return lengths, 0.0, 45.0, beside
    four = [a[1] for a in arms[:4]]
    best, off = 0.0, 45.0
    for i, j, k, m in ((0, 1, 2, 3), (0, 2, 1, 3), (0, 3, 1, 2)):
        a1 = math.degrees(math.acos(float(np.clip(-np.dot(four[i], four[j]), -1, 1))))
        a2 = math.degrees(math.acos(float(np.clip(-np.dot(four[k], four[m]), -1, 1))))
        if 180 - max(a1, a2) > best:
            best = 180 - max(a1, a2)
            lines = (four[i] - four[j], four[k] - four[m])  # (dy, dx) along each stroke
            off = max(abs(math.degrees(math.atan2(abs(v[0]), abs(v[1]))) - 45.0) for v in lines)
    return lengths, best, off, beside


def _smooth_clear_of(brs: list[Branch], hidden: np.ndarray, step: int) -> float:
    """The sharpest corner along these branches at points clear of print (180 = straight)."""
    if not brs:
        return 180.0
    clear = cv2.distanceTransform((~hidden).astype(np.uint8), cv2.DIST_L2, 3) > CLEAR_OF_PRINT_MM * PX_PER_MM
    worst = 180.0
    for b in brs:
        angles = corner_angles(b.points, step)
        if not len(angles):
            continue
        q = b.points[step : len(b.points) - step].astype(int)
        ok = clear[q[:, 0], q[:, 1]]
        # A branch lying along print all its length says nothing about the pen's corners
        # (the arcs of a large ○ running beside the frame); a frame's own remnants are
        # straight, and a ring of them spans more than ring_max_extent_mm.
        if ok.any():
            worst = min(worst, float(angles[ok].min()))
    return worst


def _without_far_specks(
    labels: np.ndarray, stats: np.ndarray, keep: np.ndarray, inner: tuple[int, int, int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Drop from the shape small pieces of ink lying wholly far outside the box."""
    x0, y0, x1, y1 = inner
    d = FAR_SPECK_MIN_DIST_MM * PX_PER_MM
    keep = keep.copy()
    for i in np.nonzero(keep)[0]:
        x, y, w, h, area = stats[i]
        if area > FAR_SPECK_MAX_MM2 * PX2_PER_MM2:
            continue
        gap_x = max(x0 - (x + w), x - x1, 0)
        gap_y = max(y0 - (y + h), y - y1, 0)
        if math.hypot(gap_x, gap_y) >= d:
            keep[i] = False
    return keep[labels], keep


def _band_evenness(mask: np.ndarray, skel: np.ndarray) -> float:
    """How even a stroke's width is along its skeleton: the 10th over the 90th percentile
    of the distance to its edge there. One pen's ○ is about as wide all round; a band of
    loops over loops (a scribble around a gap) is wide in one place and thin in another."""
    on = skel & mask
    if int(on.sum()) < 8:
        return 1.0
    dist = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)[on]
    p10, p90 = np.percentile(dist, (10, 90))
    return float(p10 / max(p90, 1e-6))


def _lighter_middle(darkness: np.ndarray, clean: np.ndarray) -> bool:
    """A blot whose middle is clearly lighter than its body: a ○ whose hole blur filled in."""
    dist = cv2.distanceTransform(clean.astype(np.uint8), cv2.DIST_L2, 3)
    if dist.max() < 3:
        return False
    middle = dist >= 0.7 * dist.max()
    body = (dist > 0) & (dist < 0.5 * dist.max())
    if middle.sum() < 4 or body.sum() < 4:
        return False
    return float(np.median(darkness[middle])) < 0.75 * float(np.median(darkness[body]))


def _notches(outline: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The outline's notches: for each stretch between two corners of its convex hull, the
    point farthest in from the hull's side and how far (px); (indices, depths). (OpenCV's
    convexityDefects refuses an outline that touches itself, as one through a 1-px link does.)"""
    pts = outline[:, 0].astype(np.float64)
    corners = np.sort(cv2.convexHull(outline, returnPoints=False).ravel())
    n = len(pts)
    # Each outline point's stretch: from the corner at or before it to the next corner round.
    at = np.searchsorted(corners, np.arange(n), side="right") - 1  # -1: before the first corner
    a = corners[at % len(corners)]
    b = corners[(at + 1) % len(corners)]
    side = pts[b] - pts[a]
    rel = pts - pts[a]
    depth = np.abs(side[:, 0] * rel[:, 1] - side[:, 1] * rel[:, 0]) / np.maximum(np.hypot(side[:, 0], side[:, 1]), 1e-9)
    stretch = at % len(corners)
    far, deep = [], []
    for k in range(len(corners)):
        idx = np.flatnonzero(stretch == k)
        if len(idx):
            j = idx[int(np.argmax(depth[idx]))]
            far.append(j)
            deep.append(depth[j])
    return np.array(far, dtype=int), np.array(deep)


def _lobes(solid: np.ndarray) -> Lobes:
    """The lobes of the ink's outline (one piece: `solid`) between its notches."""
    contours, _ = cv2.findContours(solid.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    outline = max(contours, key=len)
    if len(outline) < 8:
        return NO_LOBES
    far, depth = _notches(outline)
    bottoms = np.sort(far[depth >= LOBE_NOTCH_MM * PX_PER_MM])
    if len(bottoms) != 4:
        return Lobes(len(bottoms), 0.0, 45.0, 1.0)
    ys, xs = np.nonzero(solid)
    pts = outline[:, 0].astype(np.float64) - (xs.mean(), ys.mean())
    dist = np.hypot(pts[:, 0], pts[:, 1])
    tips = []
    for i in range(4):  # each lobe's tip: its outline point farthest from the middle
        a, b = int(bottoms[i]), int(bottoms[(i + 1) % 4])
        idx = np.arange(a, b) if b > a else np.r_[np.arange(a, len(pts)), np.arange(0, b)]
        tips.append(pts[idx[int(np.argmax(dist[idx]))]])
    angle = [math.atan2(t[1], t[0]) for t in tips]
    opposite = min(abs(math.degrees((angle[i] - angle[i + 2] + math.pi) % (2 * math.pi) - math.pi)) for i in (0, 1))
    lines = (tips[0] - tips[2], tips[1] - tips[3])  # (dx, dy) from tip to opposite tip
    off = max(abs(math.degrees(math.atan2(abs(v[1]), abs(v[0]))) - 45.0) for v in lines)
    return Lobes(4, opposite, off, float(dist[bottoms].max() / dist.max()))


def features(
    mask: np.ndarray,
    inner: tuple[int, int, int, int],
    min_component_mm2: float,
    early_exit_mm2: float = 0.0,
    darkness: np.ndarray | None = None,
    hidden: np.ndarray | None = None,
    ring_shortcut: MarkThresholds | None = None,
) -> MarkFeatures:
    """`mask`: the box's voter ink (print gaps bridged); `hidden`: where print hides ink.
    `ring_shortcut`: when given, a mark that already is a closed ○ by these thresholds
    (a ring needs nothing from the skeleton, and a mark with a hole can be no × or √) is
    returned without its skeleton."""
    x0, y0, x1, y1 = inner
    inner_area = float((x1 - x0) * (y1 - y0))
    m8 = mask.astype(np.uint8)
    bx, by, bw, bh = cv2.boundingRect(m8)
    if bw == 0:
        return _shapeless(0.0, 0.0, 0)
    # Work on the ink's bounding box with the margin the shape steps use (below): several
    # times fewer pixels for every step; everything measured is the same.
    oy, ox = max(by - CROP_PAD_PX, 0), max(bx - CROP_PAD_PX, 0)
    view = (slice(oy, by + bh + CROP_PAD_PX), slice(ox, bx + bw + CROP_PAD_PX))
    m8 = m8[view]
    hidden = None if hidden is None else hidden[view]
    darkness = None if darkness is None else darkness[view]
    x0, y0, x1, y1 = x0 - ox, y0 - oy, x1 - ox, y1 - oy  # may lie outside the view: clamped where sliced
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m8, connectivity=8)
    keep = np.zeros(n, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_component_mm2 * PX2_PER_MM2  # dust, toner, noise
    clean = m8.astype(bool) if keep[1:].all() else keep[labels]
    ink_px = int(clean.sum())
    if ink_px == 0:
        return _shapeless(0.0, 0.0, 0)
    inside = (slice(max(y0, 0), max(y1, 0)), slice(max(x0, 0), max(x1, 0)))
    inside_px = int(clean[inside].sum())
    inner_fill = inside_px / inner_area
    ink_mm2 = ink_px / PX2_PER_MM2
    if ink_mm2 < early_exit_mm2:
        # Too little ink to be any mark: the classifier needs no shape, so skip the costly part.
        return replace(_shapeless(ink_mm2, inner_fill, int(keep.sum())), inside_share=inside_px / ink_px)
    hidden = np.zeros_like(clean) if hidden is None else hidden
    near, near_keep = _without_far_specks(labels, stats, keep, (x0, y0, x1, y1))
    if near.any() and near_keep.sum() < keep.sum():
        clean, keep = near, near_keep
        ink_px, inside_px = int(clean.sum()), int(clean[inside].sum())
    # The bounding box again: far specks may have gone (the shape does not depend on where
    # the box is).
    ys, xs = np.nonzero(clean)
    pad = CROP_PAD_PX
    oy, ox = max(int(ys.min()) - pad, 0), max(int(xs.min()) - pad, 0)
    crop = (slice(oy, int(ys.max()) + 1 + pad), slice(ox, int(xs.max()) + 1 + pad))
    clean, hidden = clean[crop], hidden[crop]
    darkness = None if darkness is None else darkness[crop]
    ys, xs = ys - oy, xs - ox
    bx0, bx1, by0, by1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
    bw, bh = bx1 - bx0, by1 - by0
    hull = cv2.convexHull(np.column_stack([xs, ys]).astype(np.int32))
    solidity = min(ink_px / max(float(cv2.contourArea(hull)), 1.0), 1.0)
    cx0, cx1, cy0, cy1 = bx0 + bw // 3, bx1 - bw // 3, by0 + bh // 3, by1 - bh // 3
    centre = clean[cy0:cy1, cx0:cx1]
    centre_ink = float(centre.mean()) if centre.size else 0.0

    solid = fill_specks(clean, int(SPECK_HOLE_MM2 * PX2_PER_MM2))
    # Paper specks under print are where a printed line crosses a wide stroke, not gaps
    # between the lines of a scribble.
    texture = float((solid & ~clean & ~hidden).sum()) / PX2_PER_MM2
    enclosed = _count_enclosed(solid)
    near_print = beside_print(hidden)
    notched = _print_notches_filled(solid, hidden)
    roughness = _roughness(notched)
    band_roughness = _band_roughness(notched, near_print, roughness)
    if ring_shortcut is not None:
        hole = _holes(solid, (bx0, by0, bx1, by1))
        contours, _ = cv2.findContours(solid.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
        perimeter = sum(cv2.arcLength(c, True) for c in contours)
        stroke = 2.0 * ink_px / max(perimeter, 1.0) / PX_PER_MM  # a band: area = width × half its edge
        quick = replace(
            _shapeless(ink_mm2, inner_fill, int(keep.sum())),
            inside_share=inside_px / ink_px,
            solidity=float(solidity), extent_mm=max(bw, bh) / PX_PER_MM, stroke_mm=stroke, loops=1,
            hole=hole, texture_mm2=texture, enclosed=enclosed, roughness=roughness,
            band_roughness=band_roughness, centre_ink=centre_ink,
        )
        # Only a thin closed ring takes the shortcut: a wide band is judged on its texture
        # and outline, which are measured properly only with the gaps joined (below).
        if stroke <= ring_shortcut.ring_textured_stroke_mm and _ring_evidence(quick, ring_shortcut)[0]:
            return quick

    # Skeleton, with short gaps joined.
    skel = thin(solid)
    stroke_px = ink_px / max(float(skel.sum()), 1.0)
    # Forks closer than this are one crossing; side branches shorter than this are spurs.
    # Both grow with the stroke's width, up to what a marker makes.
    merge = min(max(2.0 * stroke_px, 8.0), 3.0 * PX_PER_MM)
    spur = min(max(0.6 * stroke_px, SPUR_MM * PX_PER_MM), 2.0 * PX_PER_MM)
    skel, graph, nf = prune(skel, spur, merge)
    reach = int(1.5 * PX_PER_MM)
    linked, nlinks = link_gaps(
        solid, skel, graph, hidden, LINK_MM * PX_PER_MM, LINK_OVER_PRINT_MM * PX_PER_MM, reach, int(round(stroke_px))
    )
    if nlinks:
        skel, graph, nf = prune(thin(linked), spur, merge)
    brs, nforks = merge_passing(graph, nf)
    skel_len = sum(b.length for b in brs)
    stroke_px = ink_px / max(skel_len, 1.0)
    free_ends = sum((b.forks[0] == 0) + (b.forks[1] == 0) for b in brs if not b.loop)
    loops = sum(1 for b in brs if b.loop or (b.forks[0] and b.forks[0] == b.forks[1]))

    if nlinks or ring_shortcut is None:
        # With gaps joined (an open ○'s gap is no ragged edge) and the notches print cuts
        # into a wide stroke filled. (With no gap joined, both are as measured above.)
        hole = _holes(linked, (bx0, by0, bx1, by1))
        notched = _print_notches_filled(linked, hidden)
        roughness = _roughness(notched)
        band_roughness = _band_roughness(notched, near_print, roughness)

    turn_total, turn_sharp, turn_at = 0.0, 180.0, 0.5
    turn_y = curl = 0.0
    beside = 0.0
    step = max(int(1.5 * PX_PER_MM), int(stroke_px / 2))  # chords longer than pen tremor
    if nforks == 0 and len(brs) == 1 and not brs[0].loop:
        p = brs[0].points
        turn_total, turn_sharp, turn_at, turn_all = turning(p, min(step, len(p) // 4))
        # Turning that is not the corner's: a √'s two strokes are nearly straight; an open ○
        # whose end hooks back turns all the way round before its "corner".
        curl = max(turn_all - (180.0 - turn_sharp), 0.0)
        k = int(round(turn_at * (len(p) - 1)))
        turn_y = float((p[k][0] - by0) / max(bh, 1))
        # The two sides of the corner: remnants of a printed frame's corner (a photo whose
        # print the model missed) run beside print all along, a √'s strokes do not.
        q = p.astype(int)
        beside = max(float(near_print[a[:, 0], a[:, 1]].mean()) for a in (q[: k + 1], q[k:]))
    long_brs = [b for b in brs if b.length >= 3 * PX_PER_MM]
    smooth_clear = _smooth_clear_of(long_brs, hidden, step)
    # The ellipse is needed only for a ring in pieces or one open stroke (vision.marks.classify).
    pieces = free_ends >= 4 or int(keep.sum()) >= 2
    one_curve = nforks == 0 and free_ends == 2 and abs(turn_total) >= 180.0
    ring = _ring(skel, linked, hidden, stroke_px) if pieces or one_curve else NO_RING
    arms: tuple[float, ...] = ()
    straight, off_diagonal = 0.0, 45.0
    if nforks >= 1:
        # The main fork: the one with the most long arms.
        best = (-1, 0)
        for f in range(1, nforks + 1):
            count = sum((b.forks[0] == f) + (b.forks[1] == f) for b in brs)
            best = max(best, (count, -f))
        arms, straight, off_diagonal, beside = _arms(brs, -best[1], near_print)
    lighter = _lighter_middle(darkness, clean) if darkness is not None and solidity > 0.6 else False
    wide_blot = int(keep.sum()) == 1 and hole.count == 0 and enclosed == 0
    lobes = _lobes(solid) if wide_blot and stroke_px >= LOBES_MIN_STROKE_MM * PX_PER_MM else NO_LOBES
    evenness = _band_evenness(linked, skel)
    around_hole = _loop_evenness(linked, brs, near_print, stroke_px) if hole.count else None
    loop_evenness = evenness if around_hole is None else around_hole
    return MarkFeatures(
        ink_mm2=ink_mm2,
        inner_fill=inner_fill,
        inside_share=inside_px / ink_px,
        score=inner_fill,
        solidity=float(solidity),
        extent_mm=max(bw, bh) / PX_PER_MM,
        components=int(keep.sum()),
        stroke_mm=stroke_px / PX_PER_MM,
        skeleton_mm=skel_len / PX_PER_MM,
        links=nlinks,
        ends=int(free_ends),
        forks=nforks,
        loops=int(loops),
        hole=hole,
        texture_mm2=texture,
        enclosed=enclosed,
        roughness=roughness,
        band_roughness=band_roughness,
        ring=ring,
        turn_total=turn_total,
        turn_sharp=turn_sharp,
        turn_curl=curl,
        turn_at_y=turn_y,
        smooth_clear_deg=smooth_clear,
        arms=arms,
        arms_straight=straight,
        arms_off_diagonal=off_diagonal,
        arms_beside_print=beside,
        centre_ink=centre_ink,
        lighter_middle=lighter,
        band_evenness=evenness,
        loop_evenness=loop_evenness,
        lobes=lobes,
    )


@dataclass(frozen=True)
class Verdict:
    mark_class: MarkClass
    confidence: float
    marginal: bool  # near a threshold: people should look even if the class is definite
    why: str  # short English reason for the review queue and the logs
    rule: MarkRule  # which rule decided


def _margin(value: float, lo: float, hi: float) -> float:
    """0 at the threshold, 1 at twice the distance: a simple, monotone confidence."""
    span = max(hi - lo, 1e-9)
    return float(min(max((value - lo) / span, 0.0), 1.0))  # np.clip on a scalar is slow


def _ring_evidence(f: MarkFeatures, t: MarkThresholds) -> tuple[bool, str]:
    """A ○: paper enclosed by the ink, or pieces of ink that follow one ellipse all round,
    hidden only where print covers it; in both cases with nothing inside. (One open stroke
    is judged by how far it turns: _open_ring_evidence.)"""
    if f.extent_mm > t.ring_max_extent_mm:
        # Across the whole region: remnants of the printed frame all round (a photo whose
        # print the model missed), or more than one mark; a ○ over the frame is smaller.
        return False, ""
    r = f.ring
    empty_middle = r.found and r.inside_ink <= t.ring_max_inside_mm2
    h = f.hole
    closed = (
        h.centred
        and h.mm2 >= t.circle_min_hole_mm2
        and h.share >= t.ring_min_hole_share
        and h.convex >= t.ring_min_hole_convex
        and h.islands_mm2 <= t.ring_max_inside_mm2
    )
    # A band wider than any pen draws, or a wide band of overlapping lines (paper specks
    # inside it), is a scribble around a gap, not one pen's ○.
    thick = f.stroke_mm > t.ring_textured_stroke_mm
    scribbled = f.stroke_mm > t.ring_max_stroke_mm or (
        thick
        and (
            f.texture_mm2 > t.ring_max_texture_mm2
            or f.band_roughness > t.ring_max_roughness  # loops poking out of the band
            or f.hole.mm2 < t.ring_thick_min_hole_mm2  # blurred nearly shut: a marker ○ or a scribble?
            or (f.hole.mm2 < t.ring_thick_small_hole_mm2 and f.loop_evenness < t.ring_min_band_evenness)
        )
    )
    if closed and not scribbled:
        return True, "ring"
    # Pieces of one large ring, cut where it runs over the printed frame.
    followed = (
        (f.ends >= 4 or f.components >= 2)
        and r.found
        and r.on_curve >= t.ring_min_on_curve
        and r.inked >= t.ring_min_inked
        and r.inked_quarters >= t.ring_min_inked_quarters
        and r.inked + r.hidden >= 1.0 - t.ring_max_paper
        and r.paper <= t.ring_max_paper
        and r.longest_gap <= t.ring_max_gap
        and r.axes_mm[0] >= t.ring_pieces_min_axis_mm
        and r.axes_mm[0] >= t.ring_pieces_min_aspect * r.axes_mm[1]
        and f.smooth_clear_deg >= t.ring_min_smooth_deg
    )
    if followed and empty_middle and not scribbled:
        return True, "ring in pieces (over print or gaps)"
    return False, ""


def _cross_evidence(f: MarkFeatures, t: MarkThresholds) -> bool:
    """Two strokes crossing: a fork with four long arms pairing into two straight lines."""
    return (
        f.inside_share >= t.stroke_min_inside_share
        and f.forks >= 1
        and len(f.arms) == 4  # a fifth arm at the crossing: more strokes than two (a scribble)
        and f.arms[3] >= t.cross_min_arm_mm
        and f.arms_straight >= t.cross_min_straight_deg
        and f.arms_off_diagonal <= t.cross_max_off_diagonal_deg
        and f.arms_beside_print <= t.cross_max_beside_print  # an arm along a printed rule is no stroke of a ×
        and f.hole.count == 0
        and f.enclosed == 0  # a ○ around the × leaves paper between them, however small
        and f.solidity <= t.cross_max_solidity  # the centre line of a filled box is an × too
        and not (f.stroke_mm > t.cross_wide_stroke_mm and f.band_evenness < t.cross_min_evenness)
        and f.inner_fill < t.filled_min_fill
        and f.texture_mm2 <= t.stroke_max_texture_mm2
        and f.centre_ink >= t.cross_min_centre
        and not _blot_with_arms(f, t)
    )


def _blot_with_arms(f: MarkFeatures, t: MarkThresholds) -> bool:
    """A wide blot whose four lobes are short bumps on its rim, and whose width varies: a ○
    with a × in it drawn with a felt tip and blurred shut, or a scribbled-over ×. Its
    skeleton can show four straight arms all the same."""
    lb = f.lobes
    return (
        f.stroke_mm >= t.fat_cross_min_stroke_mm
        and lb.count == 4
        and lb.valley > t.fat_cross_max_valley
        and f.band_evenness < t.fat_cross_min_evenness
    )


def _fat_cross_evidence(f: MarkFeatures, t: MarkThresholds) -> bool:
    """A × drawn so wide for its length (a felt tip) that its skeleton shows no four arms:
    its outline is four lobes in two straight pairs, the notches between them reaching in
    near the middle, and the strokes about as wide all along. (A ○ with a × in it, blurred
    shut, is a disc with shallow notches near its rim; a scribbled-over × is uneven or
    textured; one with a hole is no ×.)"""
    lb = f.lobes
    return (
        f.stroke_mm >= t.fat_cross_min_stroke_mm
        and lb.count == 4
        and lb.opposite_deg >= t.fat_cross_min_opposite_deg
        and lb.off_diagonal_deg <= t.cross_max_off_diagonal_deg
        and lb.valley <= t.fat_cross_max_valley
        and f.components == 1
        and f.inside_share >= t.stroke_min_inside_share
        and f.hole.count == 0
        and f.enclosed == 0
        and f.inner_fill < t.filled_min_fill
        and f.texture_mm2 <= t.stroke_max_texture_mm2
        and f.band_evenness >= t.fat_cross_min_evenness
        and f.centre_ink >= t.cross_min_centre
    )


def _tick_evidence(f: MarkFeatures, t: MarkThresholds) -> bool:
    """One stroke with one sharp corner low in the mark: √."""
    return (
        f.inside_share >= t.stroke_min_inside_share
        and f.forks == 0
        and f.ends == 2
        and f.loops == 0
        and f.turn_sharp <= t.tick_max_turn_deg
        and f.turn_at_y >= t.tick_min_turn_y
        and abs(f.turn_total) <= t.tick_max_total_turn_deg
        and f.turn_curl <= t.tick_max_curl_deg  # an open ○ whose end hooks back has a corner too
        and f.arms_beside_print <= t.tick_max_beside_print  # a printed frame's corner, left over
        and f.texture_mm2 <= t.stroke_max_texture_mm2  # paper specks between many lines: a scribble
        and f.hole.count == 0
        and f.enclosed == 0
    )


def _open_ring_evidence(f: MarkFeatures, t: MarkThresholds) -> bool:
    """One stroke turning one way through most of a turn, nothing inside: a ○ left open."""
    return (
        f.forks == 0
        and f.ends == 2
        and abs(f.turn_total) >= t.open_ring_min_turn_deg
        and f.smooth_clear_deg >= t.open_ring_min_smooth_deg
        and f.ring.found
        and f.ring.inside_ink <= t.ring_max_inside_mm2
    )


def never_filled(f: MarkFeatures, t: MarkThresholds) -> bool:
    """Paper enclosed in the middle, or a lighter middle: a ○ drawn thick or blurred shut,
    never a fill (by the rules, or by the shape model: vision.shape_model)."""
    return f.lighter_middle or (f.hole.centred and f.hole.mm2 >= t.circle_min_hole_mm2)


AROUND_BINS = 36  # directions from the box's middle, 10° each
AROUND_SPREAD = 0.3  # the ink's distance from the middle varies by at most this share: a ring
AROUND_MIN_INKED = 0.8  # of the directions hold the ring's own ink…
AROUND_MAX_HIDDEN = 4  # …and at most this many in a row (40°) may be hidden by print instead
AROUND_NEAR_PX = 3  # print "at the ring's distance": within this of the neighbouring ink's
AROUND_MAX_ALONG_PRINT = 0.85  # of the ink within 0.5 mm of print: remnants of a printed frame, not a pen's ring


def encircles_box(ink: np.ndarray, hidden: np.ndarray, inner: tuple[int, int, int, int]) -> bool:
    """Whether the ink is a ring around the middle of the box (`inner`, region px): its
    distance from the middle about one (within AROUND_SPREAD), ring ink in most directions
    from the middle, and every direction without it a short run where print, at the ring's
    own distance, would hide it (a ○ drawn around the box runs under the frame's corners).
    An initial, a stroke along one or two sides, half a ring, or the remnants of a printed
    frame in a photo is none. (A gap narrower than one direction, 10°, goes unseen: a ○ may
    have one.)"""
    ys, xs = np.nonzero(ink)
    bins = AROUND_BINS
    if len(ys) < bins or (beside_print(hidden) & ink).sum() > AROUND_MAX_ALONG_PRINT * len(ys):
        return False
    x0, y0, x1, y1 = inner
    cx, cy = (x0 + x1 - 1) / 2, (y0 + y1 - 1) / 2
    radius = np.hypot(xs - cx, ys - cy)
    lo, hi = np.percentile(radius, (5, 95))
    if hi - lo > AROUND_SPREAD * (lo + hi):
        return False
    ring = (radius >= lo) & (radius <= hi)
    at = np.floor(np.arctan2(ys - cy, xs - cx) / (2 * np.pi) * bins).astype(int) % bins
    inked = np.bincount(at[ring], minlength=bins) > 0
    if inked.mean() < AROUND_MIN_INKED or longest_circular_run(~inked) > AROUND_MAX_HIDDEN:
        return False
    h, w = ink.shape
    for b in np.flatnonzero(~inked):
        # The ring's distance here: that of its ink in the nearest directions on both sides.
        apart = np.minimum((at - b) % bins, (b - at) % bins)
        r0 = float(np.median(radius[ring & (apart <= AROUND_MAX_HIDDEN + 1)]))
        a = 2 * np.pi * (b + 0.5) / bins
        r = np.arange(r0 - AROUND_NEAR_PX, r0 + AROUND_NEAR_PX + 1)
        px = np.round(cx + r * np.cos(a)).astype(int)
        py = np.round(cy + r * np.sin(a)).astype(int)
        if px.min() < 0 or py.min() < 0 or px.max() >= w or py.max() >= h or not hidden[py, px].any():
            return False  # bare paper (or the region's edge) where the ring should be: not closed
    return True


def classify(f: MarkFeatures, t: MarkThresholds, faint_mm2: float = 0.0, ink_darkness: float = 1.0) -> Verdict:
    """`faint_mm2`: connected ink lighter than a stroke (vision.ink.faint_ink_mm2); an empty
    box must have almost none, or it is a light mark people should look at. `ink_darkness`:
    the median voter darkness of the box's ink; a ○, × or √ in ink lighter than
    `vote_min_darkness` is a faint mark, for people."""
    v = _classify(f, t, faint_mm2)
    if v.mark_class in SYMBOLS and ink_darkness < t.vote_min_darkness:
        why = f"{v.mark_class.value} in light ink (median darkness {ink_darkness:.2f}): a faint mark?"
        return Verdict(MarkClass.UNCLEAR, 0.0, True, why, MarkRule.FAINT)
    return v


def _classify(f: MarkFeatures, t: MarkThresholds, faint_mm2: float) -> Verdict:
    if f.ink_mm2 <= t.empty_max_mm2 and faint_mm2 > t.faint_max_mm2:
        return Verdict(MarkClass.UNCLEAR, 0.0, True, f"faint ink ({faint_mm2:.1f} mm²): a light mark?", MarkRule.FAINT)
    if f.ink_mm2 <= t.empty_max_mm2:
        conf = 1.0 - 0.5 * f.ink_mm2 / max(t.empty_max_mm2, 1e-9)
        return Verdict(MarkClass.EMPTY, conf, False, "no ink", MarkRule.NO_INK)
    if f.ink_mm2 < t.mark_min_mm2:
        if faint_mm2 > t.faint_max_mm2:
            # A speck with light ink around it: the darkest part of a light mark that a
            # blurred photo shows only faintly (seed 73,100,323: a light ○), never empty.
            why = f"tiny ink ({f.ink_mm2:.1f} mm²) in faint ink ({faint_mm2:.1f} mm²): a light mark?"
            return Verdict(MarkClass.UNCLEAR, 0.0, True, why, MarkRule.FAINT)
        return Verdict(MarkClass.UNCLEAR, 0.0, True, f"faint or tiny ink ({f.ink_mm2:.1f} mm²)", MarkRule.TINY)
    ring, ring_why = _ring_evidence(f, t)
    solid = f.solidity >= t.filled_min_solidity
    holed = never_filled(f, t)
    if not ring and not holed and f.inner_fill >= t.filled_min_fill and solid:
        return Verdict(MarkClass.FILLED, max(_margin(f.solidity, 0.5, 1.0), 0.5), False, "box filled", MarkRule.FILLED)
    simple = f.forks <= 1 and f.hole.count <= 1 and f.loops <= 1
    if f.inner_fill >= t.scribble_min_fill and not simple and not (ring and f.hole.count <= 1):
        why = f"dense ink ({f.inner_fill:.0%} of the box): a correction?"
        return Verdict(MarkClass.UNCLEAR, 0.0, True, why, MarkRule.DENSE)
    if f.inner_fill < t.mark_min_inside:
        return Verdict(MarkClass.UNCLEAR, 0.0, True, "ink beside the box, hardly in it", MarkRule.BESIDE)
    if f.extent_mm < t.min_extent_mm:
        return Verdict(MarkClass.UNCLEAR, 0.0, True, f"small mark ({f.extent_mm:.1f} mm)", MarkRule.SMALL)
    circle = ring or _open_ring_evidence(f, t)
    crossing = _cross_evidence(f, t)
    fat_cross = not crossing and _fat_cross_evidence(f, t)
    shapes = (("circle", circle), ("cross", crossing or fat_cross), ("tick", _tick_evidence(f, t)))
    votes = [name for name, hit in shapes if hit]
    if len(votes) != 1:
        what = " and ".join(votes) if votes else "no known shape"
        return Verdict(
            MarkClass.UNCLEAR,
            0.0,
            True,
            f"{what} (ends {f.ends}, forks {f.forks}, holes {f.hole.count}, loops {f.loops})",
            MarkRule.CONFLICT if votes else MarkRule.NO_SHAPE,
        )
    if votes[0] == "circle":
        return Verdict(MarkClass.CIRCLE, 1.0 if ring else 0.7, False, ring_why or "open ring", MarkRule.SHAPE)
    if votes[0] == "cross" and fat_cross:
        conf = _margin(t.fat_cross_max_valley - f.lobes.valley, 0.0, t.fat_cross_max_valley)
        return Verdict(MarkClass.CROSS, max(conf, 0.5), False, "wide crossing strokes (four lobes)", MarkRule.SHAPE)
    if votes[0] == "cross":
        conf = _margin(f.centre_ink, t.cross_min_centre, 2 * t.cross_min_centre)
        return Verdict(MarkClass.CROSS, max(conf, 0.5), False, "crossing strokes", MarkRule.SHAPE)
    conf = _margin(t.tick_max_turn_deg - f.turn_sharp, 0.0, 40.0)
    return Verdict(MarkClass.TICK, max(conf, 0.5), False, "two strokes meeting at a corner", MarkRule.SHAPE)
