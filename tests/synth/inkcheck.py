"""Where the ink of a synthetic ballot is, measured in its image.

The ink of a synthetic ballot is measured against its blank twin: the same seed and
arguments with an empty plan. The twin shares every imaging draw (paper, geometry, noise,
JPEG) with the ballot, so their difference is exactly the ink and nothing else; JPEG
blocks without ink are even bit-identical.
"""

from __future__ import annotations

import cv2
import numpy as np

from sample_ballots.synth import FillPlan, FillPolicy, SynthBallot, generate_ballot
from station.layout import Rect


def make_twin(ballot: SynthBallot, **kwargs: object) -> SynthBallot:
    """The same ballot with no ink (kwargs: the arguments the ballot was generated with)."""
    t = ballot.truth
    kwargs = {k: v for k, v in kwargs.items() if k not in ("stage", "style", "plan", "pen")}
    twin = generate_ballot(t.imaging.profile, t.seed, stage=t.stage_id, style=t.style_id,
                           plan=FillPlan(policy=FillPolicy.BLANK), pen=t.pen, **kwargs)  # type: ignore[arg-type]
    assert twin.truth.imaging == t.imaging, "the twin must be imaged exactly like the ballot"
    return twin


def ink_map(ballot: SynthBallot, **kwargs: object) -> np.ndarray:
    """How much darker each pixel is than on the blank twin (int16, ≥ 0 where there is ink)."""
    a = make_twin(ballot, **kwargs).image.astype(np.int16)
    b = ballot.image.astype(np.int16)
    d = a - b
    return d.max(axis=2) if d.ndim == 3 else d


def quad(ballot: SynthBallot, rect: Rect, grow_mm: float = 0.0) -> np.ndarray:
    """A page-mm rectangle's corners in the image (float, 4×2)."""
    r = Rect(x_mm=rect.x_mm - grow_mm, y_mm=rect.y_mm - grow_mm, w_mm=rect.w_mm + 2 * grow_mm,
             h_mm=rect.h_mm + 2 * grow_mm)
    pts = np.array(r.corners(), np.float64)[:, None, :]
    return cv2.perspectiveTransform(pts, ballot.homography)[:, 0]


def mask_of(shape: tuple[int, ...], quads: list[np.ndarray]) -> np.ndarray:
    m = np.zeros(shape[:2], np.uint8)
    for q in quads:
        cv2.fillConvexPoly(m, np.round(q * 16).astype(np.int32), 1, cv2.LINE_8, 4)
    return m.astype(bool)


def inside(diff: np.ndarray, ballot: SynthBallot, rect: Rect, grow_mm: float = 0.0) -> np.ndarray:
    """The ink values inside a page rectangle."""
    q = quad(ballot, rect, grow_mm)
    x0, y0 = np.floor(q.min(axis=0)).astype(int)
    x1, y1 = np.ceil(q.max(axis=0)).astype(int) + 1
    x0, y0 = max(x0, 0), max(y0, 0)
    sub = diff[y0:y1, x0:x1]
    return sub[mask_of(sub.shape, [q - [x0, y0]])]
