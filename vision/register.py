"""Register an image to a page layout: a homography from page millimetres to pixels."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from station.layout import PageLayout
from vision.fiducials import Marker


@dataclass(frozen=True)
class Registration:
    homography: np.ndarray  # 3×3, page mm → image px
    markers_used: tuple[int, ...]
    rms_px: float  # reprojection error of the fiducial corners
    px_per_mm: float

    def to_px(self, pts_mm: np.ndarray) -> np.ndarray:
        pts = np.asarray(pts_mm, dtype=np.float64).reshape(-1, 1, 2)
        return cv2.perspectiveTransform(pts, self.homography).reshape(-1, 2)

    def to_mm(self, pts_px: np.ndarray) -> np.ndarray:
        pts = np.asarray(pts_px, dtype=np.float64).reshape(-1, 1, 2)
        return cv2.perspectiveTransform(pts, np.linalg.inv(self.homography)).reshape(-1, 2)


def register_page(markers: list[Marker], page: PageLayout) -> Registration | None:
    """Fit mm → px from every detected fiducial of the page; None below two markers.

    Two markers give eight points, enough for a homography; the page outline fallback
    (for a covered corner) lives with the reader, which can see the image.
    """
    by_id = {f.marker_id: f for f in page.fiducials}
    src: list[tuple[float, float]] = []
    dst: list[np.ndarray] = []
    used: list[int] = []
    for m in markers:
        f = by_id.get(m.marker_id)
        if f is None:
            continue
        src.extend(f.rect.corners())
        dst.extend(m.corners)
        used.append(m.marker_id)
    if len(used) < 2:
        return None
    src_a = np.array(src, dtype=np.float64)
    dst_a = np.array(dst, dtype=np.float64)
    h, _ = cv2.findHomography(src_a, dst_a, 0)
    if h is None:
        return None
    proj = cv2.perspectiveTransform(src_a.reshape(-1, 1, 2), h).reshape(-1, 2)
    rms = float(np.sqrt(np.mean(np.sum((proj - dst_a) ** 2, axis=1))))
    scale = float(np.mean([m.side_px for m in markers if m.marker_id in used])) / page.fiducials[0].rect.w_mm
    return Registration(h, tuple(used), rms, scale)
