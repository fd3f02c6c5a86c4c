"""vision.blank and vision.stillness on synthetic images: the measures the sources decide by."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from station.sources.ballot_watch import WatchSettings
from vision.blank import ink_share, looks_blank
from vision.fiducials import detect_markers
from vision.image_io import encode_png, load_pages
from vision.stillness import (
    marker_quad,
    measure_frame,
    page_thumbnail,
    quad_motion,
    sharpness,
    thumbnail_difference,
)

MAX_INK = 0.002  # calibration/profiles/*.json quality.blank_max_ink_share


def _on_table(page: np.ndarray, dx: float = 0.0, angle: float = 0.0, size=(1280, 720)) -> np.ndarray:
    w, h = size
    scale = 0.9 * h / page.shape[0]
    m = cv2.getRotationMatrix2D((page.shape[1] / 2, page.shape[0] / 2), angle, scale)
    m[0, 2] += w / 2 + dx - page.shape[1] / 2
    m[1, 2] += h / 2 - page.shape[0] / 2
    return cv2.warpAffine(page, m, (w, h), borderValue=90)


def _motion_blur(img: np.ndarray, length: int) -> np.ndarray:
    k = np.zeros((1, length), np.float32)
    k[:] = 1.0 / length
    return cv2.filter2D(img, -1, k)


def test_blank_paper_and_show_through_are_blank_a_ballot_is_not(stage_pages):
    ballot = stage_pages["xuanju"]
    assert not looks_blank(ballot, MAX_INK) and ink_share(ballot) > 0.01
    assert looks_blank(np.full((1169, 827), 248, np.uint8), MAX_INK)
    show_through = (ballot[:, ::-1] // 8 + 220).astype(np.uint8)  # the other side's print, faint
    assert looks_blank(show_through, MAX_INK)
    grey_backing = np.full((1169, 827), 180, np.uint8)  # a scanner's grey lid on an empty bed
    assert looks_blank(grey_backing, MAX_INK)


def test_marker_quad_needs_all_four(stage_pages):
    frame = _on_table(stage_pages["tuijian"])
    markers = detect_markers(frame)
    quad = marker_quad(markers)
    assert quad is not None and quad.shape == (4, 2)
    assert quad[0][0] < quad[1][0] and quad[0][1] < quad[3][1]  # TL, TR, BR, BL of the sheet
    assert marker_quad(markers[:3]) is None
    assert quad_motion(quad, None) == float("inf")
    assert quad_motion(quad, quad + np.array([3.0, 4.0])) == pytest.approx(5.0)


def test_thumbnail_ignores_a_nudge_but_tells_another_layout(stage_pages):
    def thumb(page, dx=0.0, angle=0.0):
        f = _on_table(page, dx, angle)
        return page_thumbnail(f, marker_quad(detect_markers(f)))

    change = WatchSettings().min_change
    a = thumb(stage_pages["xuanju"])
    nudged = thumb(stage_pages["xuanju"], dx=37.0, angle=2.5)
    assert thumbnail_difference(a, nudged) < change / 2
    shade = np.linspace(0.6, 1.0, 1280, dtype=np.float32)[None, :]  # a lamp to one side
    shaded = _on_table(stage_pages["xuanju"]).astype(np.float32) * shade
    q = marker_quad(detect_markers(shaded.astype(np.uint8)))
    assert thumbnail_difference(a, page_thumbnail(shaded.astype(np.uint8), q)) < change / 2
    for other in ("tuijian", "xinren"):
        assert thumbnail_difference(a, thumb(stage_pages[other])) > change * 1.2
    assert thumbnail_difference(a, None) == float("inf")


def test_sharpness_falls_with_motion_blur_and_defocus(stage_pages):
    frame = _on_table(stage_pages["xinren"])
    quad = marker_quad(detect_markers(frame))
    sharp = sharpness(frame, quad)
    # Blur along one direction leaves edges parallel to it sharp: about half is lost.
    assert sharpness(_motion_blur(frame, 9), quad) < 0.6 * sharp
    assert sharpness(cv2.GaussianBlur(frame, (0, 0), 2.0), quad) < 0.1 * sharp
    assert sharpness(frame, np.zeros((4, 2))) == 0.0  # degenerate region


def test_measure_frame_on_reduced_and_full_frames(stage_pages):
    page = stage_pages["xinren"]
    first = measure_frame(_on_table(page), None)
    assert first.present and first.motion_px == float("inf")
    second = measure_frame(_on_table(page, dx=2.0), first)
    assert second.motion_px == pytest.approx(2.0, abs=0.4) and second.frame_diff < WatchSettings().min_change
    empty = measure_frame(np.full((720, 1280, 3), 90, np.uint8), second)
    assert not empty.present and empty.sharpness == 0.0
    covered = _on_table(page)
    cv2.circle(covered, (int(first.quad[2][0]), int(first.quad[2][1])), 40, 60, -1)  # a thumb over a corner
    assert not measure_frame(covered, first).present


def test_encode_png_is_lossless():
    rng = np.random.default_rng(1)
    frame = rng.integers(0, 256, (72, 128, 3), dtype=np.uint8)
    [back] = load_pages(encode_png(frame))
    assert np.array_equal(back, frame)
