"""Ink outside the boxes: doodles, a printed name underlined or circled, initials.

A stray mark is placed where it touches no mark box, write-in area, fiducial or QR code
(with a clearance), so the box truths stay exactly what the plan says and a reader's
"marks outside the boxes" flag has a clean answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sample_ballots.synth import marks, writing
from sample_ballots.synth.hand import Hand, Stroke, bbox, stroke
from sample_ballots.synth.truth import StrayKind
from station.ballot_layout import PT, Sheet, Text
from station.layout import Rect

CLEARANCE_MM = 1.5  # stray ink stays this far from anything vision reads
EDGE_MM = 4.0  # and this far inside the sheet
TRIES = 40


@dataclass(frozen=True)
class Stray:
    kind: StrayKind
    strokes: list[Stroke]
    rect: Rect  # ink extent, page mm


def _keep_out(sheet: Sheet) -> list[Rect]:
    page = sheet.page
    return [b.rect for b in sheet.layout.boxes] + [f.rect for f in page.fiducials] + [page.qr.rect]


def _ink_rect(strokes: list[Stroke], pen_width: float) -> Rect:
    x0, y0, x1, y1 = bbox(strokes)
    h = pen_width / 2
    return Rect(x_mm=x0 - h, y_mm=y0 - h, w_mm=x1 - x0 + 2 * h, h_mm=y1 - y0 + 2 * h)


def _clear(r: Rect, sheet: Sheet, keep_out: list[Rect]) -> bool:
    page = sheet.page
    if r.x_mm < EDGE_MM or r.y_mm < EDGE_MM:
        return False
    if r.x_mm + r.w_mm > page.width_mm - EDGE_MM or r.y_mm + r.h_mm > page.height_mm - EDGE_MM:
        return False
    c = CLEARANCE_MM
    return all(
        r.x_mm + r.w_mm + c <= k.x_mm or k.x_mm + k.w_mm + c <= r.x_mm
        or r.y_mm + r.h_mm + c <= k.y_mm or k.y_mm + k.h_mm + c <= r.y_mm
        for k in keep_out
    )


def _name_texts(sheet: Sheet) -> list[Text]:
    names = {b.candidate for b in sheet.layout.boxes if b.candidate}
    return [t for t in sheet.texts if t.text in names]


def _glyphs(t: Text) -> tuple[float, float, float, float]:
    """Centre and size (mm) of a printed label's glyphs: a CJK glyph is about 1 em square."""
    w = len(t.text) * t.size_pt * PT
    h = t.size_pt * PT
    cx = t.x + t.w / 2 if t.align == "C" else t.x + 1.0 + w / 2
    return cx, t.y + t.h / 2, w, h


def _around_name(rng: np.random.Generator, hand: Hand, kind: StrayKind, t: Text) -> list[Stroke]:
    cx, cy, w, h = _glyphs(t)
    if kind is StrayKind.UNDERLINE_NAME:
        y = cy + h / 2 + rng.uniform(0.6, 1.2)
        path = marks.line_path((cx - w / 2 - rng.uniform(0, 1), y), (cx + w / 2 + rng.uniform(0, 1), y),
                           bow=float(rng.normal(0, 0.02)))
        return [stroke(rng, hand, path)]
    if kind is StrayKind.CIRCLE_NAME:
        path = marks.circle_path(rng, w / 2 + rng.uniform(1.0, 2.0), aspect=(h / 2 + 1.2) / (w / 2 + 1.5),
                                  sweep=2 * np.pi + rng.uniform(0.1, 0.5), rot=float(rng.normal(0, 0.05)))
        return [stroke(rng, hand, path + np.array([cx, cy]))]
    tick = marks.tick(rng, hand, 1.8)  # TICK_BESIDE_NAME
    return [s.shifted(cx + w / 2 + 3.0, cy) for s in tick]


def _free(rng: np.random.Generator, hand: Hand, kind: StrayKind) -> list[Stroke]:
    if kind is StrayKind.DOODLE:
        if rng.random() < 0.5:
            return [stroke(rng, hand, marks.scribble_path(rng, rng.uniform(1.5, 3.0), rng.uniform(3, 6)))]
        return [stroke(rng, hand, marks.circle_path(rng, rng.uniform(1.5, 3.0), sweep=rng.uniform(8, 16),
                                                     drift=1.6))]
    return writing.name(rng, hand, rng.uniform(8, 14), rng.uniform(5, 7), int(rng.integers(1, 4)))


def place(rng: np.random.Generator, hand: Hand, sheet: Sheet, kind: StrayKind, pen_width: float) -> Stray | None:
    """One stray mark of `kind` somewhere clear of everything vision reads, or None if there is
    no such place (a ballot with no name has nothing to underline)."""
    keep_out = _keep_out(sheet)
    names = _name_texts(sheet)
    page = sheet.page
    for _ in range(TRIES):
        if kind in (StrayKind.DOODLE, StrayKind.INITIALS):
            strokes = _free(rng, hand, kind)
            at = rng.uniform([EDGE_MM + 8, EDGE_MM + 8], [page.width_mm - EDGE_MM - 8, page.height_mm - EDGE_MM - 8])
            strokes = [s.shifted(float(at[0]), float(at[1])) for s in strokes]
        elif names:
            strokes = _around_name(rng, hand, kind, names[int(rng.integers(len(names)))])
        else:
            return None
        rect = _ink_rect(strokes, pen_width)
        if _clear(rect, sheet, keep_out):
            return Stray(kind, strokes, rect)
    return None
