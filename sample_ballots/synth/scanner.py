"""The scanner profile: a sheet on a flatbed or through a feeder, 150–300 dpi.

Geometry: the page lies at one of four orientations (mostly upright, often upside down),
skewed up to ±5°, a little off scale (±1.5 %), with some scanner bed around it (a white
lid or a black feeder backing). Then the sensor: blur, vertical streaks from dirt on the
glass (the sheet moves past the dirt, so it draws a line along the feed), exposure, noise
and JPEG. Output is grey by default (what counting scanners are set to), BGR on request.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from sample_ballots.synth import degrade
from sample_ballots.synth.paper import sample_paper
from sample_ballots.synth.pens import pick
from sample_ballots.synth.truth import ScannerParams, Severity, Streak
from station.layout import BallotLayout

DPIS = (150, 200, 240, 300)
ORIENTATION_ODDS = ((0, 0.70), (180, 0.18), (90, 0.06), (270, 0.06))


def rotation(deg: float) -> np.ndarray:
    """3×3 rotation, clockwise as seen in an image (y down)."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def geometry(p: ScannerParams, page_w_mm: float, page_h_mm: float) -> tuple[np.ndarray, tuple[int, int]]:
    """Page mm → image px homography (an affine one here) and the image size (w, h)."""
    k = p.dpi / 25.4 * p.scale
    centre = np.array([[1, 0, -page_w_mm / 2], [0, 1, -page_h_mm / 2], [0, 0, 1.0]])
    a = rotation(p.orientation + p.skew_deg) @ np.diag([k, k, 1.0]) @ centre
    corners = np.array([[0, 0, 1], [page_w_mm, 0, 1], [page_w_mm, page_h_mm, 1], [0, page_h_mm, 1]]).T
    pts = (a @ corners)[:2]
    ml, mt, mr, mb = (m * p.dpi / 25.4 for m in p.margin_mm)
    # the page's edge is ml, mt px from the image's edge; pixel centres are at integers
    shift = np.array([[1, 0, ml - 0.5 - pts[0].min()], [0, 1, mt - 0.5 - pts[1].min()], [0, 0, 1.0]])
    w = math.ceil(pts[0].max() - pts[0].min() + ml + mr)
    h = math.ceil(pts[1].max() - pts[1].min() + mt + mb)
    return shift @ a, (w, h)


def sample(rng: np.random.Generator, page_w_mm: float, page_h_mm: float, severity: Severity,
           dpi: int | None = None, colour: bool = False) -> ScannerParams:
    full = severity is Severity.FULL
    dpi = dpi or int(rng.choice(DPIS))
    if severity is Severity.NONE:
        return ScannerParams(dpi=dpi, colour=colour, scale=1.0, skew_deg=0.0, orientation=0,
                             margin_mm=(2.0, 2.0, 2.0, 2.0), background=255, paper_bgr=(1.0, 1.0, 1.0), toner=0.0,
                             mottle=0.0, bleed=0.0, blur_sigma_px=0.0, noise_sigma=0.0, gain=1.0, offset=0.0)
    paper_bgr, toner, mottle = sample_paper(rng, full)
    if full:
        # most sheets go in nearly straight; some are fed badly
        skew = float(rng.uniform(-5, 5) if rng.random() < 0.3 else rng.normal(0, 0.6))
        orientation = int(pick(rng, ORIENTATION_ODDS))  # type: ignore[call-overload]
    else:
        skew = float(rng.uniform(-1.5, 1.5))
        orientation = 0 if rng.random() < 0.8 else 180
    params = dict(
        dpi=dpi, colour=colour,
        scale=float(1 + rng.uniform(-1, 1) * (0.015 if full else 0.005)),
        skew_deg=round(float(np.clip(skew, -5, 5)), 3),
        orientation=orientation,
        margin_mm=tuple(float(m) for m in rng.uniform(0.5, 6, 4)),
        background=int(rng.integers(215, 250) if rng.random() < 0.6 else rng.integers(12, 45)),
        paper_bgr=paper_bgr, toner=toner, mottle=mottle,
        bleed=float(rng.uniform(0.03, 0.10)) if full and rng.random() < 0.2 else 0.0,
        blur_sigma_px=float(rng.uniform(0.0, 1.1 if full else 0.6)),
        noise_sigma=float(rng.uniform(0.5, 3.5 if full else 2.0)),
        gain=float(rng.uniform(0.92, 1.06) if full else rng.uniform(0.97, 1.03)),
        offset=float(rng.uniform(-8, 8) if full else rng.uniform(-3, 3)),
        jpeg_quality=(int(rng.integers(60, 96)) if full else int(rng.integers(85, 96)))
        if rng.random() < (0.5 if full else 0.3) else None,
    )
    p = ScannerParams(**params)  # type: ignore[arg-type]
    if full and rng.random() < 0.15:
        _, (w, _) = geometry(p, page_w_mm, page_h_mm)
        streaks = [
            Streak(x_px=float(rng.uniform(0, w)), width_px=float(rng.uniform(1.0, 4.0)),
                   delta=float(rng.uniform(-0.45, -0.1) if rng.random() < 0.8 else rng.uniform(0.1, 0.3)))
            for _ in range(int(rng.integers(1, 4)))
        ]
        p = p.model_copy(update={"streaks": streaks})
    return p


def _streak(img: np.ndarray, s: Streak) -> None:
    """Scale columns around s.x_px by 1 + delta, with soft sides."""
    lo = max(0, math.floor(s.x_px - s.width_px))
    hi = min(img.shape[1], math.ceil(s.x_px + s.width_px) + 1)
    if hi <= lo:
        return
    x = np.arange(lo, hi)
    weight = np.clip(1.0 - np.abs(x - s.x_px) / s.width_px * 1.0 + 0.5, 0.0, 1.0)
    factor = (1.0 + s.delta * weight).astype(np.float32)
    shape = (1, hi - lo) + (1,) * (img.ndim - 2)
    img[:, lo:hi] = np.clip(img[:, lo:hi] * factor.reshape(shape), 0, 255).astype(np.uint8)


def capture(page: np.ndarray, sx: float, sy: float, p: ScannerParams,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, bytes | None]:
    """Scan a page image (drawn at sx, sy px per mm): (image, homography mm→px, JPEG bytes or None)."""
    h_src, w_src = page.shape[:2]
    page_w_mm, page_h_mm = w_src / sx, h_src / sy
    hom, (w, h) = geometry(p, page_w_mm, page_h_mm)
    src_from_mm = np.array([[sx, 0, -0.5], [0, sy, -0.5], [0, 0, 1.0]])
    warp = hom @ np.linalg.inv(src_from_mm)
    border = (p.background,) * (1 if page.ndim == 2 else page.shape[2])
    img = cv2.warpAffine(page, warp[:2], (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=border)
    img = degrade.gaussian_blur(img, p.blur_sigma_px)
    for s in p.streaks:
        _streak(img, s)
    if p.gain != 1.0 or p.offset != 0.0:
        img = degrade.levels(img, p.gain, p.offset)
    img = degrade.noise(img, p.noise_sigma, rng)
    encoded = None
    if p.jpeg_quality is not None:
        img, encoded = degrade.jpeg(img, p.jpeg_quality)
    return img, hom, encoded


def streaked_boxes(p: ScannerParams, hom: np.ndarray, layout: BallotLayout) -> list[str]:
    """Ids of the boxes a streak runs through (for a benchmark to tell streak errors apart)."""
    hit = []
    for b in layout.boxes:
        xs = cv2.perspectiveTransform(np.array(b.rect.corners(), np.float64)[:, None], hom)[:, 0, 0]
        if any(xs.min() - s.width_px <= s.x_px <= xs.max() + s.width_px for s in p.streaks):
            hit.append(b.id)
    return hit
