"""The recorded homography is where the page really is: it maps the layout's fiducial
corners onto the ArUco corners OpenCV finds in the image, within a pixel or two."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from sample_ballots.synth import FillPlan, PlannedMark, SynthBallot, camera, generate_ballot
from sample_ballots.synth.scanner import sample, streaked_boxes
from sample_ballots.synth.templates import demo_templates
from sample_ballots.synth.truth import Severity, Streak


def registration_error(ballot: SynthBallot, found: dict[int, np.ndarray]) -> float:
    """Largest distance (px) between a found marker corner and where the homography puts it."""
    worst = 0.0
    for f in ballot.layout.pages[0].fiducials:
        if f.marker_id not in found:
            continue
        expected = cv2.perspectiveTransform(np.array(f.rect.corners(), np.float64)[:, None], ballot.homography)
        worst = max(worst, float(np.abs(found[f.marker_id] - expected[:, 0]).max()))
    return worst


@pytest.mark.parametrize("seed", range(8))
def test_scans_register_within_two_pixels(seed: int, aruco_corners) -> None:
    b = generate_ballot("scanner", 40 + seed)  # full severity: skew, blur, noise, JPEG, streaks
    found = aruco_corners(b.image)
    assert set(found) == {0, 1, 2, 3}
    assert registration_error(b, found) <= 2.0


@pytest.mark.parametrize("orientation", [90, 180, 270])
def test_every_orientation_registers(orientation: int, aruco_corners) -> None:
    sheet = demo_templates().sheet("xuanju", "main")[1]
    params = sample(np.random.default_rng(orientation), sheet.page.width_mm, sheet.page.height_mm, Severity.MILD,
                    dpi=150)
    params = params.model_copy(update={"orientation": orientation, "skew_deg": 5.0})
    b = generate_ballot("scanner", 7, stage="xuanju", imaging=params)
    assert b.truth.image.orientation == orientation
    portrait = b.image.shape[0] > b.image.shape[1]
    assert portrait == (orientation == 180)
    found = aruco_corners(b.image)
    assert set(found) == {0, 1, 2, 3}
    assert registration_error(b, found) <= 2.0
    # upside down: the top-left fiducial is in the bottom-right of the image
    tl = found[0].mean(axis=0)
    if orientation == 180:
        assert tl[0] > b.image.shape[1] / 2 and tl[1] > b.image.shape[0] / 2


@pytest.mark.parametrize("seed", range(6))
def test_photos_register(seed: int, aruco_corners) -> None:
    mild = generate_ballot("camera", 60 + seed, severity="mild")
    found = aruco_corners(mild.image)
    assert set(found) == {0, 1, 2, 3}
    assert registration_error(mild, found) <= 2.0
    # full severity adds shake (up to 5 px of motion blur) and shadow: corners blur, but stay put
    full = generate_ballot("camera", 60 + seed)
    found = aruco_corners(full.image)
    assert len(found) >= 3
    assert registration_error(full, found) <= 3.0


def test_camera_frames_hold_the_whole_page_at_a_readable_scale() -> None:
    w, h = 210.0, 297.0
    for seed in range(300):
        p = camera.sample(np.random.default_rng(seed), w, h, Severity.FULL)
        assert p.min_px_per_mm >= camera.MIN_PX_PER_MM and p.tilt_deg <= 30
        corners = cv2.perspectiveTransform(np.array([[[0, 0]], [[w, 0]], [[w, h]], [[0, h]]], np.float64),
                                           camera.geometry(p, w, h))[:, 0]
        assert (corners >= -0.5).all() and (corners <= np.array(p.frame) - 0.5).all(), (seed, corners)
    b = generate_ballot("camera", 9)
    assert b.image.shape == (b.truth.imaging.frame[1], b.truth.imaging.frame[0], 3)


def test_streaked_boxes_are_the_ones_under_a_streak() -> None:
    sheet = demo_templates().sheet("xuanju", "main")[1]
    p = sample(np.random.default_rng(1), 210, 297, Severity.NONE, dpi=150)
    target = sheet.layout.box("weiyuan.c03.symbol")
    b = generate_ballot("scanner", 1, stage="xuanju", imaging=p)
    x = float(cv2.perspectiveTransform(np.array([[[target.rect.cx, target.rect.cy]]]), b.homography)[0, 0, 0])
    streaked = p.model_copy(update={"streaks": [Streak(x_px=x, width_px=2.0, delta=-0.4)]})
    hit = streaked_boxes(streaked, b.homography, sheet.layout)
    assert "weiyuan.c03.symbol" in hit and "weiyuan.c03.alt_symbol" in hit  # same column
    assert "weiyuan.c02.symbol" not in hit and "shuji.c01.symbol" not in hit
    image = generate_ballot("scanner", 1, stage="xuanju", imaging=streaked).image
    assert image[:, round(x)].mean() < b.image[:, round(x)].mean() - 40  # a dark line the height of the scan


def test_a_plan_must_fit_the_layout() -> None:
    with pytest.raises(ValueError, match="not a mark box"):
        generate_ballot("scanner", 1, stage="xuanju", plan=FillPlan(marks=[
            PlannedMark(box_id="weiyuan.c01.alt_name", kind="circle")]))
