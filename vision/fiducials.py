"""Find the ArUco fiducials printed in the corners of every ballot page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from station.layout import ARUCO_DICTIONARY


@dataclass(frozen=True)
class Marker:
    marker_id: int
    # 4×2 float32 image points: the marker's own top-left, top-right, bottom-right,
    # bottom-left. Because the order follows the marker, not the image, a page scanned
    # upside down or sideways still matches the layout's corners one to one.
    corners: np.ndarray

    @property
    def side_px(self) -> float:
        c = self.corners
        return float(np.mean([np.linalg.norm(c[i] - c[(i + 1) % 4]) for i in range(4)]))


@cache
def _detector(thorough: bool) -> cv2.aruco.ArucoDetector:
    dictionary = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, ARUCO_DICTIONARY))
    params = cv2.aruco.DetectorParameters()
    # Sub-pixel corners: the homography built from them places 10 mm boxes to a fraction of a mm.
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    params.cornerRefinementWinSize = 5
    if thorough:
        # Many adaptive-threshold windows: uneven camera light, grey paper, shadows.
        params.adaptiveThreshWinSizeMin, params.adaptiveThreshWinSizeMax = 5, 53
        params.adaptiveThreshWinSizeStep = 8
    else:
        # One window suits a clean scan and is ~6× faster.
        params.adaptiveThreshWinSizeMin = params.adaptiveThreshWinSizeMax = 23
        params.adaptiveThreshWinSizeStep = 10
    return cv2.aruco.ArucoDetector(dictionary, params)


# (longest side px, thorough): a fast pass that suits scans, then a thorough one.
_PASSES = ((1200, False), (1600, True))
CORNER_SHARE = (0.3, 0.25)  # a scan's fiducials lie in its corners: this share of width, height


def _factor(gray: np.ndarray, side: int) -> int:
    """The whole factor (OpenCV's fast path for area averaging) that brings the image's
    longest side to at most about `side`."""
    return max(1, int(np.ceil(max(gray.shape[:2]) / side)))


def _reduced(gray: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    """The image reduced by _factor."""
    k = _factor(gray, side)
    small = gray if k == 1 else cv2.resize(gray, None, fx=1.0 / k, fy=1.0 / k, interpolation=cv2.INTER_AREA)
    return small, 1.0 / k


def _found(gray: np.ndarray, small: np.ndarray, scale: float, offset: tuple[int, int], thorough: bool,
           valid_ids: frozenset[int], best: dict[int, Marker]) -> None:
    corners, ids, _ = _detector(thorough).detectMarkers(small)
    for quad, mid in zip(corners, [] if ids is None else ids.ravel(), strict=True):
        if int(mid) not in valid_ids or int(mid) in best:
            continue
        pts = (quad.reshape(4, 2).astype(np.float32) + np.array(offset, np.float32)) / scale
        if scale < 1.0:
            win = max(2, int(round(1.5 / scale)))
            criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_COUNT, 30, 0.01)
            pts = cv2.cornerSubPix(gray, pts.reshape(-1, 1, 2), (win, win), (-1, -1), criteria).reshape(4, 2)
        best[int(mid)] = Marker(int(mid), pts)


def detect_markers(gray: np.ndarray, valid_ids: frozenset[int] = frozenset({0, 1, 2, 3})) -> list[Marker]:
    """Markers found in a grey image, one per id (the largest when an id repeats).

    Detection runs on a reduced copy; the corners are then refined on the full image, so
    the registration keeps the full resolution's precision. First only the image's four
    corners are searched (where a scan has its fiducials: a fifth of the pixels), then the
    whole image, then the whole image with many thresholds (uneven camera light).
    """
    best: dict[int, Marker] = {}
    # The corners are reduced on their own (a third of the page): the whole page is reduced
    # only when they do not hold every marker.
    k = _factor(gray, _PASSES[0][0])
    h, w = gray.shape[0] // k, gray.shape[1] // k
    cw, ch = int(w * CORNER_SHARE[0]), int(h * CORNER_SHARE[1])
    for x0, y0 in ((0, 0), (w - cw, 0), (0, h - ch), (w - cw, h - ch)):
        corner = gray[y0 * k : (y0 + ch) * k, x0 * k : (x0 + cw) * k]
        small = corner if k == 1 else cv2.resize(corner, (cw, ch), interpolation=cv2.INTER_AREA)
        _found(gray, small, 1.0 / k, (x0, y0), False, valid_ids, best)
    for side, thorough in _PASSES:
        if len(best) == len(valid_ids):
            break
        small, scale = _reduced(gray, side)
        _found(gray, small, scale, (0, 0), thorough, valid_ids, best)
    return [best[k] for k in sorted(best)]
