"""Lay a report Document out as an A4 PDF in Chinese (fpdf2, Noto Sans SC embedded).

The font and the fixed creation date come from the ballot printer, so the same result
always gives the same PDF bytes: an auditor can re-run the count and compare files.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import FontFace

from station.ballot_pdf import FONT, new_pdf
from station.errors import cannot_write
from station.reports.content import Document, Lines, Table

MARGIN = 15.0
PLAIN = FontFace(emphasis=TextEmphasis.NONE, fill_color=(235, 235, 235))
WIDE = {"name": 3.0, "group": 2.2, "score_exact": 3.0}  # relative column widths; others 1


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font(FONT, size=11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, t: Table) -> None:
    # The contest id column is for machines (CSV); the PDF names the post in the heading.
    keep = [i for i, (_, key) in enumerate(t.columns) if key != "contest"]
    _heading(pdf, t.title)
    pdf.set_font(FONT, size=9)
    widths = tuple(WIDE.get(t.columns[i][1], 1.0) for i in keep)
    with pdf.table(col_widths=widths, text_align="CENTER", line_height=5.5, headings_style=PLAIN,
                   padding=0.8) as table:
        head = table.row()
        for i in keep:
            head.cell(t.columns[i][0])
        for r in t.rows:
            row = table.row()
            for i in keep:
                row.cell(r[i])


def _lines(pdf: FPDF, s: Lines) -> None:
    _heading(pdf, s.title)
    pdf.set_font(FONT, size=9.5)
    for line in s.lines:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")


def render(doc: Document) -> FPDF:
    pdf = new_pdf()
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN + 5)
    pdf.add_page(format="A4")
    pdf.set_font(FONT, size=17)
    pdf.cell(0, 10, doc.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    for line in doc.subtitle:
        pdf.cell(0, 6, line, align="C", new_x="LMARGIN", new_y="NEXT")
    for section in doc.sections:
        if isinstance(section, Table):
            _table(pdf, section)
        else:
            _lines(pdf, section)
    if pdf.get_y() > pdf.h - MARGIN - 45:  # keep the signatures together with the fingerprints
        pdf.add_page(format="A4")
    pdf.ln(8)
    pdf.set_font(FONT, size=11)
    width = (pdf.w - 2 * MARGIN) / len(doc.signatures)
    for role in doc.signatures:
        pdf.cell(width, 10, f"{role}（签名）：__________", align="L")
    pdf.ln(12)
    pdf.cell(0, 8, "日期：______年____月____日", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, size=7.5)
    for line in doc.footer:
        pdf.cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    _page_numbers(pdf, doc.title)
    return pdf


def _page_numbers(pdf: FPDF, title: str) -> None:
    """Every page says which page of how many, so a missing sheet is noticed."""
    total = pdf.page
    pdf.set_auto_page_break(False)
    pdf.set_font(FONT, size=8)
    for n in range(1, total + 1):
        pdf.page = n
        pdf.set_xy(MARGIN, pdf.h - MARGIN + 3)
        pdf.cell(0, 5, f"{title}　第 {n} 页　共 {total} 页", align="C")
    pdf.page = total


def write_pdf(doc: Document, path: Path) -> None:
    pdf = render(doc)
    try:
        pdf.output(str(path))
    except OSError as err:
        raise cannot_write(path, err) from None
