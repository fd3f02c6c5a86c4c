"""Lay ink on a page image: strokes in page mm → antialiased, textured, coloured pixels.

Each mark is drawn into a small patch at 3–4× the page resolution and shrunk (area
average), which gives sub-pixel widths and smooth edges for the cost of a few thousand
pixels per mark. Ink is transparent: where strokes overlap the paper gets darker, as it
does with real ballpoint and gel ink (each stroke multiplies the light that is left).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np

from sample_ballots.synth.hand import Stroke
from sample_ballots.synth.pens import TRAITS, ink_bgr, luminance
from sample_ballots.synth.truth import PenTruth

SHIFT = 3  # fixed-point bits for OpenCV drawing: 1/8 of a supersampled pixel
MAX_PATCH = 1600  # supersampled patch side beyond which the factor drops


@dataclass
class Page:
    """A page image being written on: (H, W) grey or (H, W, 3) BGR uint8, with its scale in px per mm."""

    image: np.ndarray
    sx: float
    sy: float

    @property
    def channels(self) -> int:
        return 1 if self.image.ndim == 2 else self.image.shape[2]

    def to_px(self, points_mm: np.ndarray) -> np.ndarray:
        """Page mm → pixel coordinates (pixel centres at integers)."""
        return points_mm * np.array([self.sx, self.sy]) - 0.5


def _skips(rng: np.random.Generator, points: np.ndarray, per_mm: float) -> np.ndarray:
    """Multiplier along a stroke: 1, except where a drying ballpoint skips."""
    out = np.ones(len(points))
    if per_mm <= 0 or len(points) < 3:
        return out
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    for _ in range(rng.poisson(per_mm * arc[-1])):
        start = rng.uniform(0, arc[-1])
        out[(arc >= start) & (arc <= start + rng.uniform(0.2, 0.8))] = rng.uniform(0.1, 0.4)
    return out


def _draw_coverage(patch: np.ndarray, pts: np.ndarray, thick: np.ndarray, level: np.ndarray) -> None:
    """Draw one stroke as runs of constant thickness and darkness (polylines are far cheaper
    than one call per segment)."""
    fixed = np.round(pts * (1 << SHIFT)).astype(np.int32)
    n = len(pts)
    if n == 1:
        cv2.circle(patch, tuple(int(v) for v in fixed[0]), int(thick[0]) << SHIFT >> 1, int(level[0]), -1,
                   cv2.LINE_8, SHIFT)
        return
    key = thick * 256 + level
    change = np.flatnonzero(np.diff(key)) + 1
    bounds = np.concatenate([[0], change, [n - 1]])
    for a, b in itertools.pairwise(bounds):
        if b <= a:
            continue
        run = fixed[a : b + 1].reshape(-1, 1, 2)
        cv2.polylines(patch, [run], False, int(level[a]), int(thick[a]), cv2.LINE_8, SHIFT)


def draw(page: Page, strokes: list[Stroke], pen: PenTruth, rng: np.random.Generator, factor: float = 1.0) -> None:
    """Ink `strokes` (page mm) onto `page` in place with `pen`; `factor` scales the coverage
    (light and faint marks)."""
    if not strokes:
        return
    traits = TRAITS[pen.kind]
    scale = (page.sx + page.sy) / 2
    px = [page.to_px(s.points) for s in strokes]
    allp = np.concatenate(px)
    pad = pen.width_mm * scale + 3
    h_img, w_img = page.image.shape[:2]
    x0 = max(0, int(np.floor(allp[:, 0].min() - pad)))
    y0 = max(0, int(np.floor(allp[:, 1].min() - pad)))
    x1 = min(w_img, int(np.ceil(allp[:, 0].max() + pad)) + 1)
    y1 = min(h_img, int(np.ceil(allp[:, 1].max() + pad)) + 1)
    if x1 <= x0 or y1 <= y0:
        return
    w, h = x1 - x0, y1 - y0
    ss = 4 if max(w, h) * 4 <= MAX_PATCH else 3 if max(w, h) * 3 <= MAX_PATCH else 2
    transmit = np.ones((h, w), np.float32)
    patch = np.zeros((h * ss, w * ss), np.uint8)
    for s, p in zip(strokes, px, strict=True):
        pressure = s.pressure
        width = pen.width_mm * scale * ss * (1 - traits.width_by_pressure + traits.width_by_pressure * pressure)
        alpha = pen.darkness * factor * (1 - traits.density_by_pressure + traits.density_by_pressure * pressure)
        alpha = alpha * _skips(rng, s.points, traits.skips_per_mm)
        thick = np.maximum(1, np.round(width)).astype(np.int64)
        level = np.clip(np.round(alpha * 255 / 4) * 4, 0, 255).astype(np.int64)
        patch[:] = 0
        _draw_coverage(patch, (p - [x0, y0] + 0.5) * ss - 0.5, thick, level)
        cover = cv2.resize(patch, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) * (1 / 255)
        if traits.soft_edge_px:
            cover = cv2.GaussianBlur(cover, (0, 0), traits.soft_edge_px)
        if traits.grain > 0.03:
            cover *= 1.0 - traits.grain * rng.random((h, w), dtype=np.float32)
        transmit *= 1.0 - cover
    absorbed = 1.0 - transmit
    roi = page.image[y0:y1, x0:x1].astype(np.float32)
    if page.channels == 1:
        roi *= 1.0 - (1.0 - luminance(ink_bgr(pen))) * absorbed
    else:
        roi *= 1.0 - (1.0 - ink_bgr(pen)) * absorbed[:, :, None]
    page.image[y0:y1, x0:x1] = np.clip(roi + 0.5, 0, 255).astype(np.uint8)
