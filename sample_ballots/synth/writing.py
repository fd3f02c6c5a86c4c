"""Handwriting-like strokes: pseudo Chinese characters for write-in names and stray writing.

No real characters are needed (people read write-ins, vision only asks "is there
writing?"), but the ink should look like a name: several short strokes per character of
the kinds 横 竖 撇 捺 点 折, in a square cell, two to four cells in a row.
"""

from __future__ import annotations

import math

import numpy as np

from sample_ballots.synth.hand import Hand, Stroke, rotate, stroke

# Stroke shapes in a unit cell (−0.5…0.5, y down), before jitter.
_SHAPES: dict[str, np.ndarray] = {
    "heng": np.array([[-0.4, 0.0], [0.4, -0.04]]),  # 横 rises a little to the right
    "shu": np.array([[0.0, -0.45], [0.0, 0.45]]),  # 竖
    "pie": np.array([[0.15, -0.4], [0.05, -0.05], [-0.2, 0.25], [-0.4, 0.38]]),  # 撇
    "na": np.array([[-0.3, -0.35], [0.0, 0.05], [0.4, 0.38]]),  # 捺
    "dian": np.array([[-0.05, -0.08], [0.08, 0.08]]),  # 点
    "zhe": np.array([[-0.4, -0.3], [0.35, -0.33], [0.3, 0.4]]),  # 折 (横折)
    "gou": np.array([[0.0, -0.4], [0.0, 0.35], [-0.15, 0.25]]),  # 竖钩
}
_WEIGHTS = {"heng": 5, "shu": 3, "pie": 2, "na": 1.5, "dian": 2, "zhe": 1.5, "gou": 1}


def _curve(points: np.ndarray) -> np.ndarray:
    """A smooth curve through a few points (Chaikin corner cutting, 3 rounds)."""
    pts = points
    for _ in range(3):
        if len(pts) < 3:
            break
        q = 0.75 * pts[:-1] + 0.25 * pts[1:]
        r = 0.25 * pts[:-1] + 0.75 * pts[1:]
        pts = np.vstack([pts[:1], np.column_stack([q, r]).reshape(-1, 2), pts[-1:]])
    return pts


def character(rng: np.random.Generator, hand: Hand, size: float) -> list[Stroke]:
    """One pseudo-character of about `size` mm, centred on (0, 0)."""
    names = list(_WEIGHTS)
    p = np.array([_WEIGHTS[n] for n in names])
    n_strokes = int(rng.integers(5, 11))
    strokes = []
    for _ in range(n_strokes):
        shape = _SHAPES[names[int(rng.choice(len(names), p=p / p.sum()))]]
        span = rng.uniform(0.4, 1.0)
        centre = rng.uniform(-0.28, 0.28, 2)
        pts = shape * span + centre + rng.normal(0, 0.03, shape.shape)
        pts = _curve(np.clip(pts, -0.5, 0.5))
        pts = pts @ np.array([[1.0, 0.0], [-hand.slant, 1.0]])  # slant: shear x by y
        strokes.append(stroke(rng, hand, pts * size, tremor_scale=0.6))
    return strokes


def name(rng: np.random.Generator, hand: Hand, w: float, h: float, n_chars: int | None = None) -> list[Stroke]:
    """A handwritten 'name' of 2–4 characters filling a w×h mm area, centred on (0, 0)."""
    n = n_chars or int(rng.integers(2, 5))
    # one row, or two when that lets the characters be larger
    best = max((min(0.8 * h / rows, 0.88 * w / math.ceil(n / rows)), rows) for rows in (1, 2))
    size, rows = best
    size *= rng.uniform(0.8, 1.0) * hand.size
    per_row = math.ceil(n / rows)
    strokes: list[Stroke] = []
    k = 0
    for r in range(rows):
        count = min(per_row, n - k)
        y = (r - (rows - 1) / 2) * size * 1.1
        for i in range(count):
            x = (i - (count - 1) / 2) * size * rng.uniform(0.98, 1.1)
            off = rng.normal(0, size * 0.04, 2)
            strokes += [s.shifted(x + off[0], y + off[1]) for s in character(rng, hand, size * 0.9)]
            k += 1
    angle = float(rng.normal(0, 0.03))
    return [Stroke(rotate(s.points, angle), s.pressure) for s in strokes]


def short_stroke(rng: np.random.Generator, hand: Hand, w: float, h: float) -> list[Stroke]:
    """One short stroke somewhere in a w×h area: a slip, not a name."""
    length = rng.uniform(1.5, 3.5)
    ang = rng.uniform(0, math.pi)
    c = rng.uniform(-0.25, 0.25, 2) * [w, h]
    d = np.array([math.cos(ang), math.sin(ang)]) * length / 2
    return [stroke(rng, hand, np.array([c - d, c + d]))]
