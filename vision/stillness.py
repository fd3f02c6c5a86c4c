"""Per-frame measures for a camera watching the table: is a ballot there, is it still, is it sharp? Pure.

A ballot is "in frame" when all four corner fiducials are found. The measures below are
what the camera source's state machine needs to capture each ballot once, when it lies
still and sharp:

- the ballot's quad (the four fiducial centres, in marker-id order: TL, TR, BR, BL of the
  sheet, whichever way it lies on the table);
- its motion since the previous frame (the largest corner displacement, in pixels);
- a small rectified thumbnail of the page, so that frame differences and "is this a
  different ballot?" compare the paper itself, not the table around it, and do not change
  when the sheet is merely nudged;
- sharpness: the variance of the Laplacian over the page region, which motion blur and
  defocus both lower.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.fiducials import Marker, detect_markers
from vision.reader import to_gray

MARKER_IDS = (0, 1, 2, 3)  # TL, TR, BR, BL of the sheet (station.ballot_layout.MARKER_IDS)
THUMB_SIZE = (60, 84)  # w, h: A4's proportions, about 3.5 mm per pixel; enough to tell two ballots apart
_NOT_COMPARABLE = float("inf")


def marker_quad(markers: list[Marker]) -> np.ndarray | None:
    """The 4×2 fiducial centres in id order, or None unless all four are seen."""
    by_id = {m.marker_id: m for m in markers}
    if any(i not in by_id for i in MARKER_IDS):
        return None
    return np.array([by_id[i].corners.mean(axis=0) for i in MARKER_IDS], dtype=np.float64)


def quad_motion(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Largest displacement of a corresponding corner, px; infinite when either is missing."""
    if a is None or b is None:
        return _NOT_COMPARABLE
    return float(np.max(np.linalg.norm(a - b, axis=1)))


def page_thumbnail(gray: np.ndarray, quad: np.ndarray, size: tuple[int, int] = THUMB_SIZE) -> np.ndarray:
    """The ink of the region between the fiducial centres, warped upright to `size` (uint8, 0 paper, 255 black).

    Ink, not grey: each pixel is divided by the local paper level first (flat-fielding), so
    a shadow or a dimmer lamp hardly changes the thumbnail while another layout does.
    """
    w, h = size
    big_w, big_h = 4 * w, 4 * h
    dst = np.array([[0, 0], [big_w - 1, 0], [big_w - 1, big_h - 1], [0, big_h - 1]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    # Warps sample; blur first so the thumbnail averages what lies between samples.
    scale = float(np.linalg.norm(quad[1] - quad[0])) / big_w
    src = cv2.GaussianBlur(gray, (0, 0), 0.5 * scale) if scale > 1.5 else gray
    g = cv2.warpPerspective(src, m, (big_w, big_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    g = g.astype(np.float32)
    paper = cv2.GaussianBlur(cv2.dilate(g, np.ones((9, 9), np.uint8)), (0, 0), 6)
    ink = np.clip(1.0 - g / (paper + 1.0), 0.0, 1.0)
    return np.round(cv2.resize(ink, (w, h), interpolation=cv2.INTER_AREA) * 255).astype(np.uint8)


def thumbnail_difference(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Mean absolute ink difference (0–255); infinite when either is missing."""
    if a is None or b is None:
        return _NOT_COMPARABLE
    return float(np.mean(cv2.absdiff(a, b)))


def sharpness(gray: np.ndarray, quad: np.ndarray) -> float:
    """Variance of the Laplacian inside the quad: printed text and lines give strong second
    derivatives when in focus; blur of either kind flattens them."""
    h, w = gray.shape[:2]
    x0, y0 = np.floor(quad.min(axis=0)).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int) + 1
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return 0.0
    crop = gray[y0:y1, x0:x1]
    mask = np.zeros(crop.shape, np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad - [x0, y0]).astype(np.int32), 1)
    lap = cv2.Laplacian(crop, cv2.CV_32F, ksize=3)
    _, std = cv2.meanStdDev(lap, mask=mask)
    return float(std[0, 0] ** 2)


@dataclass(frozen=True)
class FrameMeasure:
    """What one camera frame shows, in full-frame pixels."""

    present: bool
    quad: np.ndarray | None
    thumbnail: np.ndarray | None
    motion_px: float  # vs the previous frame; inf when not comparable
    frame_diff: float  # thumbnail difference vs the previous frame; inf when not comparable
    sharpness: float  # 0 when no ballot


def measure_frame(frame: np.ndarray, previous: FrameMeasure | None, detect_max_side: int = 960) -> FrameMeasure:
    """Find the ballot on a reduced copy (fast), measure sharpness on the full frame (blur
    shows best there)."""
    gray = to_gray(frame)
    scale = min(1.0, detect_max_side / max(gray.shape[:2]))
    small = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    markers = detect_markers(small)
    if 0 < len(markers) < len(MARKER_IDS) and small is not gray:
        # Some but not all: a marker near the reduced copy's resolution limit, or a hand over a
        # corner. The full frame settles which (an empty table, the common case, stays cheap).
        small, scale, markers = gray, 1.0, detect_markers(gray)
    quad_small = marker_quad(markers)
    if quad_small is None:
        return FrameMeasure(False, None, None, _NOT_COMPARABLE, _NOT_COMPARABLE, 0.0)
    quad = quad_small / scale
    thumb = page_thumbnail(small, quad_small)
    prev_quad = previous.quad if previous is not None else None
    prev_thumb = previous.thumbnail if previous is not None else None
    return FrameMeasure(
        present=True,
        quad=quad,
        thumbnail=thumb,
        motion_px=quad_motion(prev_quad, quad),
        frame_diff=thumbnail_difference(prev_thumb, thumb),
        sharpness=sharpness(gray, quad),
    )
