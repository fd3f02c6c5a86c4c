"""A hand that draws: strokes as paths in millimetres, with tremor and pressure.

Shapes (marks, writing) are ideal paths; the hand resamples them, adds a smooth tremor
and a pressure profile (a pen lands, presses, lifts), which the ink module turns into the
width and darkness of the line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEP_MM = 0.2  # path resolution: finer than any pen line


@dataclass(frozen=True)
class Stroke:
    """One pen-down path: points in page mm (N×2) and pressure in 0–1 (N)."""

    points: np.ndarray
    pressure: np.ndarray

    def shifted(self, dx: float, dy: float) -> Stroke:
        return Stroke(self.points + np.array([dx, dy]), self.pressure)


@dataclass(frozen=True)
class Hand:
    """One voter's way of drawing, the same for every mark on a ballot."""

    size: float  # scale of marks relative to the box (1 = a comfortable fit)
    tremor_mm: float  # amplitude of the smooth wobble of the line
    neatness: float  # 0–1: how well marks are centred in their boxes
    slant: float  # shear of writing (radians)
    pressure_var: float  # how much pressure wanders along a stroke


def sample_hand(rng: np.random.Generator) -> Hand:
    return Hand(
        size=float(rng.uniform(0.85, 1.12)),
        tremor_mm=float(rng.uniform(0.03, 0.14)),
        neatness=float(rng.uniform(0.5, 1.0)),
        slant=float(rng.normal(0.12, 0.1)),
        pressure_var=float(rng.uniform(0.1, 0.35)),
    )


def resample(path: np.ndarray, step: float = STEP_MM) -> np.ndarray:
    """Points evenly spaced along a polyline."""
    seg = np.hypot(*np.diff(path, axis=0).T)
    dist = np.concatenate([[0.0], np.cumsum(seg)])
    total = dist[-1]
    if total < 1e-9:
        return path[:1].copy()
    n = max(2, int(np.ceil(total / step)) + 1)
    t = np.linspace(0.0, total, n)
    return np.column_stack([np.interp(t, dist, path[:, 0]), np.interp(t, dist, path[:, 1])])


def smooth_noise(rng: np.random.Generator, n: int, corr: int, dims: int = 1) -> np.ndarray:
    """Noise with unit standard deviation, correlated over about `corr` samples."""
    corr = max(1, corr)
    raw = rng.standard_normal((n + 4 * corr, dims))
    k = np.exp(-0.5 * (np.arange(-2 * corr, 2 * corr + 1) / (corr / 2.0)) ** 2)
    k /= np.sqrt((k**2).sum())
    out = np.column_stack([np.convolve(raw[:, d], k, mode="valid")[:n] for d in range(dims)])
    return out if dims > 1 else out[:, 0]


def pressure_profile(rng: np.random.Generator, n: int, var: float) -> np.ndarray:
    """The pen lands lightly, presses, and lifts; in between pressure wanders."""
    t = np.linspace(0.0, 1.0, n)
    land = float(rng.uniform(0.03, 0.12))
    lift = float(rng.uniform(0.04, 0.15))
    ramp = np.clip(np.minimum(t / land, (1.0 - t) / lift), 0.0, 1.0)
    base = 0.55 + 0.45 * ramp
    wander = 1.0 + var * smooth_noise(rng, n, max(2, n // 6)) * 0.5
    return np.clip(base * wander, 0.15, 1.0)


def stroke(rng: np.random.Generator, hand: Hand, path: np.ndarray, tremor_scale: float = 1.0) -> Stroke:
    """Draw an ideal path (mm) by hand."""
    pts = resample(np.asarray(path, dtype=float))
    n = len(pts)
    if n > 2 and hand.tremor_mm > 0:
        pts = pts + hand.tremor_mm * tremor_scale * smooth_noise(rng, n, 6, dims=2)
    return Stroke(pts, pressure_profile(rng, n, hand.pressure_var))


def rotate(points: np.ndarray, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return points @ np.array([[c, s], [-s, c]])


def bbox(strokes: list[Stroke]) -> tuple[float, float, float, float]:
    """x0, y0, x1, y1 of every point of the strokes (mm)."""
    allp = np.concatenate([s.points for s in strokes])
    (x0, y0), (x1, y1) = allp.min(axis=0), allp.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)
