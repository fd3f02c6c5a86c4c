"""Blank-ballot templates: each ballot style's layout and its printed ink in page space.

The template is the ballot as printed, rendered from the election definition in memory at
PX_PER_MM, the same chain that makes the PDF. Ink in a scan that is not in the template is
the voter's; so printed borders, names and table rules never count as marks.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from station.ballot_layout import build_sheets
from station.ballot_pdf import pdf_bytes, render_pdf
from station.election import Election
from station.layout import BallotLayout

PX_PER_MM = 8.0  # canonical page space (≈ 203 dpi): a 10 mm box is 80 px across
OUTSIDE_PX_PER_MM = 4.0  # resolution of the search for marks outside the boxes
OUTSIDE_EDGE_MM = 6.0  # the sheet's edge band: shadows and scanner borders, not voter marks
BOX_ZONE_MM = 3.5  # around a box, ink belongs to the box's mark (vision.ink.MARGIN_MM + 1)


@dataclass(frozen=True)
class StyleTemplate:
    layout: BallotLayout
    # Printed ink as darkness 0–1 at PX_PER_MM, page 1; and the same, dilated so a print or
    # registration offset of up to ~0.4 mm still hides printed lines.
    ink: np.ndarray
    ink_dilated: np.ndarray
    # Where ink is "outside the boxes" (at OUTSIDE_PX_PER_MM): not printed, not near a box,
    # not at the sheet's edge.
    outside_zone: np.ndarray


@dataclass(frozen=True)
class ElectionTemplates:
    election: Election
    styles: dict[tuple[str, str], StyleTemplate]  # (stage id, style id) → template

    def by_hash(self, layout_hash: str) -> StyleTemplate | None:
        for t in self.styles.values():
            if t.layout.layout_hash == layout_hash:
                return t
        return None


def _outside_zone(layout: BallotLayout, printed: np.ndarray) -> np.ndarray:
    s = OUTSIDE_PX_PER_MM
    page = layout.pages[0]
    size = (int(round(page.width_mm * s)), int(round(page.height_mm * s)))
    low = cv2.resize(printed, size, interpolation=cv2.INTER_AREA)
    zone = cv2.dilate(low, np.ones((3, 3), np.uint8)) < 0.05
    e = int(OUTSIDE_EDGE_MM * s)
    zone[:e, :] = zone[-e:, :] = zone[:, :e] = zone[:, -e:] = False
    pad = BOX_ZONE_MM
    for b in layout.boxes:
        r = b.rect
        zone[
            max(int((r.y_mm - pad) * s), 0) : int((r.y_mm + r.h_mm + pad) * s),
            max(int((r.x_mm - pad) * s), 0) : int((r.x_mm + r.w_mm + pad) * s),
        ] = False
    return zone


def build_templates(election: Election, stage_ids: list[str] | None = None) -> ElectionTemplates:
    styles: dict[tuple[str, str], StyleTemplate] = {}
    for stage in election.stages:
        if stage_ids is not None and stage.id not in stage_ids:
            continue
        for sheet in build_sheets(election, stage):
            grey = render_pdf(pdf_bytes([sheet]), PX_PER_MM * 25.4)[0]
            ink = 1.0 - grey.astype(np.float32) / 255.0
            dil = cv2.dilate(ink, np.ones((7, 7), np.uint8))
            styles[(stage.id, sheet.layout.style_id)] = StyleTemplate(
                sheet.layout, ink, dil, _outside_zone(sheet.layout, dil)
            )
    return ElectionTemplates(election, styles)
