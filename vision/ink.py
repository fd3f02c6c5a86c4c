"""Voter ink: what is dark in the image and was not printed on the blank ballot.

Steps for one page:
1. `PageSpace`: the image's paper-white level, estimated once per page at low resolution
   with a large max filter (strokes and even a filled 10 mm box vanish under it), so
   grey paper, scanner vignetting and camera shadows become darkness 0.
2. For each box, a patch warped into canonical page space (PX_PER_MM) through the
   fiducial homography, then shifted by up to ALIGN_MM so the printed frame in the image
   lies on the template's frame: this absorbs lens distortion, paper curl and printer
   drift that a single homography cannot.
3. Voter ink = darkness above the calibrated pixel threshold where the template (dilated)
   has no printed ink. Printed borders, names and rules never count.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from station.layout import Rect
from vision.register import Registration
from vision.templates import PX_PER_MM, StyleTemplate

WHITE_PX_PER_MM = 2.0  # resolution of the paper-white estimate
WHITE_FILTER_MM = 14.0  # wider than any mark, so ink never lifts the white level
ALIGN_MM = 1.5  # how far a box may sit from where the homography puts it
MARGIN_MM = 2.5  # ink this far outside a box still belongs to its mark (a ○ over the border)


@dataclass(frozen=True)
class PageSpace:
    gray: np.ndarray
    reg: Registration
    white: np.ndarray  # paper-white level in page space at WHITE_PX_PER_MM (float32, 0–255)
    page_w_mm: float
    page_h_mm: float

    @classmethod
    def build(cls, gray: np.ndarray, reg: Registration, page_w_mm: float, page_h_mm: float) -> PageSpace:
        s = WHITE_PX_PER_MM
        size = (int(round(page_w_mm * s)), int(round(page_h_mm * s)))
        m = reg.homography @ np.diag([1.0 / s, 1.0 / s, 1.0])
        low = cv2.warpPerspective(
            gray, m, size, flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
        )
        k = int(WHITE_FILTER_MM * s) | 1
        # Closing (max, then min, over the same window): ink narrower than the window goes,
        # while a shadow's edge stays where it is; a plain max filter would carry the bright
        # side into the shadow by the window's radius and make paper there look inked.
        white = cv2.morphologyEx(low, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
        white = cv2.GaussianBlur(white.astype(np.float32), (0, 0), k / 2)
        return cls(gray, reg, np.maximum(white, 1.0), page_w_mm, page_h_mm)

    def patch(self, x_mm: float, y_mm: float, w_mm: float, h_mm: float, s: float = PX_PER_MM) -> np.ndarray:
        """Darkness (0 paper … 1 black) of a page region, at `s` px/mm (canonical by default)."""
        size = (int(round(w_mm * s)), int(round(h_mm * s)))
        to_mm = np.array([[1.0 / s, 0, x_mm], [0, 1.0 / s, y_mm], [0, 0, 1.0]])
        m = self.reg.homography @ to_mm
        img = cv2.warpPerspective(
            self.gray, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderValue=255
        ).astype(np.float32)
        w = WHITE_PX_PER_MM
        wm = np.array([[w / s, 0, x_mm * w], [0, w / s, y_mm * w]], dtype=np.float64)
        white = cv2.warpAffine(
            self.white, wm, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
        )
        # warpAffine with WARP_INVERSE_MAP maps dst → src: dst px (u, v) → white px (u·w/s + x·w, …)
        return np.clip(1.0 - img / white, 0.0, 1.0)


@dataclass(frozen=True)
class BoxInk:
    darkness: np.ndarray  # region = rect ± MARGIN_MM, aligned, canonical page space
    printed: np.ndarray  # the template's dilated printed ink over the same region (0–1)
    inner: tuple[int, int, int, int]  # the box rectangle within the region: x0, y0, x1, y1 (px)
    shift_mm: tuple[float, float]  # local alignment found


def _crop(a: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """A crop that pads with 0 where the region leaves the array."""
    h, w = a.shape
    out = np.zeros((y1 - y0, x1 - x0), dtype=a.dtype)
    sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = a[sy0:sy1, sx0:sx1]
    return out


def box_ink(space: PageSpace, template: StyleTemplate, rect: Rect) -> BoxInk:
    s = PX_PER_MM
    outer = MARGIN_MM + ALIGN_MM
    big = space.patch(rect.x_mm - outer, rect.y_mm - outer, rect.w_mm + 2 * outer, rect.h_mm + 2 * outer)
    # Template over the region without the alignment slack: what must line up.
    tx0 = int(round((rect.x_mm - MARGIN_MM) * s))
    ty0 = int(round((rect.y_mm - MARGIN_MM) * s))
    tw = int(round((rect.w_mm + 2 * MARGIN_MM) * s))
    th = int(round((rect.h_mm + 2 * MARGIN_MM) * s))
    tmpl = _crop(template.ink, tx0, ty0, tx0 + tw, ty0 + th)
    slack = int(round(ALIGN_MM * s))
    dx = dy = slack
    if float(tmpl.std()) > 0.02 and big.shape[0] >= th and big.shape[1] >= tw:
        # Where the printed frame correlates best; voter ink barely moves this because the
        # frame's long straight edges dominate the correlation.
        res = cv2.matchTemplate(big.astype(np.float32), tmpl.astype(np.float32), cv2.TM_CCORR_NORMED)
        _, _, _, (dx, dy) = cv2.minMaxLoc(res)
    region = big[dy : dy + th, dx : dx + tw]
    printed = _crop(template.ink_dilated, tx0, ty0, tx0 + tw, ty0 + th)
    m = int(round(MARGIN_MM * s))
    inner = (m, m, m + int(round(rect.w_mm * s)), m + int(round(rect.h_mm * s)))
    return BoxInk(region, printed, inner, ((dx - slack) / s, (dy - slack) / s))


def voter_ink_mask(ink: BoxInk, strong: float, weak: float, printed_max: float = 0.2) -> np.ndarray:
    """Hysteresis: pixels darker than `weak` that are connected to one darker than `strong`.

    A light pencil line is only a little darker than paper grain at its edges; seeds at
    `strong` find the stroke, growth down to `weak` gives it its true shape, and grain that
    never reaches `strong` is left out.
    """
    free = ink.printed < printed_max
    weak_mask = (ink.darkness > weak) & free
    n, labels = cv2.connectedComponents(weak_mask.astype(np.uint8), connectivity=8)
    if n <= 1:
        return weak_mask
    seeded = np.zeros(n, dtype=bool)
    seeded[np.unique(labels[(ink.darkness > strong) & free])] = True
    seeded[0] = False
    mask = seeded[labels]
    # A stroke that crosses a printed line (a large ○ over the box border) is cut where the
    # print is masked out; join the pieces across the printed band only, never elsewhere.
    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, _BRIDGE).astype(bool)
    return mask | (closed & ~free)


def faint_ink_mm2(ink: BoxInk, faint: float, min_component_mm2: float, printed_max: float = 0.2) -> float:
    """Connected faint ink in the box and its margin, in mm²: the evidence an empty box must
    NOT have. Paper grain and sensor noise are specks; a pencil line too light to seed a
    stroke is still one connected piece."""
    mask = ((ink.darkness > faint) & (ink.printed < printed_max)).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA] / (PX_PER_MM * PX_PER_MM)
    return float(areas[areas >= min_component_mm2].sum())


_BRIDGE = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (13, 13))  # spans the 1.2 mm printed band
