"""Fixtures for the synthetic-corpus tests."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest


@pytest.fixture(scope="session")
def aruco_corners() -> Callable[[np.ndarray], dict[int, np.ndarray]]:
    """image → {marker id: its 4 corners (tl, tr, br, bl) in px}, refined to sub-pixel."""
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50), params)

    def find(image: np.ndarray) -> dict[int, np.ndarray]:
        grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        corners, ids, _ = detector.detectMarkers(grey)
        return {} if ids is None else {int(i): c[0] for i, c in zip(ids.ravel(), corners, strict=True)}

    return find
