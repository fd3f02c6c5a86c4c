"""Identify a ballot whose QR code cannot be decoded: is one of this election's own QR
codes printed there, and which?

A photo of a whole page gives 2–3 px per QR module; with camera shake or soft focus the
decoder cannot find the code's own finder patterns. The fiducials still register the page
precisely, and the election has only a few ballot styles, each with a known QR code. So:

1. the blur of this image is measured on the top-right fiducial, a known printed pattern
   next to the QR code: a small convolution kernel (least squares) plus the paper level,
   which also captures motion blur in any direction;
2. each known QR code (each style's printed corner, from the template) is blurred with
   that kernel and compared with what the image shows there;
3. the best is accepted only if it explains the image about as well as the kernel explains
   the fiducial, and clearly better than every other known code.

A QR code of another election or another version of this one differs from all of ours in
hundreds of modules, so it matches none and the ballot stays unreadable (never accepted as
ours); the decoded QR, when it can be read, remains the first and normal way.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from calibration.profile import IdentityThresholds
from station.layout import PageLayout, QrIdentity, Rect, parse_qr_payload
from vision.fiducials import Marker
from vision.register import Registration, register_page
from vision.templates import CORNER_PX_PER_MM, StyleTemplate

KERNEL_MM = 2.0  # half-width of the blur kernel measured: camera shake and defocus up to ~2 mm
SEARCH_PX = 2  # the QR is compared at offsets up to this (residual misregistration, lens)


@dataclass(frozen=True)
class Match:
    identity: QrIdentity
    misfit: float  # rms difference of the best code, over the fiducial's rms residual
    margin: float  # rms of the second best code over the best's (inf when only one)
    polygon: np.ndarray  # where the QR is in the image, px


def _rectify(gray: np.ndarray, reg: Registration, x_mm: float, y_mm: float, w_px: int, h_px: int) -> np.ndarray:
    s = CORNER_PX_PER_MM
    to_mm = np.array([[1.0 / s, 0, x_mm], [0, 1.0 / s, y_mm], [0, 0, 1.0]])
    return cv2.warpPerspective(
        gray, reg.homography @ to_mm, (w_px, h_px), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    ).astype(np.float32)


def _blur_kernel(seen: np.ndarray, ink: np.ndarray, half: int) -> tuple[np.ndarray, float, float]:
    """Kernel K and paper level c with seen ≈ c + K ⋆ ink (least squares, lightly damped),
    and the rms residual."""
    m = 2 * half + 1
    win = np.lib.stride_tricks.sliding_window_view(ink, (m, m)).reshape(-1, m * m)
    target = seen[half : seen.shape[0] - half, half : seen.shape[1] - half].reshape(-1)
    a = np.hstack([win, np.ones((win.shape[0], 1), np.float32)]).astype(np.float64)
    ata = a.T @ a
    ata[np.diag_indices(m * m)] += 1e-3 * float(np.mean(np.diag(ata)[: m * m]) + 1e-9)
    sol = np.linalg.solve(ata, a.T @ target)
    resid = target - a @ sol
    return sol[:-1].reshape(m, m).astype(np.float32), float(sol[-1]), float(np.sqrt(np.mean(resid**2)))


def _sub(a: np.ndarray, origin: tuple[float, float], rect: Rect, pad_mm: float) -> np.ndarray:
    s = CORNER_PX_PER_MM
    x0 = int(round((rect.x_mm - pad_mm - origin[0]) * s))
    y0 = int(round((rect.y_mm - pad_mm - origin[1]) * s))
    w = int(round((rect.w_mm + 2 * pad_mm) * s))
    h = int(round((rect.h_mm + 2 * pad_mm) * s))
    return a[y0 : y0 + h, x0 : x0 + w]


def match_known_qr(
    gray: np.ndarray, markers: list[Marker], styles: list[StyleTemplate], t: IdentityThresholds
) -> Match | None:
    by_page: dict[str, list[StyleTemplate]] = {}
    for st in styles:
        p = st.layout.pages[0]
        by_page.setdefault(repr((p.fiducials, p.qr.rect)), []).append(st)
    if len(markers) < 3 or not any(m.marker_id == 1 for m in markers):
        return None  # the blur is measured on the top-right fiducial, beside the QR
    for group in by_page.values():
        page: PageLayout = group[0].layout.pages[0]
        reg = register_page(markers, page)
        if reg is None:
            continue
        corner = group[0].corner
        origin = corner.origin_mm
        h, w = corner.ink.shape
        seen = _rectify(gray, reg, origin[0], origin[1], w, h)
        half = int(round(KERNEL_MM * CORNER_PX_PER_MM))
        fid = next(f for f in page.fiducials if f.marker_id == 1).rect
        kernel, paper, fid_rms = _blur_kernel(
            _sub(seen, origin, fid, KERNEL_MM + 1.0), _sub(corner.ink, origin, fid, KERNEL_MM + 1.0), half
        )
        qr = page.qr.rect
        pad = KERNEL_MM + 1.0
        seen_qr = _sub(seen, origin, qr, pad)
        inner = slice(half + SEARCH_PX, -(half + SEARCH_PX))
        scores: dict[str, float] = {}
        for st in group:
            payload = st.layout.pages[0].qr.payload
            if payload in scores:
                continue
            predicted = paper + cv2.filter2D(_sub(st.corner.ink, origin, qr, pad), -1, kernel)
            # Compare at small offsets (registration residual), on the inner part only.
            core = predicted[inner, inner]
            res = cv2.matchTemplate(seen_qr[half:-half, half:-half], core, cv2.TM_SQDIFF)
            scores[payload] = float(np.sqrt(res.min() / core.size))
        ranked = sorted(scores.items(), key=lambda kv: kv[1])
        best_payload, best = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else np.inf
        misfit = best / max(fid_rms, t.min_noise)
        margin = second / max(best, 1e-9)
        ident = parse_qr_payload(best_payload)
        if ident is None or misfit > t.qr_match_max_misfit or margin < t.qr_match_min_margin:
            continue
        return Match(ident, misfit, margin, reg.to_px(np.array(qr.corners())))
    return None
