"""How print comes out in this image: its blur and its darkness, measured on a fiducial.

A printed line in a blurred scan or photo is wider and greyer than in the template; the
grey fringe beside it must not be read as a voter's stroke, and a voter's stroke beside it
must still be seen. So the template is blurred as this image blurs, scaled to this
image's print darkness, and voter ink is what is darker than that prediction. The model
is measured on the top-left fiducial (solid print with sharp edges, the same on every
ballot): a property of the image, like its paper white, not a threshold taken from marks.

The blur is a Gaussian (focus, scanner optics) followed, for a shaken camera, by a short
straight smear in one direction: the fiducial's square modules show both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from vision.ink import PageSpace, aligned_patch
from vision.templates import ALIGN_MM, PX_PER_MM, BoxTemplate, StyleTemplate, has_print

FIT_SCALE = 0.5  # the blur is fitted at half the canonical resolution (4 px/mm): cheap, precise enough
# Blur steps tried, in canonical px (8 px/mm): Gaussian σ, and smear lengths.
SIGMAS_PX = (0.0, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0)
SMEARS_PX = (4.0, 8.0, 12.0)
SMEAR_GAIN = 0.85  # a smear is accepted when it leaves at most this share of the residual
SMEAR_MIN_SIGMA_PX = 2.0  # looked for only when a Gaussian alone needs this much (a sharp scan has none)


@dataclass(frozen=True)
class PrintModel:
    sigma_px: float  # Gaussian blur of print in canonical page space
    gain: float  # darkness of solid print (0–1)
    residual: float  # rms misfit over the fiducial region, darkness units
    smear_px: float = 0.0  # length of a straight smear (camera shake), canonical px
    smear_deg: float = 0.0  # its direction in page space (0 = along x)

    @property
    def sigma_mm(self) -> float:
        """Overall blur, for the quality check: the Gaussian and the smear's spread."""
        spread = math.hypot(self.sigma_px, self.smear_px / math.sqrt(12))
        return spread / PX_PER_MM

    def kernel(self, scale: float = 1.0) -> np.ndarray | None:
        """The blur as a convolution kernel at `scale` × canonical px; None: no smear (use
        the Gaussian alone, which templates cache)."""
        if self.smear_px <= 0:
            return None
        return _kernel(self.sigma_px * scale, self.smear_px * scale, self.smear_deg)

    def expected(self, bt: BoxTemplate) -> np.ndarray:
        """The box region's print as this image shows it (darkness; the Gaussian blur cached
        per box)."""
        if self.smear_px <= 0:
            return self.gain * bt.blurred_ink(self.sigma_px)
        return self.shown(bt.ink)

    def shown(self, ink: np.ndarray) -> np.ndarray:
        """Any printed region (darkness, canonical page space) as this image shows it."""
        k = self.kernel()
        if k is not None:
            return self.gain * cv2.filter2D(ink, -1, k)
        return self.gain * (ink if self.sigma_px <= 0 else cv2.GaussianBlur(ink, (0, 0), self.sigma_px))


SHARP = PrintModel(0.0, 1.0, 0.0)


@lru_cache(maxsize=1024)
def _kernel(sigma: float, length: float, deg: float) -> np.ndarray:
    """A straight smear of `length` px at `deg`, blurred by a Gaussian of `sigma` px."""
    half = int(math.ceil(length / 2 + 3 * sigma)) + 1
    over = 4  # draw the segment on a finer grid, then average down: a smooth, exact length
    size = (2 * half + 1) * over
    canvas = np.zeros((size, size), np.float32)
    c = size / 2
    dx, dy = math.cos(math.radians(deg)) * length * over / 2, math.sin(math.radians(deg)) * length * over / 2
    cv2.line(canvas, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, max(1, over // 2))
    k = cv2.resize(canvas, (2 * half + 1, 2 * half + 1), interpolation=cv2.INTER_AREA)
    if sigma > 0:
        k = cv2.GaussianBlur(k, (0, 0), sigma)
    return k / max(float(k.sum()), 1e-9)


def _fit(seen: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """Least-squares gain of the prediction, and the mean squared residual."""
    sp = float(seen.ravel() @ predicted.ravel())
    pp = max(float(predicted.ravel() @ predicted.ravel()), 1e-9)
    ss = float(seen.ravel() @ seen.ravel())
    return sp / pp, max(ss - sp * sp / pp, 0.0) / seen.size


def measure(space: PageSpace, template: StyleTemplate) -> PrintModel:
    tmpl = template.fiducial_ink
    if not has_print(tmpl):
        return SHARP
    fx0, fy0 = template.fiducial_origin
    aligned, _ = aligned_patch(space, fx0, fy0, tmpl, int(round(ALIGN_MM * PX_PER_MM)), True)
    seen = cv2.resize(aligned, None, fx=FIT_SCALE, fy=FIT_SCALE, interpolation=cv2.INTER_AREA)
    t = cv2.resize(tmpl, None, fx=FIT_SCALE, fy=FIT_SCALE, interpolation=cv2.INTER_AREA)
    seen, t = seen.astype(np.float32), t.astype(np.float32)
    best = SHARP
    best_err = np.inf
    for sigma in SIGMAS_PX:
        e = t if sigma == 0 else cv2.GaussianBlur(t, (0, 0), sigma * FIT_SCALE)
        gain, err = _fit(seen, e)
        if err < best_err:
            best, best_err = PrintModel(sigma, float(np.clip(gain, 0.0, 1.0)), float(np.sqrt(err))), err
    if best.sigma_px < SMEAR_MIN_SIGMA_PX:
        return best
    iso_err = best_err
    # A smear: coarse directions and lengths, then the best direction refined.
    smear = (np.inf, 0.0, 0.0, 0.0, 0.0)
    sigmas = sorted({s_ for s_ in SIGMAS_PX if s_ < best.sigma_px})[-2:]

    def trial(sigma: float, length: float, deg: float) -> None:
        nonlocal smear
        gain, err = _fit(seen, cv2.filter2D(t, -1, _kernel(sigma * FIT_SCALE, length * FIT_SCALE, deg)))
        if err < smear[0]:
            smear = (err, sigma, length, deg, gain)

    for sigma in sigmas:
        for length in SMEARS_PX:
            for deg in range(0, 180, 30):
                trial(sigma, length, float(deg))
    _, sigma, length, deg, _ = smear
    for d in (deg - 15.0, deg + 15.0):
        for ln in (length - 2.0, length, length + 2.0):
            if ln > 0:
                trial(sigma, ln, d % 180.0)
    err, sigma, length, deg, gain = smear
    if err < SMEAR_GAIN * iso_err:
        return PrintModel(sigma, float(np.clip(gain, 0.0, 1.0)), float(np.sqrt(err)), length, deg)
    return best
