"""Read the ballot's QR code with pyzbar: the expected place first, the whole page last.

Decoding a small crop takes a few milliseconds; the whole page about 80 ms. So: the crop
the layout predicts, then the same crop median-filtered (speckle) and upscaled (a low
resolution or blurred scan), and only then the whole page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from pyzbar import pyzbar

from station.ballot_pdf import QR_BORDER_MODULES
from station.layout import QrIdentity, parse_qr_payload

# The expected crop (QR 28 mm + 4 mm around, 37 cells of 0.76 mm) spans this many px when a
# module is 3 px wide.
CROP_FOR_3PX_MODULES = 3 * 36 / 0.757
GRID_VERSIONS = range(1, 11)  # QR versions tried when sampling module by module (21–57 modules)


@dataclass(frozen=True)
class QrRead:
    identity: QrIdentity | None  # None: no QR code of ours
    text: str | None  # the raw text of the first QR found, ours or not
    polygon: np.ndarray | None  # where it was, image px (N×2)


def _decode(img: np.ndarray, scale: float, offset: tuple[int, int]) -> list[tuple[str, np.ndarray]]:
    out = []
    for sym in pyzbar.decode(img, symbols=[pyzbar.ZBarSymbol.QRCODE]):
        try:
            text = sym.data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        poly = np.array([(p.x, p.y) for p in sym.polygon], dtype=np.float64) / scale + np.array(offset)
        out.append((text, poly))
    return out


def read_qr(gray: np.ndarray, crop_quad_px: np.ndarray | None = None) -> QrRead:
    attempts: list[tuple[np.ndarray, float, tuple[int, int]]] = []
    if crop_quad_px is not None:
        x, y, w, h = cv2.boundingRect(np.asarray(crop_quad_px, dtype=np.float32))
        x0, y0 = max(x, 0), max(y, 0)
        crop = gray[y0 : y + h, x0 : x + w]
        if crop.size:
            # A fine scan gives many pixels per module; the decoder needs about three.
            k = int(max(crop.shape) / CROP_FOR_3PX_MODULES)
            if k >= 2:
                small = cv2.resize(crop, None, fx=1.0 / k, fy=1.0 / k, interpolation=cv2.INTER_AREA)
                attempts.append((small, 1.0 / k, (x0, y0)))
            attempts += [
                (crop, 1.0, (x0, y0)),
                (cv2.medianBlur(crop, 3), 1.0, (x0, y0)),
                (cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC), 2.0, (x0, y0)),
            ]
    attempts.append((gray, 1.0, (0, 0)))
    foreign: QrRead | None = None
    for img, scale, offset in attempts:
        for text, poly in _decode(img, scale, offset):
            ident = parse_qr_payload(text)
            if ident is not None:
                return QrRead(ident, text, poly)
            foreign = foreign or QrRead(None, text, poly)
    return foreign or QrRead(None, None, None)


def read_qr_rectified(gray: np.ndarray, quad_px: np.ndarray, side: int = 300) -> QrRead:
    """Warp the quad where the QR must be to an upright square and decode it there.

    A camera frame gives 2–3 px per module, too few for the decoder as it lies, skewed
    and in perspective; rectified and upsampled with cubic interpolation (and once more
    binarised) it usually reads. The polygon returned is mapped back to the image.
    """
    quad = np.asarray(quad_px, dtype=np.float32).reshape(4, 2)
    square = np.array([[0, 0], [side, 0], [side, side], [0, side]], dtype=np.float32)
    h = cv2.getPerspectiveTransform(quad, square)
    flat = cv2.warpPerspective(gray, h, (side, side), flags=cv2.INTER_CUBIC, borderValue=255)
    _, binary = cv2.threshold(cv2.GaussianBlur(flat, (3, 3), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    inv = np.linalg.inv(h)
    for img in (flat, binary):
        for text, poly in _decode(img, 1.0, (0, 0)):
            ident = parse_qr_payload(text)
            back = cv2.perspectiveTransform(poly.reshape(-1, 1, 2), inv).reshape(-1, 2)
            return QrRead(ident, text, back)
    return QrRead(None, None, None)


def _cells_image(cells: np.ndarray, scale: int = 4, quiet: int = 4) -> np.ndarray:
    """A clean QR picture from a module matrix (True = dark)."""
    img = np.where(cells, 0, 255).astype(np.uint8)
    img = np.pad(img, quiet, constant_values=255)
    return cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)


def read_qr_grid(gray: np.ndarray, quad_px: np.ndarray, border_modules: int = QR_BORDER_MODULES) -> QrRead:
    """Read the QR code module by module where the registration puts it.

    `quad_px`: the QR rectangle of the layout (quiet border included), corners TL TR BR BL
    in image px, from the page's homography. At 2–3 px per module (a camera frame of a
    whole page) a decoder cannot find the code's own corners in the blur, but the fiducials
    already say exactly where every module is: each is sampled at its centre, the samples
    split into dark and light (Otsu), and the clean matrix is decoded, its error correction
    intact. Each QR version (module count) is tried in turn; a wrong one does not decode.
    """
    quad = np.asarray(quad_px, dtype=np.float32).reshape(4, 2)
    px = 8  # per cell of the largest grid tried
    side = px * (17 + 4 * max(GRID_VERSIONS) + 2 * border_modules)
    square = np.array([[0, 0], [side, 0], [side, side], [0, side]], dtype=np.float32)
    h = cv2.getPerspectiveTransform(quad, square)
    flat = cv2.warpPerspective(gray, h, (side, side), flags=cv2.INTER_LINEAR, borderValue=255).astype(np.float32)
    # Mean over a small window around each sample point: a third of the smallest cell.
    smooth = cv2.blur(flat, (px // 2 | 1, px // 2 | 1))
    inv = np.linalg.inv(h)
    for version in GRID_VERSIONS:
        n = 17 + 4 * version
        cells_n = n + 2 * border_modules
        c = (np.arange(cells_n) + 0.5) * side / cells_n
        samples = smooth[np.clip(c, 0, side - 1).astype(int)[:, None], np.clip(c, 0, side - 1).astype(int)[None, :]]
        inner = samples[border_modules : border_modules + n, border_modules : border_modules + n]
        level, _ = cv2.threshold(np.clip(inner, 0, 255).astype(np.uint8), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        for text, _ in _decode(_cells_image(inner < level), 1.0, (0, 0)):
            ident = parse_qr_payload(text)
            # Where the code is in the image (the decoded polygon is in the clean picture).
            back = cv2.perspectiveTransform(square.reshape(-1, 1, 2).astype(np.float64), inv).reshape(-1, 2)
            return QrRead(ident, text, back)
    return QrRead(None, None, None)
