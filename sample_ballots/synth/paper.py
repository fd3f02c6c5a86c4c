"""The printed sheet as paper: its colour, the toner's black, texture and show-through.

The renderer gives ideal black on ideal white. Real paper is grey or yellowish, toner is
not perfectly black, paper has a faint cloudy texture, and whatever is printed or written
on the back shows through thin paper, mirrored and blurred. All of this multiplies the
page before the ink goes on, so none of it is ink in the truth.
"""

from __future__ import annotations

import cv2
import numpy as np

from sample_ballots.synth.pens import luminance


def sample_paper(rng: np.random.Generator, severe: bool) -> tuple[tuple[float, float, float], float, float]:
    """(paper BGR reflectance, toner reflectance, mottle amplitude)."""
    r = rng.random()
    if not severe or r < 0.6:  # white office paper, slightly tinted
        base = rng.uniform(0.9, 0.98)
        bgr = tuple(float(np.clip(base + rng.normal(0, 0.01), 0, 1)) for _ in range(3))
    elif r < 0.8:  # grey recycled paper
        base = rng.uniform(0.78, 0.88)
        bgr = tuple(float(base + rng.normal(0, 0.01)) for _ in range(3))
    else:  # yellowish paper: red and green as white paper, less blue
        r = float(rng.uniform(0.90, 0.97))
        bgr = (float(rng.uniform(0.78, 0.88)), r - float(rng.uniform(0.0, 0.04)), r)
    toner = float(rng.uniform(0.04, 0.15 if severe else 0.08))
    mottle = float(rng.uniform(0.0, 0.03 if severe else 0.015))
    return bgr, toner, mottle  # type: ignore[return-value]


def print_page(
    rng: np.random.Generator,
    template: np.ndarray,
    channels: int,
    paper_bgr: tuple[float, float, float],
    toner: float,
    mottle: float = 0.0,
    back: np.ndarray | None = None,
    bleed: float = 0.0,
) -> np.ndarray:
    """The blank ballot as printed on this paper: (H, W) grey or (H, W, 3) BGR uint8."""
    grey = template
    h, w = template.shape
    if mottle > 0 or (back is not None and bleed > 0):
        # both effects are smooth: build them at a quarter of the resolution, then scale up once
        qw, qh = w // 4, h // 4
        field = np.ones((qh, qw), np.float32)
        if mottle > 0:
            small = cv2.GaussianBlur(rng.standard_normal((h // 32 + 2, w // 32 + 2)).astype(np.float32), (0, 0), 1.0)
            small = 1.0 - mottle * (0.5 + 0.5 * np.tanh(small / (small.std() + 1e-6)))
            field *= cv2.resize(small, (qw, qh), interpolation=cv2.INTER_LINEAR)
        if back is not None and bleed > 0:
            # thin paper: the back side's print, mirrored (seen through the sheet) and diffused
            low = cv2.resize(back[:, ::-1], (qw, qh), interpolation=cv2.INTER_AREA)
            field *= 1.0 - bleed * (1.0 - cv2.GaussianBlur(low.astype(np.float32) * (1 / 255), (0, 0), 1.2))
        field_u8 = cv2.resize(np.clip(field * 255 + 0.5, 0, 255).astype(np.uint8), (w, h),
                              interpolation=cv2.INTER_LINEAR)
        grey = cv2.multiply(template, field_u8, scale=1 / 255)
    level = np.arange(256, dtype=np.float32) / 255
    reflect = toner + (1.0 - toner) * level
    if channels == 1:
        lut = np.clip(255 * luminance(np.array(paper_bgr)) * reflect + 0.5, 0, 255).astype(np.uint8)
        return cv2.LUT(grey, lut)
    planes = [cv2.LUT(grey, np.clip(255 * p * reflect + 0.5, 0, 255).astype(np.uint8)) for p in paper_bgr]
    return cv2.merge(planes)
