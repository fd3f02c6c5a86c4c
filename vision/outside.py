"""Ink outside the boxes: stray marks, a name underlined or ticked, initials, doodles.

A ballot "marked beyond the prescribed items" may be void; scrutineers decide, so the
reader must show them every such ballot. The low-resolution page (LOW_PX_PER_MM) finds
candidates: places (`outside_zone_low`) darker than the print could make them, clear of
print or on and near it (a tick beside a printed name, an underline, a doodle over the
instructions), less the sheet's own edge in a photo (`sheet_edges`). At that scale a thin
stroke and the blurred edge of a printed character look alike, and a light stroke is
diluted; so each candidate is judged as a box is: at PX_PER_MM, aligned on its own print,
the print model subtracted, print hiding ink and its edge needing darker ink, ink
measured by the same hysteresis.
"""

from __future__ import annotations

import cv2
import numpy as np

from calibration.profile import Profile
from vision.ink import PageSpace, aligned_patch, bridge_print, print_residue, scaled_expected, voter_ink_mask
from vision.print_model import PrintModel
from vision.templates import (
    LOW_PX_PER_MM,
    LOW_SLOP_MM,
    MARGIN_MM,
    PX_PER_MM,
    PrintMasks,
    StyleTemplate,
    box_region,
    crop_padded,
    has_print,
    print_masks,
)

PRINT_GAIN_SLACK = 1.3  # as vision.reader.voter_darkness allows print to vary
PAD_MM = 1.5  # a candidate is judged with this much of the page around it
RUN_ON_MAX_MM = 3.0  # a marked box's stroke may run this far beyond its region and still be its own
MERGE_PX = 5  # candidates this close (low px, 2.5 mm) are judged together
MAX_CANDIDATES = 150  # more than this is not a few strays but a page the model does not fit


def outside_ink_mm2(
    space: PageSpace, template: StyleTemplate, profile: Profile, model: PrintModel, inked: frozenset[str] = frozenset()
) -> float:
    """Voter ink away from every box, mm² at full resolution. `inked`: the boxes (and
    write-in areas) the reader found ink in; ink running on from one of them is its own."""
    zone = template.outside_zone_low
    h, w = min(zone.shape[0], space.low.shape[0]), min(zone.shape[1], space.low.shape[1])
    zone, dark = zone[:h, :w], space.low[:h, :w]
    # The darkest the print can make each pixel (the image's blur only lowers it; light
    # falls off across a photo, so print may be darker than on the fiducial by 30 %).
    expected = min(1.0, PRINT_GAIN_SLACK * model.gain) * template.page_ink_low_max[space.low_cell_px][:h, :w]
    cand = ((dark - expected) > profile.quality.outside_darkness) & zone
    if not cand.any():
        return 0.0
    edges = sheet_edges(cand)
    if edges.any():
        edges = cv2.dilate(edges.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        cand &= ~edges
    joined = cv2.dilate(cand.astype(np.uint8), np.ones((MERGE_PX, MERGE_PX), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    if n - 1 > MAX_CANDIDATES:
        # Dark all over: the print model or the paper white is off for this image (a badly
        # lit photo). Counted as the low resolution shows it; people look at such a page.
        return float(cand.sum()) / LOW_PX_PER_MM**2
    total = 0.0
    k = PX_PER_MM / LOW_PX_PER_MM
    pad = PAD_MM * PX_PER_MM
    marked = [
        (_corners(box_region(b.rect)), _corners(box_region(b.rect, 0.0)))
        for b in template.layout.boxes
        if b.id in inked
    ]
    for x, y, bw, bh, _ in stats[1:]:
        rect = (int(x * k - pad), int(y * k - pad), int((x + bw) * k + pad), int((y + bh) * k + pad))
        # A marked box whose region the candidate reaches is judged with it: ink joined to
        # its mark is the box's (_running_on).
        anchors = [box for region, box in marked if _overlap(region, rect)]
        for bx0, by0, bx1, by1 in anchors:
            rect = (min(rect[0], bx0), min(rect[1], by0), max(rect[2], bx1), max(rect[3], by1))
        total += _judged_mm2(space, template, profile, model, edges, anchors, rect)
    return total


SHEET_EDGE_BAND_MM = 16.0  # the sheet's own edge can show this far in (curl, a photo's perspective)
SHEET_EDGE_MIN_MM = 8.0  # as a line at least this long…
SHEET_EDGE_MAX_WIDTH_MM = 1.5  # …and this thin, along the edge
SHEET_EDGE_JOIN_MM = 4.0  # dashes of one edge line, this far apart, are one line
SHEET_EDGE_MAX_SLOPE = 0.3  # within about 17° of the border


def sheet_edges(ink: np.ndarray) -> np.ndarray:
    """Thin lines along the sheet's border, near it: the edge of the paper (or the table
    beyond it) where a curled sheet or a photo's perspective brings it into the page, not
    a voter's writing. Found per band, after joining dashes along the edge."""
    s = LOW_PX_PER_MM
    band = int(SHEET_EDGE_BAND_MM * s)
    h, w = ink.shape
    out = np.zeros_like(ink)
    join = int(SHEET_EDGE_JOIN_MM * s) | 1
    for rows, cols, along_x in (
        (slice(0, band), slice(0, w), True),
        (slice(h - band, h), slice(0, w), True),
        (slice(0, h), slice(0, band), False),
        (slice(0, h), slice(w - band, w), False),
    ):
        part = ink[rows, cols].astype(np.uint8)
        if not part.any():
            continue
        kernel = np.ones((3, join) if along_x else (join, 3), np.uint8)  # a slanting line steps
        joined = cv2.dilate(part, kernel)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
        inked = np.bincount(labels[part.astype(bool)], minlength=n) / (s * s)  # mm² of ink in each
        length = (stats[:, cv2.CC_STAT_WIDTH if along_x else cv2.CC_STAT_HEIGHT] - join + 1) / s
        across = (stats[:, cv2.CC_STAT_HEIGHT if along_x else cv2.CC_STAT_WIDTH] - 2) / s
        width = inked / np.maximum(length, 1e-6)  # mean thickness
        edge = (
            (length >= SHEET_EDGE_MIN_MM)
            & (width <= SHEET_EDGE_MAX_WIDTH_MM)
            & (across <= SHEET_EDGE_MAX_SLOPE * length + SHEET_EDGE_MAX_WIDTH_MM)
        )
        edge[0] = False
        for i in np.flatnonzero(edge):
            # Straight: every ink pixel within half the width limit of one fitted line
            # (handwriting joined along the edge is not).
            ys, xs = np.nonzero((labels == i) & part.astype(bool))
            pts = np.column_stack([xs, ys]).astype(np.float32)
            vx, vy, x0, y0 = cv2.fitLine(pts, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
            off = np.abs((pts[:, 0] - x0) * vy - (pts[:, 1] - y0) * vx)
            edge[i] = float(off.max()) <= SHEET_EDGE_MAX_WIDTH_MM * s / 2
        if edge.any():
            out[rows, cols] |= edge[labels] & part.astype(bool)
    return out


def _judged_mm2(
    space: PageSpace,
    template: StyleTemplate,
    profile: Profile,
    model: PrintModel,
    edges: np.ndarray,
    marks: list[tuple[int, int, int, int]],
    rect: tuple[int, int, int, int],
) -> float:
    """Voter ink outside the boxes in one candidate region (page px at PX_PER_MM), away
    from the sheet's `edges` (low px): read as a box is, against the print aligned on its
    own, at full resolution. Ink joined to ink in the marked boxes `marks` (x0, y0, x1, y1)
    is theirs."""
    t = profile.marks
    s = PX_PER_MM
    x0, y0, x1, y1 = rect
    ink = crop_padded(template.page_ink, x0, y0, x1, y1).astype(np.float32) / 255.0
    h, w = ink.shape
    # Print is looked for no further than the candidates allowed it to be (LOW_SLOP_MM): a
    # region often holds one straight rule, which correlates as well with a voter's line
    # drawn parallel to it a millimetre or two away.
    darkness, _ = aligned_patch(space, x0, y0, ink, int(round(LOW_SLOP_MM * s)), has_print(ink))
    voter = darkness - scaled_expected(model.shown(ink), darkness, model.gain)
    masks = print_masks(ink, t.print_core_mm, t.print_halo_mm)
    ink_all = voter_ink_mask(voter, masks, t.strong_darkness, t.weak_darkness, t.halo_darkness)
    mask = ink_all & crop_padded(template.outside_zone, x0, y0, x1, y1)
    if edges.any():
        k = int(PX_PER_MM / LOW_PX_PER_MM)
        near_edge = crop_padded(edges.astype(np.uint8), x0 // k, y0 // k, -(-x1 // k), -(-y1 // k))
        near_edge = np.kron(near_edge, np.ones((k, k), np.uint8))[y0 % k : y0 % k + h, x0 % k : x0 % k + w]
        mask &= ~near_edge.astype(bool)
    if not mask.any():
        return 0.0
    mask &= ~print_residue(mask, masks.hidden)
    mask &= ~_running_on(ink_all, masks, marks, rect)
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    areas = stats[:, cv2.CC_STAT_AREA] / (s * s)
    keep = areas >= t.min_component_mm2
    keep[0] = False
    return float(areas[keep].sum())


def _running_on(
    ink: np.ndarray, masks: PrintMasks, boxes: list[tuple[int, int, int, int]], rect: tuple[int, int, int, int]
) -> np.ndarray:
    """Ink joined (across print) to ink inside one of the marked `boxes` (x0, y0, x1, y1,
    page px), up to RUN_ON_MAX_MM beyond the box's region: a mark overshooting its region
    (the long tail of a √) is the box's, which reads its part and sends the ballot to people
    if the mark is odd there. An underline through the margin of a marked box, touching
    nothing of its mark, is not; nor is a stroke running on across the paper (an arrow from
    the box to a name, initials begun from the tick) beyond that distance."""
    x0, y0, x1, y1 = rect
    area = np.zeros(ink.shape, np.uint8)
    for bx0, by0, bx1, by1 in boxes:
        ax0, ay0, ax1, ay1 = max(bx0, x0), max(by0, y0), min(bx1, x1), min(by1, y1)
        if ax0 < ax1 and ay0 < ay1:
            area[ay0 - y0 : ay1 - y0, ax0 - x0 : ax1 - x0] = 1
    inside = ink & area.astype(bool)
    if not inside.any():
        return inside
    _, labels = cv2.connectedComponents(bridge_print(ink, masks).astype(np.uint8), connectivity=8)
    joined = np.unique(labels[inside])
    r = int(round((MARGIN_MM + RUN_ON_MAX_MM) * PX_PER_MM))
    near = cv2.dilate(area, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * r + 1, 2 * r + 1))).astype(bool)
    return np.isin(labels, joined[joined > 0]) & near


def _corners(region: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    x, y, w, h = region
    return x, y, x + w, y + h


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
