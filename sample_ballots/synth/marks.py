"""The shapes voters draw in a mark box, one function per family of MarkKind.

Each returns strokes in millimetres relative to the box centre; `hs` is half the box side
(5 mm on the demo ballots). Sizes are drawn from ranges wide enough that no two ballots
look alike, yet every non-ambiguous shape stays what its class says: a circle is closed or
nearly so, a cross has two strokes that cross, a tick has a short and a long arm.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sample_ballots.synth.hand import Hand, Stroke, rotate, smooth_noise, stroke
from sample_ballots.synth.truth import AMBIGUOUS_KINDS, CIRCLE_KINDS, CROSS_KINDS, MarkKind

TAU = 2 * math.pi


def circle_path(
    rng: np.random.Generator,
    r: float,
    *,
    aspect: float = 1.0,
    sweep: float = TAU,
    drift: float = 0.0,
    wobble: float = 0.0,
    start: float | None = None,
    rot: float | None = None,
    direction: float | None = None,
) -> np.ndarray:
    """An ellipse-like loop; `drift` makes it a spiral, `wobble` a lumpy one."""
    start = float(rng.uniform(0, TAU)) if start is None else start
    if direction is None:
        direction = -1.0 if rng.random() < 0.7 else 1.0  # most people draw ○ anticlockwise
    n = max(16, int(abs(sweep) * r / 0.2))
    t = np.linspace(0.0, 1.0, n)
    theta = start + direction * sweep * t
    rr = r * (1.0 + drift * (t - 0.5))
    if wobble:
        rr = rr * (1.0 + wobble * smooth_noise(rng, n, max(3, n // 8)))
    pts = np.column_stack([rr * np.cos(theta), aspect * rr * np.sin(theta)])
    return rotate(pts, float(rng.uniform(0, math.pi)) if rot is None else rot)


def line_path(p0: tuple[float, float], p1: tuple[float, float], bow: float = 0.0) -> np.ndarray:
    """A straight line, or a slightly bowed one (quadratic curve with its middle pushed sideways)."""
    a, b = np.array(p0), np.array(p1)
    t = np.linspace(0.0, 1.0, 24)[:, None]
    normal = np.array([-(b - a)[1], (b - a)[0]])
    mid = (a + b) / 2 + bow * normal
    return (1 - t) ** 2 * a + 2 * t * (1 - t) * mid + t**2 * b


@dataclass(frozen=True)
class _Loop:
    """Ranges for one kind of circle: radius (× half the box), aspect, sweep beyond one turn
    (radians; negative leaves a gap), spiral drift and wobble."""

    radius: tuple[float, float]
    aspect: tuple[float, float] = (0.85, 1.12)
    extra: tuple[float, float] = (0.05, 0.5)
    drift: tuple[float, float] = (0.0, 0.0)
    wobble: tuple[float, float] = (0.02, 0.02)
    tremor: float = 1.0
    by_hand: bool = True  # scaled by the hand's size (a small or large circle is small or large anyway)


_LOOPS: dict[MarkKind, _Loop] = {
    MarkKind.CIRCLE: _Loop((0.55, 0.78), drift=(-0.08, 0.08)),
    MarkKind.CIRCLE_GAP: _Loop((0.55, 0.78), extra=(-1.2, -0.45)),
    MarkKind.CIRCLE_OVAL: _Loop((0.65, 0.82), aspect=(0.5, 0.72), extra=(0.0, 0.4)),
    MarkKind.CIRCLE_DOUBLE: _Loop((0.55, 0.72), extra=(TAU, TAU + 0.6), drift=(0.12, 0.25)),
    MarkKind.CIRCLE_SMALL: _Loop((0.30, 0.42), extra=(0.05, 0.4), by_hand=False),
    MarkKind.CIRCLE_LARGE: _Loop((0.98, 1.2), aspect=(0.88, 1.1), extra=(0.05, 0.4), wobble=(0.03, 0.03),
                                 by_hand=False),
    MarkKind.CIRCLE_WOBBLY: _Loop((0.55, 0.78), aspect=(0.8, 1.15), extra=(0.1, 0.5), wobble=(0.06, 0.11),
                                  tremor=2.5),
    MarkKind.HALF_CIRCLE: _Loop((0.55, 0.75), aspect=(0.9, 1.1), extra=(-0.7 * TAU, -0.5 * TAU)),
}
HOLE_MM = 1.2  # every circle keeps a hole at least this wide inside its line, even drawn with a marker


def circle(rng: np.random.Generator, hand: Hand, kind: MarkKind, hs: float, pen_width: float) -> list[Stroke]:
    if kind is MarkKind.CIRCLE_HESITANT:
        return _hesitant_circle(rng, hand, max(hs * rng.uniform(0.55, 0.75) * hand.size, pen_width / 2 + HOLE_MM))
    loop = _LOOPS[kind]
    aspect = float(rng.uniform(*loop.aspect))
    r = hs * rng.uniform(*loop.radius) * (hand.size if loop.by_hand else 1.0)
    r = max(r, (pen_width / 2 + HOLE_MM) / min(1.0, aspect))
    path = circle_path(rng, r, aspect=aspect, sweep=TAU + rng.uniform(*loop.extra), drift=rng.uniform(*loop.drift),
                       wobble=rng.uniform(*loop.wobble))
    return [stroke(rng, hand, path, tremor_scale=loop.tremor)]


def _hesitant_circle(rng: np.random.Generator, hand: Hand, r: float) -> list[Stroke]:
    """A circle drawn in two or three arcs, each restarting a little off the last one's end."""
    k = int(rng.integers(2, 4))
    start = float(rng.uniform(0, TAU))
    strokes = []
    for i in range(k):
        arc_start = start - i * TAU / k + rng.normal(0, 0.12)
        path = circle_path(rng, r * rng.uniform(0.9, 1.1), start=arc_start, rot=0.0, direction=-1.0,
                           sweep=TAU / k + rng.uniform(0.2, 0.5), wobble=0.03)
        path += rng.normal(0, r * 0.05, 2)  # each restart lands a little off the line
        strokes.append(stroke(rng, hand, path, tremor_scale=1.5))
    return strokes


def cross(rng: np.random.Generator, hand: Hand, kind: MarkKind, hs: float) -> list[Stroke]:
    a = hs * rng.uniform(0.55, 0.8) * hand.size
    cx = cy = 0.0
    a1 = math.radians(45 + rng.normal(0, 6))
    a2 = math.radians(135 + rng.normal(0, 6))
    l1 = l2 = 2 * a * math.sqrt(2)  # arm ends at (±a, ±a)
    if kind is MarkKind.CROSS_ASYMMETRIC:
        cx, cy = rng.uniform(-0.3, 0.3, 2) * hs
        a1 = math.radians(45 + rng.uniform(-20, 20))  # still diagonals: an upright + is not a ×
        a2 = math.radians(135 + rng.uniform(-20, 20))
        l1 *= rng.uniform(0.75, 1.1)
        l2 *= rng.uniform(0.6, 1.0)
    strokes = []
    for ang, length in ((a1, l1), (a2, l2)):
        d = np.array([math.cos(ang), math.sin(ang)]) * length / 2
        p0 = (cx - d[0], cy - d[1])
        p1 = (cx + d[0], cy + d[1])
        if ang > math.pi / 2:  # the second stroke runs from top right to bottom left
            p0, p1 = p1, p0
        strokes.append(line_path(p0, p1, bow=float(rng.normal(0, 0.04))))
    if kind is MarkKind.CROSS_TAIL:
        i = int(rng.integers(0, 2))
        path = strokes[i]
        direction = (path[-1] - path[-2]) / np.linalg.norm(path[-1] - path[-2])
        tail = hs * rng.uniform(0.6, 1.2)
        bend = rotate(direction[None, :], float(rng.normal(0, 0.25)))[0]
        extra = path[-1] + np.linspace(0, 1, 12)[1:, None] * tail * bend
        strokes[i] = np.vstack([path, extra])
    return [stroke(rng, hand, p) for p in strokes]


def tick(rng: np.random.Generator, hand: Hand, hs: float) -> list[Stroke]:
    s = hs * rng.uniform(0.8, 1.1) * hand.size
    p0 = np.array([-0.5, -0.05]) + rng.normal(0, 0.05, 2)
    p1 = np.array([-0.12, 0.45]) + rng.normal(0, 0.05, 2)
    p2 = np.array([0.6, -0.65]) + rng.normal(0, 0.07, 2)
    short = p0 + (p1 - p0) * np.linspace(0, 1, 8)[:, None]
    long_ = p1 + (p2 - p1) * np.linspace(0, 1, 16)[1:, None]
    long_ += np.outer(np.sin(np.linspace(0, math.pi, 15)), [0.04, 0.04]) * rng.normal(0, 1)  # a slight curve
    path = rotate(np.vstack([short, long_]), float(rng.normal(0, 0.12))) * s
    return [stroke(rng, hand, path)]


def _zigzag(rng: np.random.Generator, inside: Callable[[np.ndarray], np.ndarray], reach: float,
            spacing: float, angle: float) -> np.ndarray:
    """A back-and-forth fill of the region `inside` (a mask function of points)."""
    u = np.linspace(-reach, reach, 160)
    rows = []
    for k, v in enumerate(np.arange(-reach, reach + 1e-9, spacing)):
        line = rotate(np.column_stack([u, np.full_like(u, v)]), angle)
        ok = inside(line)
        if not ok.any():
            continue
        idx = np.flatnonzero(ok)
        seg = line[[idx[0], idx[-1]]]
        rows.append(seg if k % 2 == 0 else seg[::-1])
    path = np.vstack(rows)
    return path + rng.normal(0, spacing * 0.12, path.shape)


def fill(rng: np.random.Generator, hand: Hand, kind: MarkKind, hs: float, pen_width: float) -> list[Stroke]:
    spacing = pen_width * rng.uniform(0.6, 0.95)
    if kind is MarkKind.FILL:
        c = hs * rng.uniform(0.8, 0.95)

        def inside(p: np.ndarray) -> np.ndarray:
            return (np.abs(p[:, 0]) <= c) & (np.abs(p[:, 1]) <= c)

        passes = [rng.uniform(-0.6, 0.6), rng.uniform(0.9, 2.2)]
    else:  # a partial fill: an ellipse covering half to three quarters of the box
        ax, ay = hs * rng.uniform(0.85, 0.98), hs * rng.uniform(0.8, 0.95)

        def inside(p: np.ndarray) -> np.ndarray:
            return (p[:, 0] / ax) ** 2 + (p[:, 1] / ay) ** 2 <= 1.0

        passes = [rng.uniform(-0.6, 0.6)]
    return [stroke(rng, hand, _zigzag(rng, inside, hs * 1.5, spacing, a), tremor_scale=0.5) for a in passes]


def scribble_path(rng: np.random.Generator, reach: float, turns: float) -> np.ndarray:
    """Tangled loops within about `reach` of the centre: sums of sinusoids at unrelated rates."""
    t = np.linspace(0.0, turns * TAU, int(turns * 90))
    f = rng.uniform(0.8, 1.3, 4) * np.array([1.0, 2.7, 1.1, 3.3])
    ph = rng.uniform(0, TAU, 4)
    x = 0.7 * np.sin(f[0] * t + ph[0]) + 0.3 * np.sin(f[1] * t + ph[1])
    y = 0.7 * np.sin(f[2] * t + ph[2]) + 0.3 * np.sin(f[3] * t + ph[3])
    return np.column_stack([x, y]) * reach


def scribble(rng: np.random.Generator, hand: Hand, hs: float, reach: float = 0.85) -> list[Stroke]:
    return [stroke(rng, hand, scribble_path(rng, hs * reach, rng.uniform(8, 14)))]


def ambiguous(rng: np.random.Generator, hand: Hand, kind: MarkKind, hs: float, pen_width: float) -> list[Stroke]:
    match kind:
        case MarkKind.CORRECTION:
            under = circle(rng, hand, MarkKind.CIRCLE, hs, pen_width) if rng.random() < 0.6 else cross(
                rng, hand, MarkKind.CROSS, hs)
            return under + scribble(rng, hand, hs, reach=rng.uniform(0.6, 0.8))
        case MarkKind.CIRCLE_AND_CROSS:
            return circle(rng, hand, MarkKind.CIRCLE, hs, pen_width) + cross(rng, hand, MarkKind.CROSS, hs)
        case MarkKind.HALF_CIRCLE:
            return circle(rng, hand, kind, hs, pen_width)
        case MarkKind.SINGLE_STROKE:
            return cross(rng, hand, MarkKind.CROSS, hs)[: 1]
        case MarkKind.DOT:
            r = rng.uniform(0.2, 0.45)
            path = circle_path(rng, r, sweep=TAU * rng.uniform(1.5, 3.0), drift=-0.8)
            return [stroke(rng, hand, path + rng.normal(0, hs * 0.25, 2), tremor_scale=0.2)]
        case _:
            raise ValueError(kind)


def draw_mark(rng: np.random.Generator, hand: Hand, kind: MarkKind, hs: float, pen_width: float) -> list[Stroke]:
    """Strokes of one mark, relative to the box centre, placed as this hand places them."""
    if kind is MarkKind.NONE:
        return []
    if kind in AMBIGUOUS_KINDS:
        strokes = ambiguous(rng, hand, kind, hs, pen_width)
    elif kind in CIRCLE_KINDS:
        strokes = circle(rng, hand, kind, hs, pen_width)
    elif kind in CROSS_KINDS:
        strokes = cross(rng, hand, kind, hs)
    elif kind is MarkKind.TICK:
        strokes = tick(rng, hand, hs)
    elif kind is MarkKind.SCRIBBLE:
        strokes = scribble(rng, hand, hs)
    else:
        strokes = fill(rng, hand, kind, hs, pen_width)
    # where in the box the mark lands: neat hands centre it, hasty ones less so
    off = rng.normal(0, hs * (0.03 + 0.12 * (1 - hand.neatness)), 2)
    limit = hs * 0.25
    off = np.clip(off, -limit, limit)
    return [s.shifted(float(off[0]), float(off[1])) for s in strokes]
