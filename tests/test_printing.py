"""Printed ballots: the PDF is self-contained and its render agrees with the layout file.

Every check goes through the real chain: fpdf2 writes the PDF, pdfium renders it,
OpenCV finds the fiducials and the printed boxes, pyzbar reads the QR code.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from station.ballot_layout import WRITE_IN_INSET
from station.layout import BallotLayout, BoxKind, LayoutBox, geometry_hash, parse_qr_payload
from station.printing import PrintedStyle
from vision.fiducials import detect_markers
from vision.qr import read_qr
from vision.register import Registration, register_page

DPIS = [150, 200, 300]
GRID_LINE = 0.3  # table rules and write-in frames, mm


def test_every_stage_prints(printed_demo: list[PrintedStyle]) -> None:
    assert {p.stage_id for p in printed_demo} == {"tuijian", "xinren", "xuanju", "ceping"}
    assert len([p for p in printed_demo if p.stage_id == "ceping"]) == 3  # one style per evaluator group


def test_pdf_embeds_a_subset_cjk_font(printed_demo: list[PrintedStyle]) -> None:
    for p in printed_demo:
        data = p.pdf.read_bytes()
        assert re.search(rb"/BaseFont /[A-Z]{6}\+NotoSansSC", data), "subset font (XXXXXX+ prefix)"
        assert b"/FontFile3" in data or b"/FontFile2" in data, "font program embedded"
        assert len(data) < 200_000, "a subset, not the whole 8 MB font"


def test_pdf_is_reproducible(printed_demo: list[PrintedStyle], demo, tmp_path: Path) -> None:
    from station.printing import print_stage

    again = print_stage(demo, demo.stage("xuanju"), tmp_path)
    first = next(p for p in printed_demo if p.stage_id == "xuanju")
    assert again[0].pdf.read_bytes() == first.pdf.read_bytes()


def test_layout_file_round_trips_and_hash_matches(printed_demo: list[PrintedStyle]) -> None:
    for p in printed_demo:
        layout = BallotLayout.load(p.layout)
        assert geometry_hash(layout) == layout.layout_hash
        ident = parse_qr_payload(layout.pages[0].qr.payload)
        assert ident is not None and ident.layout_hash == layout.layout_hash
        ids = [b.id for b in layout.boxes]
        assert len(ids) == len(set(ids)), "box ids are unique"
        for b in layout.boxes:
            if b.kind is BoxKind.MARK:
                assert b.rect.w_mm >= 8 and b.rect.h_mm >= 8, "a pen needs ≥ 8 mm"


def test_qr_carries_no_per_sheet_serial(printed_demo: list[PrintedStyle], demo, tmp_path: Path) -> None:
    """Secrecy (1990 条例 第二十条): every sheet of a style is identical, QR included."""
    from station.printing import print_stage

    a = print_stage(demo, demo.stage("xinren"), tmp_path / "a")[0]
    b = print_stage(demo, demo.stage("xinren"), tmp_path / "b")[0]
    assert BallotLayout.load(a.layout).pages[0].qr == BallotLayout.load(b.layout).pages[0].qr


def _inner_quads(gray: np.ndarray) -> list[np.ndarray]:
    """Inner outlines of every closed printed frame (holes of the ink), as 4 corner points."""
    _, ink = cv2.threshold(gray, 140, 255, cv2.THRESH_BINARY_INV)
    contours, hierarchy = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    quads = []
    if hierarchy is None:
        return quads
    for c, h in zip(contours, hierarchy[0], strict=True):
        if h[3] < 0:  # holes only: they have a parent
            continue
        approx = cv2.approxPolyDP(c, 0.02 * cv2.arcLength(c, True), True)
        if len(approx) == 4 and cv2.contourArea(approx) > 100:
            quads.append(approx.reshape(4, 2).astype(np.float64))
    return quads


def _expected_inner(b: LayoutBox, border: float) -> np.ndarray:
    """Where the inside edge of the box's printed frame must be, in mm."""
    grow = -border / 2 if b.kind is BoxKind.MARK else WRITE_IN_INSET - GRID_LINE / 2
    r = b.rect
    return np.array(
        [
            (r.x_mm - grow, r.y_mm - grow),
            (r.x_mm + r.w_mm + grow, r.y_mm - grow),
            (r.x_mm + r.w_mm + grow, r.y_mm + r.h_mm + grow),
            (r.x_mm - grow, r.y_mm + r.h_mm + grow),
        ]
    )


def _corner_error_mm(found_mm: np.ndarray, expected_mm: np.ndarray) -> float:
    # Match corners regardless of the contour's starting point and direction.
    return float(max(np.min(np.linalg.norm(found_mm - e, axis=1)) for e in expected_mm))


@pytest.mark.parametrize("dpi", DPIS)
def test_render_agrees_with_layout(printed_demo: list[PrintedStyle], render, dpi: int) -> None:
    for p in printed_demo:
        layout = BallotLayout.load(p.layout)
        page = layout.pages[0]
        gray = render(p.pdf, dpi)

        markers = detect_markers(gray)
        assert [m.marker_id for m in markers] == [0, 1, 2, 3], f"{p.pdf.name} @ {dpi} dpi"
        reg = register_page(markers, page)
        assert isinstance(reg, Registration)
        assert reg.rms_px < 1.0
        assert abs(reg.px_per_mm - dpi / 25.4) < 0.05 * dpi / 25.4

        qr_quad = reg.to_px(np.array(page.qr.rect.corners()))
        qr = read_qr(gray, qr_quad)
        assert qr.text == page.qr.payload
        assert qr.identity is not None and qr.identity.style_id == layout.style_id

        # QR modules ≥ 4 px at 150 dpi
        from station.ballot_pdf import qr_cells

        assert page.qr.rect.w_mm / qr_cells(page.qr.payload).shape[0] * 150 / 25.4 >= 4.0

        quads_mm = [reg.to_mm(q) for q in _inner_quads(gray)]
        centres = np.array([q.mean(axis=0) for q in quads_mm])
        for b in layout.boxes:
            expected = _expected_inner(b, layout.border_mm)
            # A box and its table cell share a centre: take the frame whose corners fit best.
            near = np.flatnonzero(np.linalg.norm(centres - expected.mean(axis=0), axis=1) < 3.0)
            err = min((_corner_error_mm(quads_mm[k], expected) for k in near), default=np.inf)
            assert err <= 0.5, f"{b.id} in {p.pdf.name} @ {dpi} dpi is {err:.2f} mm off"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "station.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_prints_every_stage_with_png(demo_path: Path, tmp_path: Path) -> None:
    r = _cli("ballots", str(demo_path), "--out", str(tmp_path), "--png", "--dpi", "100")
    assert r.returncode == 0, r.stderr
    pdfs = sorted(tmp_path.glob("*.pdf"))
    assert len(pdfs) == 6
    assert len(list(tmp_path.glob("*.layout.json"))) == 6
    pngs = list(tmp_path.glob("*-p1-100dpi.png"))
    assert len(pngs) == 6
    h, w = cv2.imread(str(pngs[0]), cv2.IMREAD_GRAYSCALE).shape
    assert abs(h - 297 / 25.4 * 100) <= 1 and abs(w - 210 / 25.4 * 100) <= 1


def test_cli_one_stage(demo_path: Path, tmp_path: Path) -> None:
    r = _cli("ballots", str(demo_path), "--stage", "xuanju", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert [p.name for p in tmp_path.glob("*.pdf")] == ["qingshi-2026-xuanju-main.pdf"]


def _assert_clean_error(r: subprocess.CompletedProcess[str], zh: str, en: str) -> None:
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert zh in r.stderr and en in r.stderr, r.stderr


def test_cli_malformed_election(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: qingshi\nstages: [\n", encoding="utf-8")
    _assert_clean_error(_cli("ballots", str(bad), "--out", str(tmp_path / "o")), "格式错误", "not valid YAML")


def test_cli_invalid_election(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: qingshi\ntitle: x\n", encoding="utf-8")
    _assert_clean_error(_cli("ballots", str(bad), "--out", str(tmp_path / "o")), "缺少必填项", "Field required")


def test_cli_unknown_stage(demo_path: Path, tmp_path: Path) -> None:
    r = _cli("ballots", str(demo_path), "--stage", "nope", "--out", str(tmp_path))
    _assert_clean_error(r, "没有轮次“nope”", "no stage 'nope'")


def test_cli_unwritable_output(demo_path: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    r = _cli("ballots", str(demo_path), "--out", str(blocker / "sub"))
    _assert_clean_error(r, "无法创建输出文件夹", "cannot create output folder")


def test_cli_check(demo_path: Path) -> None:
    r = _cli("check", str(demo_path))
    assert r.returncode == 0 and "应到 should attend: 40" in r.stdout
