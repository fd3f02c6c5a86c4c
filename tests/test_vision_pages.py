"""Vision on whole pages: what is and is not a ballot of this election, and blank ballots.

Real chain: the printed PDF rendered by pdfium, read by OpenCV + pyzbar. Blank ballots
must read as blank at every resolution and orientation: no phantom marks, the known
failure of readers that take thresholds from the sheet itself.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
import segno
from PIL import Image

from station.ballot_layout import build_sheet
from station.ballot_pdf import pdf_bytes, render_pdf
from station.definition_io import parse_election
from vision.image_io import MAX_PIXELS
from vision.read_files import read_bytes
from vision.reader import read_page
from vision.reading import MarkClass, QualityFlag

STYLES = [("tuijian", "main"), ("xinren", "main"), ("xuanju", "main"), ("ceping", "dangyuan")]
ROTATIONS = [None, cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE]


def _png(img: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", img)
    assert ok
    return buf.tobytes()


def _assert_blank(outcome, stage: str, style: str) -> None:
    assert outcome.outcome == "interpreted", getattr(outcome, "reasons", outcome)
    assert (outcome.identity.stage_id, outcome.identity.style_id) == (stage, style)
    assert all(b.mark_class is MarkClass.EMPTY for b in outcome.boxes), [
        (b.id, b.mark_class) for b in outcome.boxes if b.mark_class is not MarkClass.EMPTY
    ]
    assert all(w.has_writing is False for w in outcome.write_ins)
    assert QualityFlag.MARKS_OUTSIDE_BOXES not in outcome.quality


@pytest.mark.parametrize("dpi", [150, 200, 300])
@pytest.mark.parametrize(("stage", "style"), STYLES)
def test_blank_ballot_reads_blank(blank_render, templates, scanner_profile, stage, style, dpi) -> None:
    _assert_blank(read_page(blank_render(stage, style, dpi), templates, scanner_profile), stage, style)


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_every_orientation(blank_render, templates, scanner_profile, rotation) -> None:
    img = blank_render("xuanju", "main", 200)
    if rotation is not None:
        img = cv2.rotate(img, rotation)
    _assert_blank(read_page(img, templates, scanner_profile), "xuanju", "main")


def test_skewed_scan_on_grey_paper(blank_render, templates, scanner_profile) -> None:
    img = blank_render("xuanju", "main", 200).astype(np.float32)
    img = 40 + img * 0.75  # grey paper, weak contrast
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 4.0, 1.0)
    img = cv2.warpAffine(img, m, (w, h), borderValue=200).astype(np.uint8)
    _assert_blank(read_page(img, templates, scanner_profile), "xuanju", "main")


def test_wrong_stage_is_refused(blank_render, templates, scanner_profile) -> None:
    out = read_page(blank_render("xuanju", "main", 200), templates, scanner_profile, expected_stage="xinren")
    assert out.outcome == "wrong_election" and "xuanju" in out.en


def test_ballot_of_another_election_is_refused(demo, templates, scanner_profile) -> None:
    other = parse_election(demo.model_dump(mode="json") | {"id": "another-2026"})
    img = render_pdf(pdf_bytes([build_sheet(other, other.stage("xuanju"), "main")]), 200)[0]
    out = read_page(img, templates, scanner_profile)
    assert out.outcome == "wrong_election" and "another-2026" in out.en


def test_ballot_printed_from_another_version_is_refused(demo, templates, scanner_profile) -> None:
    data = demo.model_dump(mode="json")
    stage = next(s for s in data["stages"] if s["id"] == "xuanju")
    stage["contests"][1]["candidates"].append({"name": "马六"})
    changed = parse_election(data)
    img = render_pdf(pdf_bytes([build_sheet(changed, changed.stage("xuanju"), "main")]), 200)[0]
    out = read_page(img, templates, scanner_profile)
    assert out.outcome == "wrong_election" and "version" in out.en


def test_blank_sheet_of_paper(templates, scanner_profile) -> None:
    rng = np.random.default_rng(1)
    paper = np.clip(rng.normal(235, 4, (2339, 1654)), 0, 255).astype(np.uint8)
    assert read_page(paper, templates, scanner_profile).outcome == "blank_page"


def test_something_that_is_not_a_ballot(templates, scanner_profile) -> None:
    """A photo-like scene: gradients, shapes, text; no fiducials, no QR."""
    rng = np.random.default_rng(7)
    img = np.zeros((1080, 1920, 3), np.uint8)
    img[:] = np.linspace(60, 200, 1920, dtype=np.uint8)[None, :, None]
    for _ in range(40):
        c = tuple(int(v) for v in rng.integers(0, 255, 3))
        cv2.circle(img, tuple(int(v) for v in rng.integers(0, 1900, 2)), int(rng.integers(10, 120)), c, -1)
    cv2.putText(img, "MEETING ROOM 3", (200, 500), cv2.FONT_HERSHEY_SIMPLEX, 4, (255, 255, 255), 8)
    out = read_page(img, templates, scanner_profile)
    assert out.outcome == "not_a_ballot"


def test_a_foreign_qr_code_is_not_a_ballot(templates, scanner_profile) -> None:
    buf = io.BytesIO()
    segno.make("https://example.org/menu").save(buf, kind="png", scale=12, border=4)
    img = cv2.imdecode(np.frombuffer(buf.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)
    page = np.full((1600, 1200), 255, np.uint8)
    page[100 : 100 + img.shape[0], 100 : 100 + img.shape[1]] = img
    out = read_page(page, templates, scanner_profile)
    assert out.outcome == "not_a_ballot" and "QR" in out.en


def _cover(img: np.ndarray, reg_px: tuple[int, int], size: int) -> None:
    x, y = reg_px
    img[max(y - size, 0) : y + size, max(x - size, 0) : x + size] = 230


def test_one_or_two_covered_fiducials(blank_render, templates, scanner_profile) -> None:
    dpi = 200
    s = dpi / 25.4
    for covered in ([(14, 283)], [(14, 283), (196, 283)]):  # bottom-left, then bottom-right too
        img = blank_render("xuanju", "main", dpi)
        for x_mm, y_mm in covered:
            _cover(img, (int(x_mm * s), int(y_mm * s)), int(9 * s))
        out = read_page(img, templates, scanner_profile)
        assert out.outcome in ("interpreted", "needs_review")
        assert QualityFlag.FIDUCIAL_COVERED in out.quality
        assert all(b.mark_class is MarkClass.EMPTY for b in out.boxes)


def test_three_covered_fiducials_fall_back_to_the_page_outline(blank_render, templates, scanner_profile) -> None:
    dpi = 150
    s = dpi / 25.4
    page = blank_render("xuanju", "main", dpi)
    for x_mm, y_mm in [(14, 14), (14, 283), (196, 283)]:
        _cover(page, (int(x_mm * s), int(y_mm * s)), int(9 * s))
    table = np.full((page.shape[0] + 300, page.shape[1] + 300), 45, np.uint8)  # a dark table
    table[150 : 150 + page.shape[0], 150 : 150 + page.shape[1]] = page
    table = cv2.rotate(table, cv2.ROTATE_180)
    out = read_page(table, templates, scanner_profile)
    assert out.outcome in ("interpreted", "needs_review"), out
    assert all(b.mark_class is MarkClass.EMPTY for b in out.boxes)


@pytest.mark.parametrize(
    ("data", "zh"),
    [
        (b"", "文件为空"),
        (b"not an image at all", "不是可识别的图像文件"),
        (b"%PDF-1.7\n garbage", "PDF 文件损坏"),
    ],
)
def test_bad_files_are_unreadable_with_a_reason(templates, scanner_profile, data: bytes, zh: str) -> None:
    [r] = read_bytes(data, "x", templates, scanner_profile)
    assert r.result.outcome == "unreadable" and zh in r.result.zh


def test_truncated_image(blank_render, templates, scanner_profile) -> None:
    data = _png(blank_render("xuanju", "main", 150))
    [r] = read_bytes(data[: len(data) // 2], "cut.png", templates, scanner_profile)
    assert r.result.outcome == "unreadable" and "truncated" in r.result.en


def test_decompression_bomb_is_refused_from_the_header(templates, scanner_profile) -> None:
    side = int(MAX_PIXELS**0.5) + 1000
    buf = io.BytesIO()
    Image.new("1", (side, side), 1).save(buf, format="PNG")
    assert len(buf.getvalue()) < 2_000_000
    [r] = read_bytes(buf.getvalue(), "bomb.png", templates, scanner_profile)
    assert r.result.outcome == "unreadable" and "too large" in r.result.en


def test_multi_page_tiff_and_pdf_are_split(blank_render, templates, scanner_profile, demo) -> None:
    front = Image.fromarray(blank_render("xinren", "main", 150))
    back = Image.fromarray(np.full((1754, 1240), 250, np.uint8))
    buf = io.BytesIO()
    front.save(buf, format="TIFF", save_all=True, append_images=[back], compression="tiff_lzw")
    readings = read_bytes(buf.getvalue(), "batch.tif", templates, scanner_profile)
    assert [r.result.outcome for r in readings] == ["interpreted", "blank_page"]
    assert [r.page_index for r in readings] == [0, 1]
    assert readings[0].image_sha256 == readings[1].image_sha256  # both refer to the file's bytes

    pdf = pdf_bytes([build_sheet(demo, demo.stage("ceping"), g) for g in ("dangyuan", "qunzhong")])
    readings = read_bytes(pdf, "scan.pdf", templates, scanner_profile)
    assert [r.result.identity.style_id for r in readings] == ["dangyuan", "qunzhong"]


def test_part_of_the_ballot_outside_the_image(blank_render, templates, scanner_profile) -> None:
    img = blank_render("xuanju", "main", 200)
    out = read_page(img[:, : img.shape[1] * 2 // 3], templates, scanner_profile)
    assert out.outcome == "unreadable"


def test_reading_schema_in_docs_is_current() -> None:
    import json
    from pathlib import Path

    from vision.reading import reading_json_schema

    committed = json.loads((Path(__file__).parents[1] / "docs" / "reading.schema.json").read_text(encoding="utf-8"))
    assert committed == reading_json_schema(), "run: ballot-station read --schema > docs/reading.schema.json"
