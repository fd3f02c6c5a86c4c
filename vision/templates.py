"""Blank-ballot templates: each ballot style's layout and its printed ink in page space.

The template is the ballot as printed, rendered from the election definition in memory at
PX_PER_MM, the same chain that makes the PDF. Ink in a scan that is not in the template is
the voter's; so printed borders, names and table rules never count as marks.

Everything a page reading needs per box that depends only on the layout (the printed ink
around the box, which neighbour owns which part of its margin, where print hides ink) is
computed here once per election, not once per ballot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import cv2
import numpy as np

from station.ballot_layout import build_sheets
from station.ballot_pdf import pdf_bytes, render_pdf
from station.election import Election
from station.layout import BallotLayout, LayoutBox, Rect

PX_PER_MM = 8.0  # canonical page space (≈ 203 dpi): a 10 mm box is 80 px across
LOW_PX_PER_MM = 2.0  # the whole page at low resolution: paper white, marks outside the boxes
MARGIN_MM = 3.5  # ink this far outside a box still belongs to its mark (a large ○ over the border)
ALIGN_MM = 1.5  # how far a box may sit from where the homography puts it
OUTSIDE_EDGE_MM = 6.0
FIDUCIAL_MARGIN_MM = 1.5
LOW_CELLS_PX = (2, 3, 4)  # cell sizes of the low-resolution page (vision.ink.PageSpace.low_cell_px)
LOW_SLOP_MM = 0.5  # how far print may sit from where the homography puts it, for vision.outside's candidates
CORNER_PX_PER_MM = 4.0  # the QR corner, for identifying a ballot whose QR cannot be decoded
CORNER_MARGIN_MM = 4.0  # the sheet's edge band: shadows and scanner borders, not voter marks


@dataclass(frozen=True)
class PrintMasks:
    """Where printed ink hides voter ink (`core`) and where its blurred edge may look like
    ink (`halo`: only darker pixels count there), over one box region."""

    core: np.ndarray  # bool
    halo: np.ndarray  # bool, disjoint from core

    # Derived masks, computed once per box for the whole count (read-only: shared by every ballot).
    @cached_property
    def hidden(self) -> np.ndarray:
        """Where print hides or may mimic ink: core or halo."""
        return _frozen(self.core | self.halo)

    @cached_property
    def clear(self) -> np.ndarray:
        """Free of print: neither core nor halo."""
        return _frozen(~self.hidden)

    @cached_property
    def not_core(self) -> np.ndarray:
        return _frozen(~self.core)

    @cached_property
    def has_halo(self) -> bool:
        return bool(self.halo.any())


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@dataclass(frozen=True)
class BoxTemplate:
    """One box and its surroundings in canonical page space (PX_PER_MM), page 1."""

    box: LayoutBox
    x0: int  # region origin in page px: the box rectangle ± MARGIN_MM
    y0: int
    inner: tuple[int, int, int, int]  # the box rectangle within the region: x0, y0, x1, y1 (px)
    ink: np.ndarray  # printed darkness 0–1 over the region (float32)
    # Region pixels nearer to this box than to any other box or write-in area: ink of a
    # neighbour's large ○ reaching into the margin is the neighbour's.
    zone: np.ndarray
    _masks: dict[tuple[float, float], PrintMasks] = field(default_factory=dict, compare=False, repr=False)
    _blurred: dict[float, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        return self.ink.shape  # type: ignore[return-value]

    @cached_property
    def has_print(self) -> bool:
        """Whether the region holds print to align on (a box always does: its frame)."""
        return has_print(self.ink)

    @cached_property
    def ink_half(self) -> np.ndarray:
        """The printed ink at half resolution (vision.ink.best_shift aligns there)."""
        return cv2.resize(self.ink, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)

    def print_masks(self, core_mm: float, halo_mm: float) -> PrintMasks:
        """Printed ink grown by `core_mm` (hidden) and then by `halo_mm` (blurred edge).
        Cached: the radii are calibration data, the same for every ballot of a count."""
        key = (core_mm, halo_mm)
        got = self._masks.get(key)
        if got is None:
            got = self._masks[key] = print_masks(self.ink, core_mm, halo_mm)
        return got

    def blurred_ink(self, sigma_px: float) -> np.ndarray:
        """The printed ink as an image of this blur shows it (cached per blur step)."""
        got = self._blurred.get(sigma_px)
        if got is None:
            got = self.ink if sigma_px <= 0 else cv2.GaussianBlur(self.ink, (0, 0), sigma_px)
            self._blurred[sigma_px] = got
        return got


def has_print(ink: np.ndarray) -> bool:
    """Whether a region of printed darkness holds print to align on."""
    return float(ink.std()) > 0.02


_BESIDE = np.ones((9, 9), np.uint8)  # ±0.5 mm at PX_PER_MM


def beside_print(hidden: np.ndarray) -> np.ndarray:
    """Where print hides ink, and half a millimetre around it."""
    return cv2.dilate(hidden.astype(np.uint8), _BESIDE).astype(bool)


def print_masks(ink: np.ndarray, core_mm: float, halo_mm: float) -> PrintMasks:
    """Printed ink (darkness 0–1 in canonical page space) grown by `core_mm`, then `halo_mm`."""
    printed = (ink > 0.2).astype(np.uint8)
    core = _grow(printed, core_mm)
    return PrintMasks(core, _grow(printed, core_mm + halo_mm) & ~core)


def _grow(mask: np.ndarray, mm: float) -> np.ndarray:
    r = int(round(mm * PX_PER_MM))
    if r <= 0:
        return mask.astype(bool)
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    return cv2.dilate(mask.astype(np.uint8), k).astype(bool)


@dataclass(frozen=True)
class CornerTemplate:
    """The printed top-right corner (QR code and top-right fiducial, with paper around
    them) at CORNER_PX_PER_MM: what vision.identify compares an undecodable QR with."""

    origin_mm: tuple[float, float]
    ink: np.ndarray  # printed darkness 0–1 (float32)


@dataclass(frozen=True)
class StyleTemplate:
    layout: BallotLayout
    boxes: tuple[BoxTemplate, ...]  # in layout order
    # The first fiducial's printed ink with FIDUCIAL_MARGIN_MM of paper around it, and where
    # that region starts (page px): how print comes out in an image (vision.print_model).
    fiducial_ink: np.ndarray
    fiducial_origin: tuple[int, int]
    corner: CornerTemplate
    # Where ink is "outside the boxes": further than MARGIN_MM from every box (nearer, the
    # box reads it), not at the sheet's edge, not on or beside a fiducial or the QR code.
    # At PX_PER_MM (the pixels that count), and at LOW_PX_PER_MM (where any does).
    outside_zone: np.ndarray
    outside_zone_low: np.ndarray
    # The whole page's printed darkness at PX_PER_MM (0–255, uint8: a quarter of the
    # memory of floats), and the darkest the print can make each LOW_PX_PER_MM pixel with
    # the page up to half a millimetre off, by the image's own cell size (2, 3 or 4 canonical
    # px; float32, 0–1; vision.outside).
    page_ink: np.ndarray
    page_ink_low_max: dict[int, np.ndarray]


@dataclass(frozen=True)
class ElectionTemplates:
    election: Election
    styles: dict[tuple[str, str], StyleTemplate]  # (stage id, style id) → template

    def by_hash(self, layout_hash: str) -> StyleTemplate | None:
        for t in self.styles.values():
            if t.layout.layout_hash == layout_hash:
                return t
        return None


def crop_padded(a: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """A crop that pads with 0 where the region leaves the array."""
    h, w = a.shape
    out = np.zeros((y1 - y0, x1 - x0), dtype=a.dtype)
    sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = a[sy0:sy1, sx0:sx1]
    return out


def _rect_distance(r: Rect, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    dx = np.maximum(np.maximum(r.x_mm - xs, xs - (r.x_mm + r.w_mm)), 0.0)
    dy = np.maximum(np.maximum(r.y_mm - ys, ys - (r.y_mm + r.h_mm)), 0.0)
    return np.hypot(dx, dy)


def box_region(rect: Rect, margin_mm: float = MARGIN_MM) -> tuple[int, int, int, int]:
    """Region of a box ± margin in canonical page px: x0, y0, width, height."""
    s = PX_PER_MM
    x0 = int(round((rect.x_mm - margin_mm) * s))
    y0 = int(round((rect.y_mm - margin_mm) * s))
    return x0, y0, int(round((rect.w_mm + 2 * margin_mm) * s)), int(round((rect.h_mm + 2 * margin_mm) * s))


def _box_template(box: LayoutBox, others: list[LayoutBox], ink: np.ndarray) -> BoxTemplate:
    s = PX_PER_MM
    x0, y0, w, h = box_region(box.rect)
    ix0, iy0 = int(round(box.rect.x_mm * s)) - x0, int(round(box.rect.y_mm * s)) - y0
    inner = (ix0, iy0, ix0 + int(round(box.rect.w_mm * s)), iy0 + int(round(box.rect.h_mm * s)))
    # Pixel centres in page mm.
    xs = (x0 + np.arange(w) + 0.5)[None, :] / s
    ys = (y0 + np.arange(h) + 0.5)[:, None] / s
    own = _rect_distance(box.rect, xs, ys)
    zone = np.ones((h, w), dtype=bool)
    reach = 2 * MARGIN_MM
    for o in others:
        r = o.rect
        if (
            r.x_mm > box.rect.x_mm + box.rect.w_mm + reach
            or r.x_mm + r.w_mm < box.rect.x_mm - reach
            or r.y_mm > box.rect.y_mm + box.rect.h_mm + reach
            or r.y_mm + r.h_mm < box.rect.y_mm - reach
        ):
            continue
        zone &= own <= _rect_distance(r, xs, ys)
    return BoxTemplate(box, x0, y0, inner, crop_padded(ink, x0, y0, x0 + w, y0 + h), zone)


def _outside_zone(layout: BallotLayout, shape: tuple[int, ...]) -> np.ndarray:
    """Where ink is outside the boxes, at PX_PER_MM: exactly the pixels no box region holds."""
    page = layout.pages[0]
    zone = np.ones(shape, dtype=bool)
    e = int(OUTSIDE_EDGE_MM * PX_PER_MM)
    zone[:e, :] = zone[-e:, :] = zone[:, :e] = zone[:, -e:] = False
    # The fiducials and the QR code, with 1 mm around them: dense print, never written over
    # on a real ballot, and their edges are the last thing a blurred photo's print model
    # explains.
    for r in [f.rect for f in page.fiducials] + [page.qr.rect]:
        _clear(zone, box_region(r, 1.0))
    for b in layout.boxes:
        _clear(zone, box_region(b.rect))
    return zone


def _clear(zone: np.ndarray, region: tuple[int, int, int, int]) -> None:
    x0, y0, w, h = region
    zone[max(y0, 0) : max(y0 + h, 0), max(x0, 0) : max(x0 + w, 0)] = False


def _low_blocks_max(a: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A PX_PER_MM array at LOW_PX_PER_MM (`shape`): the most of each low pixel's block.
    Low pixel i samples the page at canonical px k·i, so its block is centred there."""
    k = int(PX_PER_MM / LOW_PX_PER_MM)
    h, w = shape
    return crop_padded(a, -k // 2, -k // 2, w * k - k // 2, h * k - k // 2).reshape(h, k, w, k).max(axis=(1, 3))


def style_template(layout: BallotLayout, grey: np.ndarray) -> StyleTemplate:
    """The template of one style from its blank page rendered at PX_PER_MM."""
    ink = 1.0 - grey.astype(np.float32) / 255.0
    boxes = tuple(_box_template(b, [o for o in layout.boxes if o is not b], ink) for b in layout.boxes)
    fx0, fy0, fw, fh = box_region(layout.pages[0].fiducials[0].rect, FIDUCIAL_MARGIN_MM)
    fid = crop_padded(ink, fx0, fy0, fx0 + fw, fy0 + fh)
    page = layout.pages[0]
    low_shape = (int(round(page.height_mm * LOW_PX_PER_MM)), int(round(page.width_mm * LOW_PX_PER_MM)))
    outside = _outside_zone(layout, ink.shape)
    page_ink = np.round(np.clip(ink, 0.0, 1.0) * 255).astype(np.uint8)
    return StyleTemplate(
        layout,
        boxes,
        fid,
        (fx0, fy0),
        _corner(layout, ink),
        outside,
        _low_blocks_max(outside.astype(np.uint8), low_shape).astype(bool),
        page_ink,
        _low_max(ink, low_shape),
    )


def _low_max(ink: np.ndarray, shape: tuple[int, int]) -> dict[int, np.ndarray]:
    """The darkest any low-resolution pixel of the blank page can be, for each cell size
    (canonical px) an image may have been averaged over before it was sampled: the print's
    mean over such a cell, at every offset within ±0.5 mm, the most per low pixel. (A thin
    printed line split between two cells in the template may fall into one in an image.)"""
    r = int(round(LOW_SLOP_MM * PX_PER_MM))
    out = {}
    for cell in LOW_CELLS_PX:
        mean = cv2.blur(ink.astype(np.float32), (cell, cell))
        out[cell] = _low_blocks_max(cv2.dilate(mean, np.ones((2 * r + 1, 2 * r + 1), np.uint8)), shape)
    return out


def _corner(layout: BallotLayout, ink: np.ndarray) -> CornerTemplate:
    page = layout.pages[0]
    tr = next(f for f in page.fiducials if f.marker_id == 1).rect
    q = page.qr.rect
    m = CORNER_MARGIN_MM
    x0, y0 = min(q.x_mm, tr.x_mm) - m, min(q.y_mm, tr.y_mm) - m
    x1, y1 = max(q.x_mm + q.w_mm, tr.x_mm + tr.w_mm) + m, max(q.y_mm + q.h_mm, tr.y_mm + tr.h_mm) + m
    s = PX_PER_MM
    full = crop_padded(ink, int(round(x0 * s)), int(round(y0 * s)), int(round(x1 * s)), int(round(y1 * s)))
    f = CORNER_PX_PER_MM / PX_PER_MM
    small = cv2.resize(full, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    return CornerTemplate((round(x0 * s) / s, round(y0 * s) / s), small)


def build_templates(election: Election, stage_ids: list[str] | None = None) -> ElectionTemplates:
    styles: dict[tuple[str, str], StyleTemplate] = {}
    for stage in election.stages:
        if stage_ids is not None and stage.id not in stage_ids:
            continue
        for sheet in build_sheets(election, stage):
            grey = render_pdf(pdf_bytes([sheet]), PX_PER_MM * 25.4)[0]
            styles[(stage.id, sheet.layout.style_id)] = style_template(sheet.layout, grey)
    return ElectionTemplates(election, styles)
