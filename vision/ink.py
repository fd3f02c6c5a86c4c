"""Voter ink: what is dark in the image and was not printed on the blank ballot.

Steps for one page:
1. `PageSpace`: the page at low resolution (area-averaged), and from it the paper-white
   level (a closing wider than any mark, then smoothed), so grey paper, scanner vignetting
   and camera shadows become darkness 0.
2. For each box, a region warped into canonical page space (PX_PER_MM) through the
   fiducial homography, then shifted by up to ALIGN_MM so the printed frame in the image
   lies on the template's frame: this absorbs lens distortion, paper curl and printer
   drift that a single homography cannot.
3. Voter ink = darkness above the calibrated thresholds where the template has no printed
   ink (`core`: print grown by a fraction of a millimetre for registration), and, at the
   blurred edge of print (`halo`), only where it is darker than any blur of print can be.
   Printed borders, names and rules never count.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.register import Registration
from vision.templates import ALIGN_MM, LOW_PX_PER_MM, PX_PER_MM, BoxTemplate, PrintMasks, beside_print

WHITE_PX_PER_MM = 1.0  # resolution of the paper-white estimate: it is smooth at this scale
WHITE_FILTER_MM = 14.0  # wider than any mark, so ink never lifts the white level
RESIDUE_MAX_WIDTH_MM = 0.6  # a printed line's left-over edge (print_residue): this thin…
RESIDUE_MAX_TILT_DEG = 6.0  # …and this close to the page's axes


@dataclass(frozen=True)
class PageSpace:
    gray: np.ndarray
    reg: Registration
    white: np.ndarray  # paper-white level in page space at WHITE_PX_PER_MM (float32, 0–255)
    low: np.ndarray  # darkness of the whole page at LOW_PX_PER_MM (float32, 0 paper … 1 black)
    page_w_mm: float
    page_h_mm: float

    @classmethod
    def build(cls, gray: np.ndarray, reg: Registration, page_w_mm: float, page_h_mm: float) -> PageSpace:
        s = LOW_PX_PER_MM
        # Area-average down towards the target scale first (by a whole factor: OpenCV's
        # fast path), so thin strokes are averaged rather than skipped by the warp.
        k = max(1, int(reg.px_per_mm / s))
        f = 1.0 / k
        small = gray if k == 1 else cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        size = (int(round(page_w_mm * s)), int(round(page_h_mm * s)))
        m = np.diag([f, f, 1.0]) @ reg.homography @ np.diag([1.0 / s, 1.0 / s, 1.0])
        low = cv2.warpPerspective(
            small, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
        )
        w = WHITE_PX_PER_MM
        lower = cv2.resize(low, (int(round(page_w_mm * w)), int(round(page_h_mm * w))), interpolation=cv2.INTER_AREA)
        k = int(WHITE_FILTER_MM * w) | 1
        # Closing (max, then min, over the same window): ink narrower than the window goes,
        # while a shadow's edge stays where it is; a plain max filter would carry the bright
        # side into the shadow by the window's radius and make paper there look inked.
        white = cv2.morphologyEx(lower, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
        white = np.maximum(cv2.GaussianBlur(white.astype(np.float32), (0, 0), k / 2), 1.0)
        white_low = cv2.resize(white, size, interpolation=cv2.INTER_LINEAR)
        dark = np.clip(1.0 - low.astype(np.float32) / white_low, 0.0, 1.0)
        # Where the page lies outside the image there is nothing to see: no darkness.
        h, w = gray.shape[:2]
        edge = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float64).reshape(-1, 1, 2)
        inside = np.zeros(dark.shape, np.uint8)
        poly = cv2.perspectiveTransform(edge, np.linalg.inv(reg.homography)).reshape(-1, 2) * s
        cv2.fillConvexPoly(inside, np.round(poly).astype(np.int32), 1)
        dark[cv2.erode(inside, np.ones((5, 5), np.uint8)) == 0] = 0.0
        return cls(gray, reg, white, dark, page_w_mm, page_h_mm)

    @property
    def low_cell_px(self) -> int:
        """The cell (canonical px) that `low` averaged the image over before sampling it: the
        image's pixel, or the whole-factor reduction's (between ¼ and ½ mm)."""
        k = max(1, int(self.reg.px_per_mm / LOW_PX_PER_MM))
        return int(np.clip(np.floor(PX_PER_MM * k / self.reg.px_per_mm), 2, 4))

    def patch(self, x_mm: float, y_mm: float, w_px: int, h_px: int, s: float = PX_PER_MM) -> np.ndarray:
        """Darkness (0 paper … 1 black) of a page region, `w_px` × `h_px` at `s` px/mm."""
        to_mm = np.array([[1.0 / s, 0, x_mm], [0, 1.0 / s, y_mm], [0, 0, 1.0]])
        m = self.reg.homography @ to_mm
        img = cv2.warpPerspective(
            self.gray, m, (w_px, h_px), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderValue=255
        ).astype(np.float32)
        w = WHITE_PX_PER_MM
        # warpAffine with WARP_INVERSE_MAP maps dst → src: dst px (u, v) → white px (u·w/s + x·w, …)
        wm = np.array([[w / s, 0, x_mm * w], [0, w / s, y_mm * w]])
        white = cv2.warpAffine(
            self.white, wm, (w_px, h_px), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
        )
        return np.clip(1.0 - img / white, 0.0, 1.0)


def _peak(res: np.ndarray) -> tuple[float, float]:
    """Sub-pixel position of the maximum of a correlation surface (parabola through the
    best value and its neighbours, per axis)."""
    _, _, _, (x, y) = cv2.minMaxLoc(res)
    out = []
    for i, line in ((x, res[y, :]), (y, res[:, x])):
        if 0 < i < len(line) - 1:
            a, b, c = float(line[i - 1]), float(line[i]), float(line[i + 1])
            den = a - 2 * b + c
            out.append(i + (0.5 * (a - c) / den if den < 0 else 0.0))
        else:
            out.append(float(i))
    return out[0], out[1]


def best_shift(big: np.ndarray, tmpl: np.ndarray, tmpl_half: np.ndarray | None = None) -> tuple[int, int]:
    """Where `tmpl` lies best in `big` (top-left, whole px). Correlated at half resolution
    (four times fewer pixels; the printed frame's edges are still sharp there), the peak
    found to a fraction of a pixel, and rounded at full resolution."""
    half_b = cv2.resize(big, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    half_t = tmpl_half
    if half_t is None:
        half_t = cv2.resize(tmpl, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    x, y = _peak(cv2.matchTemplate(half_b, half_t, cv2.TM_CCORR_NORMED))
    th, tw = tmpl.shape
    # (Python's min/max: np.clip on a scalar costs more than the rest of this line.)
    return min(max(round(2 * x), 0), big.shape[1] - tw), min(max(round(2 * y), 0), big.shape[0] - th)


@dataclass(frozen=True)
class BoxInk:
    darkness: np.ndarray  # the box region (rect ± MARGIN_MM), aligned, canonical page space
    shift_mm: tuple[float, float]  # local alignment found


def aligned_patch(
    space: PageSpace, x0: int, y0: int, ink: np.ndarray, slack: int, align: bool, ink_half: np.ndarray | None = None
) -> tuple[np.ndarray, tuple[int, int]]:
    """The page's darkness over the region of the printed `ink` (top left at page px x0, y0,
    PX_PER_MM), moved by up to `slack` px to where that print lies best in the image when
    `align`; and the move (px)."""
    s = PX_PER_MM
    h, w = ink.shape
    big = space.patch((x0 - slack) / s, (y0 - slack) / s, w + 2 * slack, h + 2 * slack)
    dx = dy = slack
    if align:
        dx, dy = best_shift(big, ink, ink_half)
    return big[dy : dy + h, dx : dx + w], (dx - slack, dy - slack)


def box_darkness(space: PageSpace, bt: BoxTemplate) -> BoxInk:
    # Where the printed frame correlates best; voter ink barely moves this because the
    # frame's long straight edges dominate the correlation.
    slack = int(round(ALIGN_MM * PX_PER_MM))
    darkness, (dx, dy) = aligned_patch(space, bt.x0, bt.y0, bt.ink, slack, bt.has_print, bt.ink_half)
    return BoxInk(darkness, (dx / PX_PER_MM, dy / PX_PER_MM))


def scaled_expected(expected: np.ndarray, darkness: np.ndarray, gain: float) -> np.ndarray:
    """The predicted print scaled to how dark this region's own print came out (light
    falls off across a photo), within ±30 %; unchanged when the region has little print."""
    printed = expected > 0.3 * gain
    if np.count_nonzero(printed) < 64:
        return expected
    e, d = expected[printed], darkness[printed]
    return expected * float(np.clip((d @ e) / max(float(e @ e), 1e-9), 0.7, 1.3))


def print_residue(bridged: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Pieces of ink that are thin straight lines lying along print: the edge of a printed
    rule that the print model did not quite explain (a shaken photo), not a stroke."""
    near = beside_print(hidden)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(bridged.astype(np.uint8), connectivity=8)
    out = np.zeros_like(bridged)
    for i in range(1, n):
        x, y, w, h = stats[i, :4]
        piece = labels[y : y + h, x : x + w] == i
        if near[y : y + h, x : x + w][piece].mean() < 0.9:
            continue
        pts = np.column_stack(np.nonzero(piece)[::-1]).astype(np.float32)
        (_, _), (rw, rh), ang = cv2.minAreaRect(pts)
        thin_side = min(rw, rh) / PX_PER_MM
        axis = min(ang % 90.0, 90.0 - ang % 90.0)
        if thin_side <= RESIDUE_MAX_WIDTH_MM and axis <= RESIDUE_MAX_TILT_DEG:
            out[y : y + h, x : x + w] |= piece
    return out


def voter_ink_mask(darkness: np.ndarray, masks: PrintMasks, strong: float, weak: float, halo: float) -> np.ndarray:
    """Hysteresis: pixels darker than `weak` that are connected to one darker than `strong`.

    A light pencil line is only a little darker than paper grain at its edges; seeds at
    `strong` find the stroke, growth down to `weak` gives it its true shape, and grain that
    never reaches `strong` is left out. Next to print (`halo`) a pixel counts only above
    `halo`, so the blurred edge of a printed line is never a stroke; print itself (`core`)
    hides ink.
    """
    usable = masks.not_core & (~masks.halo | (darkness > halo)) if masks.has_halo else masks.not_core
    seeds = (darkness > strong) & usable
    if not seeds.any():
        return seeds  # no stroke anywhere: nothing to grow
    weak_mask = (darkness > weak) & usable
    n, labels = cv2.connectedComponents(weak_mask.astype(np.uint8), connectivity=8)
    if n <= 1:
        return weak_mask
    seeded = np.zeros(n, dtype=bool)
    seeded[labels[seeds]] = True
    seeded[0] = False
    return seeded[labels]


def bridge_print(mask: np.ndarray, masks: PrintMasks, span_mm: float = 1.6) -> np.ndarray:
    """A stroke that crosses a printed line is cut where print hides it; join the pieces
    across the printed band only (`core`), and only between ink on both sides of it
    (printed rules and frames run along the page axes, so closing along rows and along
    columns spans them). Ink running beside a line is not smeared into it."""
    if not mask.any():
        return mask
    k = int(round(span_mm * PX_PER_MM)) | 1
    m = mask.astype(np.uint8)
    rows = cv2.morphologyEx(m, cv2.MORPH_CLOSE, np.ones((1, k), np.uint8))
    cols = cv2.morphologyEx(m, cv2.MORPH_CLOSE, np.ones((k, 1), np.uint8))
    return mask | ((rows | cols).astype(bool) & masks.core)


def faint_ink_mm2(
    darkness: np.ndarray, usable: np.ndarray, faint: float, min_component_mm2: float, smooth_mm: float
) -> float:
    """Connected faint ink over `usable` pixels, in mm²: the evidence an empty box must NOT
    have. The darkness is first smoothed over `smooth_mm` (sensor noise and JPEG blocks
    average out, a line keeps most of its darkness); paper grain and noise are then specks,
    while a pencil line too light to seed a stroke is still one connected piece."""
    d = darkness
    if smooth_mm > 0:
        d = cv2.GaussianBlur(darkness, (0, 0), smooth_mm * PX_PER_MM)
    mask = ((d > faint) & usable).astype(np.uint8)
    if not mask.any():
        return 0.0
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA] / (PX_PER_MM * PX_PER_MM)
    return float(areas[areas >= min_component_mm2].sum())
