"""Sensor-side degradations shared by the scanner and the camera: blur, noise, exposure, JPEG.

Every random draw comes from the numpy Generator passed in; OpenCV's own generator is
seeded from it, so an image is a pure function of the seed.
"""

from __future__ import annotations

import cv2
import numpy as np


def gaussian_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma) if sigma >= 0.25 else img


def motion_blur(img: np.ndarray, length_px: float, angle_deg: float) -> np.ndarray:
    """A straight smear of `length_px` (camera shake during the exposure)."""
    if length_px < 1.0:
        return img
    k = int(np.ceil(length_px)) | 1
    kernel = np.zeros((k, k), np.float32)
    c = (k - 1) / 2
    dx = np.cos(np.radians(angle_deg)) * length_px / 2
    dy = np.sin(np.radians(angle_deg)) * length_px / 2
    s = 1 << 4
    cv2.line(kernel, (round((c - dx) * s), round((c - dy) * s)), (round((c + dx) * s), round((c + dy) * s)),
             1.0, 1, cv2.LINE_AA, 4)
    return cv2.filter2D(img, -1, kernel / kernel.sum())


def levels(img: np.ndarray, gain: float, offset: float) -> np.ndarray:
    lut = np.clip(np.arange(256) * gain + offset + 0.5, 0, 255).astype(np.uint8)
    return cv2.LUT(img, lut)


def noise(img: np.ndarray, sigma: float, rng: np.random.Generator, grain: int = 1) -> np.ndarray:
    """Additive Gaussian noise of `sigma` grey levels. `grain` > 1: noise correlated over about
    that many pixels, as a colour camera's demosaicing leaves it (and a quarter of the work)."""
    if sigma < 0.1:
        return img
    cv2.setRNGSeed(int(rng.integers(1, 2**31 - 1)))
    h, w = img.shape[:2]
    small = (-(-h // grain), -(-w // grain), *img.shape[2:])
    n = np.empty(small, np.float32 if grain > 1 else np.int16)
    cv2.randn(n, 0.0, sigma)
    if grain > 1:
        n = cv2.resize(n, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.int16)
    return cv2.add(img, n, dtype=cv2.CV_8U)


def jpeg(img: np.ndarray, quality: int) -> tuple[np.ndarray, bytes]:
    """The image as a JPEG file would give it back, and the file's bytes."""
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    flags = cv2.IMREAD_GRAYSCALE if img.ndim == 2 or img.shape[2] == 1 else cv2.IMREAD_COLOR
    return cv2.imdecode(buf, flags), buf.tobytes()
