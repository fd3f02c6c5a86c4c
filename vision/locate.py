"""Find the ballot in an image: fiducials, then the QR identity, then the registration.

Order of work, cheapest first:
1. ArUco fiducials on the grey image (any orientation: marker corners carry their own order);
2. the QR code, in the crop the top-right marker predicts (every layout puts the QR at the
   same place relative to it), then the whole page;
3. the layout named by the QR's hash, and the mm → px homography from all its fiducials;
4. when fewer than two fiducials are seen (a thumb over a corner), the page outline: the
   largest bright quadrilateral, its corners matched to the sheet corners through the QR's
   position, which tells which way up the sheet lies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from calibration.profile import IdentityThresholds
from station.ballot_layout import FIDUCIAL, QR
from station.layout import PageLayout, QrIdentity
from vision.fiducials import Marker, detect_markers
from vision.identify import match_known_qr
from vision.qr import QrRead, read_qr, read_qr_grid, read_qr_rectified
from vision.register import Registration, register_page
from vision.templates import StyleTemplate

# The QR's place relative to the top-right marker's own top-left corner, in mm (see
# station.ballot_layout: the QR sits 4 mm left of that marker, top-aligned).
_QR_FROM_TR = np.array([[-4.0 - QR, 0.0], [-4.0, 0.0], [-4.0, QR], [-4.0 - QR, QR]])
_QR_MARGIN = 4.0


@dataclass(frozen=True)
class Located:
    qr: QrRead
    markers: list[Marker]
    outline: np.ndarray | None  # 4×2 sheet corners in px, looked for only below two markers
    matched: bool = False  # identity from matching the election's own QR codes (vision.identify)

    @property
    def identity(self) -> QrIdentity | None:
        return self.qr.identity


def _qr_crop_from_marker(tr: Marker) -> np.ndarray:
    """Image quad where the QR must be, from the top-right marker's homography."""
    local = np.array([[0, 0], [FIDUCIAL, 0], [FIDUCIAL, FIDUCIAL], [0, FIDUCIAL]], dtype=np.float64)
    h = cv2.getPerspectiveTransform(local.astype(np.float32), tr.corners.astype(np.float32))
    m = _QR_MARGIN
    quad = _QR_FROM_TR + np.array([[-m, -m], [m, -m], [m, m], [-m, m]])
    return cv2.perspectiveTransform(quad.reshape(-1, 1, 2), h).reshape(-1, 2)


def locate(
    gray: np.ndarray, styles: Sequence[StyleTemplate] = (), identity: IdentityThresholds | None = None
) -> Located:
    """`styles`: the ballot styles of the election. When the QR cannot be decoded as seen,
    its modules are sampled where each style's layout puts them; when that fails too, the
    styles' own QR codes are matched against the image (vision.identify)."""
    markers = detect_markers(gray)
    tr = next((m for m in markers if m.marker_id == 1), None)
    crop = _qr_crop_from_marker(tr) if tr is not None else None
    qr = read_qr(gray, crop)
    if qr.identity is None and crop is not None:
        rectified = read_qr_rectified(gray, crop)
        if rectified.text is not None:
            qr = rectified
    if qr.identity is None and len(markers) >= 2:
        for page in _distinct([st.layout.pages[0] for st in styles]):
            reg = register_page(markers, page)
            if reg is None:
                continue
            gridded = read_qr_grid(gray, reg.to_px(np.array(page.qr.rect.corners())))
            if gridded.text is not None:
                qr = gridded
                break
    if qr.text is None and styles:
        match = match_known_qr(gray, markers, list(styles), identity or IdentityThresholds())
        if match is not None:
            return Located(QrRead(match.identity, None, match.polygon), markers, None, matched=True)
    outline = page_outline(gray) if len(markers) < 2 else None
    return Located(qr, markers, outline)


def _distinct(pages: Sequence[PageLayout]) -> list[PageLayout]:
    """One page per geometry (fiducials and QR where they are): styles of one paper size share it."""
    seen: set[str] = set()
    out = []
    for p in pages:
        key = repr((p.fiducials, p.qr.rect))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def page_outline(gray: np.ndarray) -> np.ndarray | None:
    """The sheet's four corners (clockwise from the image's top-left-most), or None."""
    small_scale = 800.0 / max(gray.shape)
    small = cv2.resize(gray, None, fx=small_scale, fy=small_scale, interpolation=cv2.INTER_AREA)
    blur = cv2.GaussianBlur(small, (5, 5), 0)
    _, bright = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    c = max(contours, key=cv2.contourArea)
    if cv2.contourArea(c) < 0.15 * small.shape[0] * small.shape[1]:
        return None
    approx = cv2.approxPolyDP(c, 0.02 * cv2.arcLength(c, True), True)
    if len(approx) != 4:
        return None
    pts = approx.reshape(4, 2).astype(np.float64) / small_scale
    # Clockwise order in the image (y down): by angle around the centre.
    centre = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    return pts[np.argsort(ang)]


def register_by_outline(outline: np.ndarray, page: PageLayout, qr_px: np.ndarray | None) -> Registration | None:
    """Register through the sheet's corners. The QR (near the top-right corner) says which
    image corner is the sheet's top-right; without it the orientation is unknown."""
    if qr_px is None:
        return None
    w, h = page.width_mm, page.height_mm
    sheet = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)  # TL TR BR BL, clockwise
    qr_centre = np.asarray(qr_px, dtype=np.float64).reshape(-1, 2).mean(axis=0)
    tr_index = int(np.argmin(np.linalg.norm(outline - qr_centre, axis=1)))
    ordered = np.roll(outline, -((tr_index - 1) % 4), axis=0)  # image corner for sheet TL first
    # Both orders are clockwise in their own frame (y down), so no mirror is needed.
    hmat, _ = cv2.findHomography(sheet, ordered, 0)
    if hmat is None:
        return None
    scale = float(np.linalg.norm(ordered[1] - ordered[0]) / w)
    return Registration(hmat, (), 0.0, scale)


def registration(located: Located, page: PageLayout) -> Registration | None:
    reg = register_page(located.markers, page)
    if reg is not None or located.outline is None:
        return reg
    return register_by_outline(located.outline, page, located.qr.polygon)
