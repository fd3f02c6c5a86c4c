"""Pictures of a ballot for people: upright, with every box outlined in its class colour,
and enlarged box crops for the scrutineers. Pure: image + templates → image.

The ballot is warped into page space (so a sideways or skewed scan is shown upright) with
the same registration the reader used, so what people see is what was measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from station.layout import BoxKind
from vision.locate import locate, registration
from vision.reader import to_gray
from vision.reading import BoxReading, MarkClass, WriteInReading
from vision.register import Registration
from vision.templates import ElectionTemplates, StyleTemplate

# BGR colours by class: agreed palette of the pages (see station/web/style.css).
CLASS_BGR: dict[MarkClass, tuple[int, int, int]] = {
    MarkClass.EMPTY: (180, 180, 180),
    MarkClass.CIRCLE: (60, 160, 40),
    MarkClass.CROSS: (40, 40, 210),
    MarkClass.TICK: (200, 120, 20),
    MarkClass.FILLED: (150, 60, 150),
    MarkClass.UNCLEAR: (0, 160, 240),
}
WRITING_BGR = (200, 120, 20)


@dataclass(frozen=True)
class Placed:
    """A ballot image registered to its layout."""

    image: np.ndarray
    reg: Registration
    template: StyleTemplate


def place(image: np.ndarray, templates: ElectionTemplates) -> Placed | None:
    gray = to_gray(image)
    located = locate(gray, list(templates.styles.values()))
    if located.identity is None:
        return None
    template = templates.by_hash(located.identity.layout_hash)
    if template is None:
        return None
    reg = registration(located, template.layout.pages[0])
    if reg is None:
        return None
    return Placed(image, reg, template)


def _warp(p: Placed, x_mm: float, y_mm: float, w_mm: float, h_mm: float, px_per_mm: float) -> np.ndarray:
    s = px_per_mm
    to_mm = np.array([[1.0 / s, 0, x_mm], [0, 1.0 / s, y_mm], [0, 0, 1.0]])
    size = (int(round(w_mm * s)), int(round(h_mm * s)))
    img = p.image if p.image.ndim == 3 else cv2.cvtColor(p.image, cv2.COLOR_GRAY2BGR)
    return cv2.warpPerspective(
        img, p.reg.homography @ to_mm, size, flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP, borderValue=(255, 255, 255)
    )


def upright(
    p: Placed,
    boxes: list[BoxReading] | None = None,
    write_ins: list[WriteInReading] | None = None,
    highlight: set[str] | None = None,
    px_per_mm: float = 4.0,
) -> np.ndarray:
    """The page upright at px_per_mm, each box outlined in the colour of its class."""
    page = p.template.layout.pages[0]
    out = _warp(p, 0, 0, page.width_mm, page.height_mm, px_per_mm)
    by_id_mark = {b.id: b for b in boxes or []}
    by_id_write = {w.id: w for w in write_ins or []}
    s = px_per_mm
    for box in p.template.layout.boxes:
        r = box.rect
        pt1 = (int(r.x_mm * s) - 2, int(r.y_mm * s) - 2)
        pt2 = (int((r.x_mm + r.w_mm) * s) + 2, int((r.y_mm + r.h_mm) * s) + 2)
        if box.kind is BoxKind.MARK and box.id in by_id_mark:
            colour = CLASS_BGR[by_id_mark[box.id].mark_class]
            if by_id_mark[box.id].mark_class is MarkClass.EMPTY and box.id not in (highlight or set()):
                continue
        elif box.kind is BoxKind.WRITE_IN and by_id_write.get(box.id) and by_id_write[box.id].has_writing is not False:
            colour = WRITING_BGR if by_id_write[box.id].has_writing else CLASS_BGR[MarkClass.UNCLEAR]
        else:
            continue
        thick = 4 if box.id in (highlight or set()) else 2
        cv2.rectangle(out, pt1, pt2, colour, thick)
    return out


def crop(p: Placed, box_id: str, margin_mm: float = 4.0, px_per_mm: float = 16.0) -> np.ndarray:
    """One box and its surroundings, enlarged, upright: what a scrutineer decides from."""
    r = p.template.layout.box(box_id).rect
    m = margin_mm
    return _warp(p, r.x_mm - m, r.y_mm - m, r.w_mm + 2 * m, r.h_mm + 2 * m, px_per_mm)


def png(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("PNG encoding failed")
    return buf.tobytes()
