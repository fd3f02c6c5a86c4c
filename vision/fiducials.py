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
def _detector() -> cv2.aruco.ArucoDetector:
    dictionary = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, ARUCO_DICTIONARY))
    params = cv2.aruco.DetectorParameters()
    # Sub-pixel corners: the homography built from them places 10 mm boxes to a fraction of a mm.
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    params.cornerRefinementWinSize = 5
    # The ballot's markers are large and few; widen the adaptive threshold range so uneven
    # camera light and grey paper still binarise them.
    params.adaptiveThreshWinSizeMin = 5
    params.adaptiveThreshWinSizeMax = 53
    params.adaptiveThreshWinSizeStep = 8
    return cv2.aruco.ArucoDetector(dictionary, params)


def detect_markers(gray: np.ndarray, valid_ids: frozenset[int] = frozenset({0, 1, 2, 3})) -> list[Marker]:
    """Markers found in a grey image, one per id (the largest when an id repeats)."""
    corners, ids, _ = _detector().detectMarkers(gray)
    best: dict[int, Marker] = {}
    if ids is None:
        return []
    for quad, mid in zip(corners, ids.ravel(), strict=True):
        if int(mid) not in valid_ids:
            continue
        m = Marker(int(mid), quad.reshape(4, 2).astype(np.float32))
        if int(mid) not in best or m.side_px > best[int(mid)].side_px:
            best[int(mid)] = m
    return [best[k] for k in sorted(best)]
