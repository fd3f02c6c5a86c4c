"""How print comes out in this image: its blur and its darkness, measured on a fiducial.

A printed line in a blurred scan or photo is wider and greyer than in the template; the
grey fringe beside it must not be read as a voter's stroke, and a voter's stroke beside it
must still be seen. So the template is blurred as this image blurs, scaled to this
image's print darkness, and voter ink is what is darker than that prediction. The model
is measured on the top-left fiducial (solid print with sharp edges, same on every ballot):
a property of the image, like its paper white, not a threshold taken from the marks.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.ink import PageSpace, best_shift
from vision.templates import ALIGN_MM, PX_PER_MM, StyleTemplate

# Blur steps tried (Gaussian σ in canonical px, 8 px/mm): sharp scan … camera shake.
SIGMAS_PX = (0.0, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0)


@dataclass(frozen=True)
class PrintModel:
    sigma_px: float  # Gaussian blur of print in canonical page space
    gain: float  # darkness of solid print (0–1)
    residual: float  # rms misfit over the fiducial region, darkness units

    @property
    def sigma_mm(self) -> float:
        return self.sigma_px / PX_PER_MM


SHARP = PrintModel(0.0, 1.0, 0.0)


def measure(space: PageSpace, template: StyleTemplate) -> PrintModel:
    tmpl = template.fiducial_ink
    if float(tmpl.std()) < 0.02:
        return SHARP
    s = PX_PER_MM
    slack = int(round(ALIGN_MM * s))
    fx0, fy0 = template.fiducial_origin
    h, w = tmpl.shape
    big = space.patch((fx0 - slack) / s, (fy0 - slack) / s, w + 2 * slack, h + 2 * slack)
    dx, dy = best_shift(big, tmpl)
    seen = big[dy : dy + h, dx : dx + w].astype(np.float64)
    best = SHARP
    best_err = np.inf
    for sigma in SIGMAS_PX:
        e = tmpl if sigma == 0 else cv2.GaussianBlur(tmpl, (0, 0), sigma)
        e = e.astype(np.float64)
        gain = float((seen * e).sum() / max((e * e).sum(), 1e-9))
        err = float(np.mean((seen - gain * e) ** 2))
        if err < best_err:
            best, best_err = PrintModel(sigma, float(np.clip(gain, 0.0, 1.0)), float(np.sqrt(err))), err
    return best
