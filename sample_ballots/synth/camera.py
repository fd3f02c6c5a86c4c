"""The camera profile: a ballot photographed on a table, 1280×720 to 1920×1080, BGR.

Geometry is a pinhole camera looking at the page plane, tilted up to 30°, so the page is
a true perspective quadrilateral (its far side smaller). The page is placed portrait or
landscape in the frame, kept at ≥ 3 px/mm on its far side (QR modules ≥ 2 px). Around it
a table (wood, desk, a red or green cloth) with the page's drop shadow. Light is uneven:
a gradient, vignetting, sometimes a soft shadow across page and table, a colour cast.
Then camera shake, focus, sensor noise and JPEG (webcams deliver MJPEG).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from sample_ballots.synth import degrade
from sample_ballots.synth.paper import sample_paper
from sample_ballots.synth.pens import pick
from sample_ballots.synth.truth import CameraParams, Severity

FRAMES = ((1280, 720), (1600, 900), (1920, 1080))
SOURCE_DPIS = (100, 125, 150, 200, 250)
MIN_PX_PER_MM = 3.0
ORIENTATION_ODDS = ((90, 0.3), (270, 0.3), (0, 0.3), (180, 0.1))
TABLES = (  # BGR reflectance, grain, odds
    ((0.45, 0.62, 0.78), 0.10, 0.2),  # light wood
    ((0.16, 0.26, 0.40), 0.12, 0.15),  # dark wood
    ((0.55, 0.55, 0.55), 0.03, 0.15),  # grey desk
    ((0.11, 0.11, 0.12), 0.02, 0.1),  # black desk
    ((0.12, 0.10, 0.55), 0.04, 0.2),  # red cloth of a meeting table
    ((0.20, 0.40, 0.22), 0.04, 0.1),  # green cloth
    ((0.82, 0.82, 0.80), 0.02, 0.1),  # white desk: a page hard to tell from its table
)


def _rodrigues(axis: np.ndarray, angle: float) -> np.ndarray:
    r, _ = cv2.Rodrigues((axis / np.linalg.norm(axis) * angle).reshape(3, 1))
    return r


def geometry(p: CameraParams, page_w_mm: float, page_h_mm: float) -> np.ndarray:
    """Page mm → frame px homography of the page seen by this camera."""
    fw, fh = p.frame
    f = (fw / 2) / math.tan(math.radians(p.hfov_deg) / 2)
    corners = np.array([[0, 0], [page_w_mm, 0], [page_w_mm, page_h_mm], [0, page_h_mm]], np.float64)
    spin = math.radians(p.orientation + p.roll_deg)
    inplane = np.array([[math.cos(spin), -math.sin(spin)], [math.sin(spin), math.cos(spin)]])
    flat = (corners - [page_w_mm / 2, page_h_mm / 2]) @ inplane.T
    axis = math.radians(p.tilt_axis_deg)
    tilt = _rodrigues(np.array([math.cos(axis), math.sin(axis), 0.0]), math.radians(p.tilt_deg))
    space = np.column_stack([flat, np.zeros(4)]) @ tilt.T

    def project(z: float) -> np.ndarray:
        return f * space[:, :2] / (space[:, 2:] + z)

    z = f * max(np.ptp(flat[:, 0]) / (p.fill * fw), np.ptp(flat[:, 1]) / (p.fill * fh))
    for _ in range(4):  # perspective changes the extent a little: converge on the wanted fill
        pts = project(z)
        z *= max(np.ptp(pts[:, 0]) / (p.fill * fw), np.ptp(pts[:, 1]) / (p.fill * fh))
    pts = project(z)
    slack = np.array([fw, fh]) - np.ptp(pts, axis=0)
    pts = pts - pts.min(axis=0) + slack * np.array(p.place) - 0.5  # pixel centres are at integers
    return cv2.getPerspectiveTransform(corners.astype(np.float32), pts.astype(np.float32)).astype(np.float64)


def scales(hom: np.ndarray, page_w_mm: float, page_h_mm: float) -> tuple[float, float]:
    """Smallest and largest px per mm over the page (singular values of the local Jacobian)."""
    out = []
    for x, y in ((0, 0), (page_w_mm, 0), (page_w_mm, page_h_mm), (0, page_h_mm)):
        pts = np.array([[[x, y]], [[x + 1, y]], [[x, y + 1]]], np.float64)
        m = cv2.perspectiveTransform(pts, hom)[:, 0]
        jac = np.column_stack([m[1] - m[0], m[2] - m[0]])
        out += list(np.linalg.svd(jac, compute_uv=False))
    return float(min(out)), float(max(out))


def sample(rng: np.random.Generator, page_w_mm: float, page_h_mm: float, severity: Severity) -> CameraParams:
    full = severity is Severity.FULL
    if severity is Severity.NONE:
        p = CameraParams(
            frame=(1920, 1080), hfov_deg=60.0, tilt_deg=0.0, tilt_axis_deg=0.0, roll_deg=0.0, orientation=0,
            fill=0.92, place=(0.5, 0.5), paper_bgr=(1.0, 1.0, 1.0), toner=0.0, mottle=0.0,
            table_bgr=(0.45, 0.62, 0.78), table_grain=0.0, exposure=0.95, light_gradient=(0.0, 0.0),
            vignette=0.0, shadow=0.0, white_balance_bgr=(1.0, 1.0, 1.0), motion_px=0.0, motion_angle_deg=0.0,
            focus_sigma_px=0.0, noise_sigma=0.0, jpeg_quality=None,
        )
        return _resolved(p, page_w_mm, page_h_mm)
    paper_bgr, toner, mottle = sample_paper(rng, full)
    table_bgr, grain = pick(rng, tuple(((bgr, g), w) for bgr, g, w in TABLES))  # type: ignore[misc]
    warm = rng.random()
    wb = ((rng.uniform(0.8, 0.95), rng.uniform(0.95, 1.0), 1.0) if warm < 0.5
          else (1.0, rng.uniform(0.95, 1.0), rng.uniform(0.85, 0.95)) if warm < 0.7 else (1.0, 1.0, 1.0))
    shadow = float(rng.uniform(0.2, 0.5)) if full and rng.random() < 0.4 else 0.0
    base = dict(
        hfov_deg=float(rng.uniform(50, 75)),
        tilt_axis_deg=float(rng.uniform(0, 360)),
        place=(float(rng.random()), float(rng.random())),
        paper_bgr=paper_bgr, toner=toner, mottle=mottle,
        table_bgr=tuple(float(c) for c in table_bgr), table_grain=float(grain),
        exposure=float(rng.uniform(0.72, 1.0) if full else rng.uniform(0.85, 1.0)),
        light_gradient=tuple(float(g) for g in rng.uniform(-1, 1, 2) * (0.25 if full else 0.1)),
        vignette=float(rng.uniform(0, 0.35 if full else 0.15)),
        shadow=shadow,
        shadow_ellipse=(float(rng.uniform(-0.1, 1.1)), float(rng.uniform(-0.1, 1.1)), float(rng.uniform(0.2, 0.6)),
                        float(rng.uniform(0.15, 0.5)), float(rng.uniform(0, 180))) if shadow else (0.0,) * 5,
        white_balance_bgr=tuple(float(c) for c in wb),
        motion_px=float(rng.uniform(1, 5)) if full and rng.random() < 0.3 else 0.0,
        motion_angle_deg=float(rng.uniform(0, 180)),
        focus_sigma_px=float(rng.uniform(0, 1.2 if full else 0.6)),
        noise_sigma=float(rng.uniform(1.5, 6) if full else rng.uniform(1, 3)),
        jpeg_quality=int(rng.integers(70, 93) if full else rng.integers(85, 96)),
    )
    for attempt in range(20):
        wide = attempt >= 10  # after ten crowded tries, take the roomiest framing
        p = CameraParams(
            frame=FRAMES[-1] if wide else FRAMES[int(rng.integers(len(FRAMES)))],
            tilt_deg=float(rng.uniform(0, 30 if full else 12)),
            roll_deg=float(np.clip(rng.normal(0, 4 if full else 2), -12, 12)),
            orientation=int(rng.choice([90, 270])) if wide else int(pick(rng, ORIENTATION_ODDS)),  # type: ignore[call-overload]
            fill=float(rng.uniform(0.72, 0.95)),
            **base,  # type: ignore[arg-type]
        )
        p = _resolved(p, page_w_mm, page_h_mm)
        if p.min_px_per_mm >= MIN_PX_PER_MM:
            return p
    return p


def _resolved(p: CameraParams, page_w_mm: float, page_h_mm: float) -> CameraParams:
    """Fill in the derived fields: the page's scale range and the resolution to render it at."""
    lo, hi = scales(geometry(p, page_w_mm, page_h_mm), page_w_mm, page_h_mm)
    dpi = next((d for d in SOURCE_DPIS if d / 25.4 >= hi), SOURCE_DPIS[-1])
    return p.model_copy(update={"min_px_per_mm": round(lo, 3), "max_px_per_mm": round(hi, 3), "source_dpi": dpi})


def _table(rng: np.random.Generator, p: CameraParams, quad: np.ndarray) -> np.ndarray:
    """The table around the page, with the page's soft drop shadow: BGR uint8, full frame."""
    fw, fh = p.frame
    lw, lh = fw // 8, fh // 8
    tone = 1.0 + 0.05 * cv2.GaussianBlur(rng.standard_normal((lh, lw)).astype(np.float32), (0, 0), 3) * 3
    if p.table_grain:  # wood grain / cloth weave: noise stretched along one direction
        streak = rng.standard_normal((lh, 6)).astype(np.float32)
        streak = cv2.resize(streak, (lw, lh), interpolation=cv2.INTER_CUBIC)
        tone += p.table_grain * streak
    shadow = np.zeros((lh, lw), np.float32)
    offset = np.array([-p.light_gradient[0], -p.light_gradient[1]]) * 40 + rng.uniform(2, 6, 2)
    cv2.fillConvexPoly(shadow, np.round((quad + offset) / 8 * 16).astype(np.int32), 1.0, cv2.LINE_AA, 4)
    tone *= 1.0 - 0.4 * cv2.GaussianBlur(shadow, (0, 0), 2.0)
    low = np.clip(tone[:, :, None] * np.array(p.table_bgr, np.float32) * 255, 0, 255).astype(np.uint8)
    return cv2.resize(low, (fw, fh), interpolation=cv2.INTER_LINEAR)


def _light(p: CameraParams) -> np.ndarray:
    """Illumination × white balance over the frame at 1/8 resolution (1 = exposure 100 %)."""
    fw, fh = p.frame
    lw, lh = fw // 8 + 1, fh // 8 + 1
    y, x = np.mgrid[0:lh, 0:lw].astype(np.float32)
    u, v = x / (lw - 1) * 2 - 1, y / (lh - 1) * 2 - 1
    light = p.exposure * (1 + p.light_gradient[0] * u + p.light_gradient[1] * v) * (1 - p.vignette * (u**2 + v**2) / 2)
    if p.shadow:
        cx, cy, ax, ay, ang = p.shadow_ellipse
        mask = np.zeros((lh, lw), np.float32)
        cv2.ellipse(mask, (round(cx * lw), round(cy * lh)), (max(1, round(ax * lw)), max(1, round(ay * lh))),
                    ang, 0, 360, 1.0, -1)
        light *= 1 - p.shadow * cv2.GaussianBlur(mask, (0, 0), max(1.0, 0.04 * lw))
    return light[:, :, None] * np.array(p.white_balance_bgr, np.float32)


def capture(page: np.ndarray, sx: float, sy: float, p: CameraParams,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, bytes | None]:
    """Photograph a BGR page image (drawn at sx, sy px per mm): (frame, homography mm→px, JPEG bytes)."""
    h_src, w_src = page.shape[:2]
    page_w_mm, page_h_mm = w_src / sx, h_src / sy
    hom = geometry(p, page_w_mm, page_h_mm)
    fw, fh = p.frame
    corners = np.array([[[0, 0]], [[page_w_mm, 0]], [[page_w_mm, page_h_mm]], [[0, page_h_mm]]], np.float64)
    quad = cv2.perspectiveTransform(corners, hom)[:, 0]
    frame = _table(rng, p, quad)
    src_from_mm = np.array([[sx, 0, -0.5], [0, sy, -0.5], [0, 0, 1.0]])
    cv2.warpPerspective(page, hom @ np.linalg.inv(src_from_mm), (fw, fh), dst=frame, flags=cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_TRANSPARENT)
    headroom = 1.25  # light may exceed the exposure a little; what exceeds 255 clips, as in a camera
    light = np.clip(_light(p) / headroom * 255 + 0.5, 0, 255).astype(np.uint8)
    frame = cv2.multiply(frame, cv2.resize(light, (fw, fh), interpolation=cv2.INTER_LINEAR), scale=headroom / 255)
    frame = degrade.gaussian_blur(frame, p.focus_sigma_px)
    frame = degrade.motion_blur(frame, p.motion_px, p.motion_angle_deg)
    frame = degrade.noise(frame, p.noise_sigma, rng, grain=2)
    encoded = None
    if p.jpeg_quality is not None:
        frame, encoded = degrade.jpeg(frame, p.jpeg_quality)
    return frame, hom, encoded
