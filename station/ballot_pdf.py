"""Print sheets to PDF (fpdf2, Noto Sans SC embedded as a subset) and render pages to PNG.

Everything is drawn as vector shapes from the sheet's layout: ArUco fiducials and the QR
code cell by cell, so they stay sharp at any printer resolution.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pylopdf_fonts_zh_cn
import segno
from fpdf import FPDF

from station.ballot_layout import WRITE_IN_INSET, Sheet
from station.errors import cannot_write
from station.layout import ARUCO_DICTIONARY, BoxKind, BoxRole, Rect

FONT = "NotoSansSC"
QR_BORDER_MODULES = 2  # quiet zone inside the QR rectangle; the layout keeps more white around it


@cache
def aruco_cells(marker_id: int) -> np.ndarray:
    """The marker as a boolean grid of cells (True = black), border included."""
    dictionary = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, ARUCO_DICTIONARY))
    side = dictionary.markerSize + 2
    img = cv2.aruco.generateImageMarker(dictionary, marker_id, side)
    return img < 128


def qr_cells(payload: str) -> np.ndarray:
    qr = segno.make(payload, error="m", micro=False, boost_error=False)
    rows = list(qr.matrix_iter(scale=1, border=QR_BORDER_MODULES))
    return np.array([[bool(v) for v in row] for row in rows])


def _draw_cells(pdf: FPDF, cells: np.ndarray, rect: Rect) -> None:
    n_rows, n_cols = cells.shape
    cw, ch = rect.w_mm / n_cols, rect.h_mm / n_rows
    for r in range(n_rows):
        c = 0
        while c < n_cols:  # merge horizontal runs: fewer, seamless rectangles
            if not cells[r, c]:
                c += 1
                continue
            start = c
            while c < n_cols and cells[r, c]:
                c += 1
            pdf.rect(rect.x_mm + start * cw, rect.y_mm + r * ch, (c - start) * cw, ch, style="F")


def new_pdf() -> FPDF:
    pdf = FPDF(unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font(FONT, "", str(pylopdf_fonts_zh_cn.sans_path()))
    pdf.set_creator("ballot-station")
    pdf.set_producer("ballot-station")
    # A fixed date keeps the PDF bytes reproducible: the same definition → the same file.
    pdf.set_creation_date(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    return pdf


def draw_sheet(pdf: FPDF, sheet: Sheet) -> None:
    page = sheet.page
    pdf.add_page(format=(page.width_mm, page.height_mm))
    pdf.set_draw_color(0)
    pdf.set_fill_color(0)
    pdf.set_text_color(0)
    for f in page.fiducials:
        _draw_cells(pdf, aruco_cells(f.marker_id), f.rect)
    _draw_cells(pdf, qr_cells(page.qr.payload), page.qr.rect)
    for ln in sheet.lines:
        pdf.set_line_width(ln.width)
        pdf.line(ln.x1, ln.y1, ln.x2, ln.y2)
    pdf.set_line_width(sheet.layout.border_mm)
    for b in sheet.layout.boxes:
        if b.kind == BoxKind.MARK:
            pdf.rect(b.rect.x_mm, b.rect.y_mm, b.rect.w_mm, b.rect.h_mm)
    # A write-in area sits WRITE_IN_INSET mm inside a printed frame: a table cell on election
    # ballots, a frame of its own on a recommendation ballot's blank line.
    pdf.set_line_width(0.3)
    for b in sheet.layout.boxes:
        if b.role == BoxRole.BLANK_NAME:
            r = b.rect
            pdf.rect(r.x_mm - WRITE_IN_INSET, r.y_mm - WRITE_IN_INSET,
                     r.w_mm + 2 * WRITE_IN_INSET, r.h_mm + 2 * WRITE_IN_INSET)
    if sheet.stamp:
        pdf.set_line_width(0.25)
        pdf.rect(sheet.stamp.x_mm, sheet.stamp.y_mm, sheet.stamp.w_mm, sheet.stamp.h_mm)
    for t in sheet.texts:
        pdf.set_font(FONT, size=t.size_pt)
        pdf.set_xy(t.x, t.y)
        pdf.cell(t.w, t.h, t.text, align=t.align)


def pdf_bytes(sheets: list[Sheet]) -> bytes:
    pdf = new_pdf()
    for sheet in sheets:
        draw_sheet(pdf, sheet)
    return bytes(pdf.output())


def write_pdf(sheets: list[Sheet], path: Path) -> None:
    data = pdf_bytes(sheets)
    try:
        path.write_bytes(data)
    except OSError as err:
        raise cannot_write(path, err) from None


def render_pdf(source: Path | bytes, dpi: float) -> list[np.ndarray]:
    """Render each page of a PDF (a file or its bytes) to an 8-bit grey image at `dpi`."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(source if isinstance(source, bytes) else str(source))
    try:
        pages = []
        for i in range(len(doc)):
            bitmap = doc[i].render(scale=dpi / 72.0, grayscale=True)
            arr = bitmap.to_numpy()
            pages.append(arr[:, :, 0].copy() if arr.ndim == 3 else arr.copy())
        return pages
    finally:
        doc.close()
