"""Read the ballot's QR code with pyzbar: the expected place first, the whole page last.

Decoding a small crop takes a few milliseconds; the whole page about 80 ms. So: the crop
the layout predicts, then the same crop median-filtered (speckle) and upscaled (a low
resolution or blurred scan), and only then the whole page.
"""

from __future__ import annotations

import cv2
import numpy as np
from pyzbar import pyzbar

from station.layout import QrIdentity, parse_qr_payload


def _decode(img: np.ndarray) -> list[str]:
    out = []
    for sym in pyzbar.decode(img, symbols=[pyzbar.ZBarSymbol.QRCODE]):
        try:
            out.append(sym.data.decode("utf-8"))
        except UnicodeDecodeError:
            continue
    return out


def _first_ours(texts: list[str]) -> tuple[QrIdentity | None, str | None]:
    for t in texts:
        ident = parse_qr_payload(t)
        if ident is not None:
            return ident, t
    return None, (texts[0] if texts else None)


def read_qr(gray: np.ndarray, crop_quad_px: np.ndarray | None = None) -> tuple[QrIdentity | None, str | None]:
    """(identity, raw text). Identity is None when no QR of ours is found; the raw text of
    a foreign QR code is returned so the caller can say 'not one of our ballots'."""
    attempts: list[np.ndarray] = []
    if crop_quad_px is not None:
        x, y, w, h = cv2.boundingRect(np.asarray(crop_quad_px, dtype=np.float32))
        x0, y0 = max(x, 0), max(y, 0)
        crop = gray[y0 : y + h, x0 : x + w]
        if crop.size:
            attempts += [
                crop,
                cv2.medianBlur(crop, 3),
                cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC),
            ]
    attempts.append(gray)
    foreign: str | None = None
    for img in attempts:
        ident, raw = _first_ours(_decode(img))
        if ident is not None:
            return ident, raw
        foreign = foreign or raw
    return None, foreign
