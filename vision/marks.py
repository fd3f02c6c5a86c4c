"""Classify the voter ink of one box: empty, filled, ○, ×, √ or unclear.

Telling ○ from × is the core of an election count, so the classifier is built to refuse
rather than risk a misread: each class needs its own evidence AND no evidence for a rival
class; everything else is `unclear` and goes to scrutineers with its crop.

Evidence, all measured on the ink mask in canonical page space (8 px/mm):
- ink area (mm²) against the calibrated empty / mark thresholds;
- fill: the share of the box interior that is inked;
- a hole: the ink (after closing gaps up to ~1.5 mm) encloses paper → a ring;
- angular coverage: the share of directions around the ink's centre that meet ink;
- the skeleton: endpoints, junctions, and for a two-ended stroke the sharpest turn;
- the centre: a × crosses near the middle of its bounding box; a √ leaves it empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from calibration.profile import MarkThresholds
from vision.reading import MarkClass
from vision.templates import PX_PER_MM

PX2_PER_MM2 = PX_PER_MM * PX_PER_MM


@dataclass(frozen=True)
class MarkFeatures:
    ink_mm2: float  # voter ink over the box and its margin
    inner_fill: float  # share of the box interior inked
    score: float  # ink inside the box over the box area (the reported score)
    hole_ratio: float  # largest enclosed paper area / ink bounding-box area
    hole_centred: bool
    hole_mm2: float  # area of that enclosed paper
    coverage: float  # share of 32 directions around the ink centre that meet ink
    endpoints: int
    junctions: int
    turn_deg: float  # sharpest turn along a two-ended stroke (180 = straight)
    turn_y: float  # where that turn is, from the top (0) to the bottom (1) of the ink
    solidity: float  # ink area / its convex hull area: 1 for a solid fill
    centre_ink: float  # ink share in the middle ninth of the ink bounding box
    extent_mm: float  # larger side of the ink bounding box
    components: int


def _guo_hall_luts() -> tuple[np.ndarray, np.ndarray]:
    """Deletion tables of Guo & Hall's two-subiteration thinning (1989), indexed by the
    8-neighbour code. Unlike Zhang–Suen it never erases a two-pixel-thick diagonal."""
    luts = (np.zeros(256, dtype=bool), np.zeros(256, dtype=bool))
    for code in range(256):
        x = [(code >> i) & 1 for i in range(8)]  # x1..x8: E, NE, N, NW, W, SW, S, SE
        x1, x2, x3, x4, x5, x6, x7, x8 = x
        xs = [*x, x1]
        crossing = sum(1 for i in range(4) if xs[2 * i] == 0 and (xs[2 * i + 1] or xs[2 * i + 2]))
        n1 = sum(xs[2 * k] | xs[2 * k + 1] for k in range(4))
        n2 = sum(xs[2 * k + 1] | xs[2 * k + 2] for k in range(4))
        if crossing != 1 or not 2 <= min(n1, n2) <= 3:
            continue
        luts[0][code] = ((x2 | x3 | (1 - x8)) & x1) == 0
        luts[1][code] = ((x6 | x7 | (1 - x4)) & x5) == 0
    return luts


_LUTS = _guo_hall_luts()
# Weights of the neighbours E, NE, N, NW, W, SW, S, SE in a 3×3 window (row = y).
_CODE = np.array([[8, 4, 2], [16, 0, 1], [32, 64, 128]], dtype=np.float32)


def thin(mask: np.ndarray) -> np.ndarray:
    """Thin a binary mask to a one-pixel, 8-connected skeleton."""
    img = mask.astype(np.uint8)
    while True:
        changed = False
        for lut in _LUTS:
            code = cv2.filter2D(img.astype(np.float32), -1, _CODE, borderType=cv2.BORDER_CONSTANT).astype(np.int32)
            delete = lut[code] & (img == 1)
            if delete.any():
                img[delete] = 0
                changed = True
        if not changed:
            return img.astype(bool)


def _crossing_luts() -> np.ndarray:
    """Crossing number of every 8-neighbour code: the 0→1 steps going once around the ring.
    An end has 1, a line 2 (a staircase corner too), a fork 3 or more. Counting neighbours
    instead mistakes the staircase pixels that thinning leaves for ends and forks."""
    ring = [1, 2, 4, 8, 16, 32, 64, 128]  # E, NE, N, NW, W, SW, S, SE: cyclic order
    lut = np.zeros(256, dtype=np.int32)
    for code in range(256):
        bits = [1 if code & b else 0 for b in ring]
        lut[code] = sum(1 for i in range(8) if bits[i] == 0 and bits[(i + 1) % 8] == 1)
    return lut


_CROSSING = _crossing_luts()


def _crossing(skel: np.ndarray) -> np.ndarray:
    """Crossing number per pixel (0 off the skeleton)."""
    code = cv2.filter2D(skel.astype(np.float32), -1, _CODE, borderType=cv2.BORDER_CONSTANT).astype(np.int32)
    return _CROSSING[code] * skel


def _forks(skel: np.ndarray) -> np.ndarray:
    """Fork pixels: crossing number ≥ 3, or part of a 2×2 block — thinning leaves a crossing
    of two strokes as a 2×2 block whose pixels each have crossing number 2."""
    sk = skel.astype(np.uint8)
    block = np.zeros_like(sk)
    quad = sk[:-1, :-1] & sk[1:, :-1] & sk[:-1, 1:] & sk[1:, 1:]
    for dy in (0, 1):
        for dx in (0, 1):
            block[dy : dy + quad.shape[0], dx : dx + quad.shape[1]] |= quad
    return (_crossing(skel) >= 3) | block.astype(bool)


_STEPS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx]


def _walk(
    pixels: set[tuple[int, int]], forks: np.ndarray, start: tuple[int, int], limit: int
) -> tuple[list[tuple[int, int]], bool]:
    """Follow a skeleton from `start` until an end, a fork (see _forks) or `limit` pixels;
    returns the path and whether it stopped at a fork."""
    path = [start]
    seen = {start}
    while len(path) <= limit:
        y, x = path[-1]
        if len(path) > 1 and forks[y, x]:
            return path, True
        nxt = [(y + dy, x + dx) for dy, dx in _STEPS if (y + dy, x + dx) in pixels and (y + dy, x + dx) not in seen]
        if not nxt:
            return path, False
        # Prefer the 4-neighbour of a staircase step, and leave its diagonal twin behind.
        nxt.sort(key=lambda q: abs(q[0] - y) + abs(q[1] - x))
        seen.update(nxt)
        path.append(nxt[0])
    return path, False


def _prune(skel: np.ndarray, max_len: int) -> np.ndarray:
    """Remove short spurs (thick strokes and pen blots grow them) from their ends."""
    skel = skel.copy()
    cn = _crossing(skel)
    forks = _forks(skel)
    pixels = set(zip(*np.nonzero(skel), strict=True))
    for y, x in zip(*np.nonzero(cn == 1), strict=True):
        path, at_fork = _walk(pixels, forks, (int(y), int(x)), max_len)
        if at_fork and len(path) <= max_len:
            for q in path[:-1]:  # keep the fork pixel itself
                skel[q] = False
                pixels.discard(q)
    return skel


def _turn(skel: np.ndarray) -> tuple[float, tuple[float, float]]:
    """Sharpest turn (degrees, 180 = straight) along a skeleton with two ends, and where it
    is (y, x in px)."""
    cn = _crossing(skel)
    ends = np.argwhere(cn == 1)
    if len(ends) != 2:
        return 180.0, (0.0, 0.0)
    pixels = set(zip(*np.nonzero(skel), strict=True))
    path, _ = _walk(pixels, _forks(skel), (int(ends[0][0]), int(ends[0][1])), len(pixels))
    pts = np.array(path, dtype=np.float64)
    k = max(int(1.5 * PX_PER_MM), 3)
    if len(pts) <= 2 * k:
        return 180.0, (0.0, 0.0)
    a = pts[: -2 * k] - pts[k:-k]
    b = pts[2 * k :] - pts[k:-k]
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-9)
    ang = np.degrees(np.arccos(np.clip(cos, -1, 1)))
    i = int(np.argmin(ang))
    return float(ang[i]), (float(pts[k + i][0]), float(pts[k + i][1]))


def _shapeless(ink_mm2: float, inner_fill: float, components: int) -> MarkFeatures:
    """Features of ink too slight to have a shape worth measuring."""
    return MarkFeatures(
        ink_mm2=ink_mm2,
        inner_fill=inner_fill,
        score=inner_fill,
        hole_ratio=0.0,
        hole_centred=False,
        hole_mm2=0.0,
        coverage=0.0,
        endpoints=0,
        junctions=0,
        turn_deg=180.0,
        turn_y=0.0,
        solidity=0.0,
        centre_ink=0.0,
        extent_mm=0.0,
        components=components,
    )


def _largest_hole(mask: np.ndarray, bbox: tuple[int, int, int, int]) -> tuple[float, bool]:
    """Largest region of paper the ink encloses: its area over the ink's bounding box, and
    whether it sits in the middle of the ink."""
    bx0, by0, bx1, by1 = bbox
    bw, bh = bx1 - bx0, by1 - by0
    flood = np.pad(mask, 1).copy()
    cv2.floodFill(flood, None, (0, 0), 1)
    holes = (flood[1:-1, 1:-1] == 0).astype(np.uint8)
    hn, _, hs, hc = cv2.connectedComponentsWithStats(holes, connectivity=4)
    if hn <= 1:
        return 0.0, False
    j = 1 + int(np.argmax(hs[1:, cv2.CC_STAT_AREA]))
    cx, cy = hc[j]
    centred = abs(cx - (bx0 + bx1) / 2) < 0.25 * bw and abs(cy - (by0 + by1) / 2) < 0.25 * bh
    return float(hs[j, cv2.CC_STAT_AREA]) / float(bw * bh), bool(centred)


def features(
    mask: np.ndarray, inner: tuple[int, int, int, int], min_component_mm2: float, early_exit_mm2: float = 0.0
) -> MarkFeatures:
    x0, y0, x1, y1 = inner
    inner_area = float((x1 - x0) * (y1 - y0))
    # Drop specks: dust, toner, scanner noise.
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_component_mm2 * PX2_PER_MM2
    clean = keep[labels]
    ink_px = int(clean.sum())
    inner_ink = int(clean[y0:y1, x0:x1].sum())
    if ink_px == 0:
        return _shapeless(0.0, 0.0, 0)
    ink_mm2 = ink_px / PX2_PER_MM2
    inner_fill = inner_ink / inner_area
    if ink_mm2 < early_exit_mm2:
        # Too little ink to be any mark: the classifier needs no shape, so skip the costly part.
        return _shapeless(ink_mm2, inner_fill, int(keep.sum()))
    ys, xs = np.nonzero(clean)
    bx0, bx1, by0, by1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    bw, bh = bx1 - bx0, by1 - by0

    # Hole: close gaps of about 1.5 mm, then fill from the outside; paper left is enclosed.
    k = int(1.5 * PX_PER_MM) | 1
    closed = cv2.morphologyEx(
        clean.astype(np.uint8), cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    )
    # Enclosed paper, on the ink as it is (a thick marker ○ has a small hole that closing
    # would fill) and after closing (a ○ drawn with a small gap): the larger wins.
    hole_ratio, hole_centred = 0.0, False
    for m in (clean.astype(np.uint8), closed):
        r_, c_ = _largest_hole(m, (bx0, by0, bx1, by1))
        if r_ > hole_ratio:
            hole_ratio, hole_centred = r_, c_
    hole_mm2 = hole_ratio * bw * bh / PX2_PER_MM2

    # Angular coverage around the ink's bounding-box centre.
    ccx, ccy = (bx0 + bx1) / 2, (by0 + by1) / 2
    ang = np.arctan2(ys - ccy, xs - ccx)
    r = np.hypot(ys - ccy, xs - ccx)
    far = r > 0.25 * max(bw, bh) / 2
    bins = np.unique(((ang[far] + np.pi) / (2 * np.pi) * 32).astype(int) % 32)
    coverage = len(bins) / 32.0

    # Centre ninth of the bounding box.
    cx0, cx1 = bx0 + bw // 3, bx1 - bw // 3
    cy0, cy1 = by0 + bh // 3, by1 - bh // 3
    centre = clean[cy0:cy1, cx0:cx1]
    centre_ink = float(centre.mean()) if centre.size else 0.0

    hull = cv2.convexHull(np.column_stack([xs, ys]).astype(np.int32))
    solidity = ink_px / max(float(cv2.contourArea(hull)), 1.0)

    skel = _prune(thin(clean), max_len=int(1.2 * PX_PER_MM))
    cn = _crossing(skel)
    endpoints = int((cn == 1).sum())
    jn, _ = cv2.connectedComponents(_forks(skel).astype(np.uint8), connectivity=8)
    turn_deg, (ty, _tx) = _turn(skel) if endpoints == 2 else (180.0, (0.0, 0.0))
    return MarkFeatures(
        ink_mm2=ink_mm2,
        inner_fill=inner_fill,
        score=inner_fill,
        hole_ratio=hole_ratio,
        hole_centred=hole_centred,
        hole_mm2=hole_mm2,
        coverage=coverage,
        endpoints=endpoints,
        junctions=jn - 1,
        turn_deg=turn_deg,
        turn_y=float((ty - by0) / max(bh, 1)),
        solidity=float(min(solidity, 1.0)),
        centre_ink=centre_ink,
        extent_mm=max(bw, bh) / PX_PER_MM,
        components=int(keep.sum()),
    )


@dataclass(frozen=True)
class Verdict:
    mark_class: MarkClass
    confidence: float
    marginal: bool  # near a threshold: people should look even if the class is definite
    why: str  # short English reason for the review queue and the logs


def _margin(value: float, lo: float, hi: float) -> float:
    """0 at the threshold, 1 at twice the distance: a simple, monotone confidence."""
    span = max(hi - lo, 1e-9)
    return float(np.clip((value - lo) / span, 0.0, 1.0))


def _encloses_paper(f: MarkFeatures, t: MarkThresholds) -> bool:
    """Paper in the middle of the ink: a large share of it, or a closed loop around a
    small but real hole (a ○ drawn with a marker)."""
    return f.hole_centred and (
        f.hole_ratio >= t.circle_min_hole or (f.hole_mm2 >= t.circle_min_hole_mm2 and f.endpoints == 0)
    )


def classify(f: MarkFeatures, t: MarkThresholds, faint_mm2: float = 0.0) -> Verdict:
    """`faint_mm2`: connected ink lighter than a stroke (vision.ink.faint_ink_mm2); an empty
    box must have almost none, or it is a light mark people should look at."""
    if f.ink_mm2 <= t.empty_max_mm2 and faint_mm2 > t.faint_max_mm2:
        return Verdict(MarkClass.UNCLEAR, 0.0, True, f"faint ink ({faint_mm2:.1f} mm²): a light mark?")
    if f.ink_mm2 <= t.empty_max_mm2:
        return Verdict(MarkClass.EMPTY, 1.0 - 0.5 * f.ink_mm2 / max(t.empty_max_mm2, 1e-9), False, "no ink")
    if f.ink_mm2 < t.mark_min_mm2:
        return Verdict(MarkClass.UNCLEAR, 0.0, True, f"faint or tiny ink ({f.ink_mm2:.1f} mm²)")
    ring_hole = _encloses_paper(f, t)  # a thick marker ○ is no fill
    solid = f.solidity >= t.filled_min_solidity and f.inner_fill >= t.scribble_min_fill
    if not ring_hole and (f.inner_fill >= t.filled_min_fill or solid):
        return Verdict(MarkClass.FILLED, max(_margin(f.solidity, 0.5, 1.0), 0.5), False, "box filled")
    if f.inner_fill >= t.scribble_min_fill and not ring_hole:
        return Verdict(MarkClass.UNCLEAR, 0.0, True, f"dense ink ({f.inner_fill:.0%} of the box): a correction?")
    if f.extent_mm < t.min_extent_mm:
        return Verdict(MarkClass.UNCLEAR, 0.0, True, f"small mark ({f.extent_mm:.1f} mm)")

    ring = ring_hole and f.coverage >= t.circle_min_coverage
    crossing = f.junctions >= 1 and f.endpoints >= 3 and f.centre_ink >= t.cross_min_centre
    tick = (
        f.endpoints == 2
        and f.junctions == 0
        and f.turn_deg <= t.tick_max_turn_deg
        and f.turn_y >= t.tick_min_turn_y  # a √ turns at its bottom; a < or ∧ is not a tick
        and f.hole_ratio < t.circle_min_hole / 2
    )
    open_ring = (
        not ring
        and f.endpoints == 2
        and f.junctions == 0
        and f.coverage >= t.open_circle_min_coverage
        and f.centre_ink <= t.tick_max_centre
        and f.turn_deg > t.tick_max_turn_deg
    )
    votes = [name for name, hit in (("circle", ring or open_ring), ("cross", crossing), ("tick", tick)) if hit]
    if len(votes) != 1:
        what = " and ".join(votes) if votes else "no known shape"
        return Verdict(MarkClass.UNCLEAR, 0.0, True, f"{what} (ends {f.endpoints}, junctions {f.junctions})")
    if votes[0] == "circle":
        conf = (
            min(_margin(f.coverage, t.open_circle_min_coverage, 1.0), 1.0)
            if open_ring
            else _margin(f.hole_ratio, t.circle_min_hole, 2 * t.circle_min_hole)
        )
        marginal = open_ring and f.coverage < t.open_circle_sure_coverage
        return Verdict(MarkClass.CIRCLE, max(conf, 0.5), marginal, "open ring" if open_ring else "ring")
    if votes[0] == "cross":
        conf = _margin(f.centre_ink, t.cross_min_centre, 2 * t.cross_min_centre)
        return Verdict(MarkClass.CROSS, max(conf, 0.5), f.components > 2, "crossing strokes")
    conf = _margin(t.tick_max_turn_deg - f.turn_deg, 0.0, 40.0)
    return Verdict(MarkClass.TICK, max(conf, 0.5), False, "two strokes meeting at a corner")
