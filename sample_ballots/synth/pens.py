"""Writing instruments: how wide, how dark, what colour, and how their line varies.

Colours are reflectances per channel in BGR order (OpenCV's), measured roughly from scans
of real ink on white paper; a grey image uses their luminance. Blue ink is dark in the
green and red channels, so it stays dark in a grey scan, as it does on real scanners.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sample_ballots.synth.truth import InkColour, PenKind, PenTruth, Strength

INK_BGR: dict[tuple[PenKind, InkColour], tuple[float, float, float]] = {
    (PenKind.BALLPOINT, InkColour.BLUE): (0.50, 0.22, 0.12),
    (PenKind.BALLPOINT, InkColour.BLACK): (0.14, 0.14, 0.16),
    (PenKind.GEL, InkColour.BLUE): (0.55, 0.20, 0.08),
    (PenKind.GEL, InkColour.BLACK): (0.07, 0.07, 0.08),
    (PenKind.PENCIL, InkColour.GRAPHITE): (0.30, 0.30, 0.32),
    (PenKind.MARKER, InkColour.BLUE): (0.55, 0.25, 0.10),
    (PenKind.MARKER, InkColour.BLACK): (0.07, 0.07, 0.08),
}


@dataclass(frozen=True)
class Traits:
    """How a pen's line varies: what makes a ballpoint look unlike a marker."""

    width_mm: tuple[float, float]
    darkness: tuple[float, float]
    colours: tuple[tuple[InkColour, float], ...]  # colour, probability
    grain: float  # 0: even line; 1: graphite on paper fibres, speckled
    skips_per_mm: float  # ballpoints skip when the ball dries
    width_by_pressure: float  # how much the width follows pressure
    density_by_pressure: float  # how much the darkness follows pressure
    soft_edge_px: float  # felt tips bleed a little into the paper


TRAITS: dict[PenKind, Traits] = {
    PenKind.BALLPOINT: Traits((0.30, 0.50), (0.78, 0.95), ((InkColour.BLUE, 0.6), (InkColour.BLACK, 0.4)),
                              0.15, 0.03, 0.10, 0.35, 0.0),
    PenKind.GEL: Traits((0.45, 0.70), (0.90, 1.00), ((InkColour.BLACK, 0.6), (InkColour.BLUE, 0.4)),
                        0.05, 0.01, 0.15, 0.10, 0.0),
    PenKind.PENCIL: Traits((0.35, 0.60), (0.55, 0.80), ((InkColour.GRAPHITE, 1.0),),
                           0.60, 0.0, 0.25, 0.40, 0.0),
    PenKind.MARKER: Traits((0.90, 2.00), (0.92, 1.00), ((InkColour.BLACK, 0.7), (InkColour.BLUE, 0.3)),
                           0.02, 0.0, 0.10, 0.05, 0.6),
}

PEN_ODDS: tuple[tuple[PenKind, float], ...] = (
    (PenKind.BALLPOINT, 0.45),
    (PenKind.GEL, 0.30),
    (PenKind.PENCIL, 0.10),
    (PenKind.MARKER, 0.15),
)

# Peak contrast (darkening of white paper) a light or faint mark is drawn at. The gap
# between them (0.15–0.30) is never generated, so "light" is never confused with "faint".
LIGHT_CONTRAST = (0.30, 0.45)
FAINT_CONTRAST = (0.07, 0.14)


def pick(rng: np.random.Generator, odds: tuple[tuple[object, float], ...]) -> object:
    values = [v for v, _ in odds]
    p = np.array([w for _, w in odds], dtype=float)
    return values[int(rng.choice(len(values), p=p / p.sum()))]


def sample_pen(rng: np.random.Generator, kind: PenKind | None = None) -> PenTruth:
    kind = kind or pick(rng, PEN_ODDS)  # type: ignore[assignment]
    t = TRAITS[kind]
    return PenTruth(
        kind=kind,
        colour=pick(rng, t.colours),  # type: ignore[arg-type]
        width_mm=round(float(rng.uniform(*t.width_mm)), 3),
        darkness=round(float(rng.uniform(*t.darkness)), 3),
    )


def ink_bgr(pen: PenTruth) -> np.ndarray:
    return np.array(INK_BGR[(pen.kind, pen.colour)], dtype=np.float32)


def luminance(bgr: np.ndarray) -> float:
    return float(0.114 * bgr[0] + 0.587 * bgr[1] + 0.299 * bgr[2])


def full_contrast(pen: PenTruth) -> float:
    """Darkening of white paper where this pen lays ink at full pressure."""
    return pen.darkness * (1.0 - luminance(ink_bgr(pen)))


def strength_factor(rng: np.random.Generator, pen: PenTruth, strength: Strength) -> float:
    """Scale of the ink coverage for a mark drawn with this strength (1 = as the pen lays it)."""
    if strength is Strength.NORMAL:
        return 1.0
    lo, hi = LIGHT_CONTRAST if strength is Strength.LIGHT else FAINT_CONTRAST
    return min(1.0, float(rng.uniform(lo, hi)) / full_contrast(pen))
