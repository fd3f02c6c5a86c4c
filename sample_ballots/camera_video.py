"""A synthetic camera session over the counting table, with ground truth.

Ballots (grey page renders) are laid on a table one after another: each slides into view
with motion blur, comes to rest, lies still (with sensor noise), is briefly half-covered
by a hand over one corner, then slides away; the table stays empty a moment before the
next. Written with cv2.VideoWriter as MJPG in an .avi (headless OpenCV writes it without
extra codecs), so tests and the benchmark replay it through VideoCapture like a camera.

Motion blur is made the way a camera makes it: each moving frame averages the sheet at
several positions across the shutter time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

FPS = 15.0
SIZE = (1280, 720)  # w, h


@dataclass(frozen=True)
class Placement:
    """Frame indices of one ballot's visit, for the tests' ground truth."""

    enter_from: int  # first frame of sliding in
    still_from: int  # first frame at rest
    still_to: int  # last frame at rest
    gone_from: int  # first frame with the ballot fully out of view
    hand_frames: tuple[int, ...]  # frames with a hand over a corner


@dataclass(frozen=True)
class Choreography:
    enter: int = 12  # frames sliding in (0.8 s at 15 fps)
    still: int = 24  # frames at rest (1.6 s)
    leave: int = 9  # frames sliding out
    empty: int = 9  # frames of empty table before the next (0.6 s)
    hand_at: int = 16  # a hand over a corner, this many frames into the rest …
    hand_len: int = 3  # … for this many frames (0.2 s: shorter than the watcher's absent time)
    shutter: float = 0.5  # exposure as a share of the frame interval
    blur_steps: int = 9


def _table(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """A wooden table top under uneven light (BGR float32 0–255)."""
    w, h = size
    x = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    grain = 10 * np.sin(2 * np.pi * (y * 3 + 0.15 * np.sin(2 * np.pi * x * 2)) * 6)
    noise = cv2.GaussianBlur(rng.normal(0, 12, (h, w)).astype(np.float32), (0, 0), 3)
    base = 105 + grain + noise
    light = 0.8 + 0.3 * np.exp(-(((x - 0.45) / 0.6) ** 2 + ((y - 0.4) / 0.7) ** 2))
    table = np.stack([base * 0.55, base * 0.8, base * 1.1], axis=2) * light[:, :, None]
    return np.clip(table, 0, 255).astype(np.float32)


def _pose_matrix(page_shape: tuple[int, int], scale: float, centre: tuple[float, float], angle: float) -> np.ndarray:
    ph, pw = page_shape
    m = cv2.getRotationMatrix2D((pw / 2, ph / 2), angle, scale)
    m[0, 2] += centre[0] - pw / 2
    m[1, 2] += centre[1] - ph / 2
    return m


def _shadowed(table: np.ndarray, mask: np.ndarray, m: np.ndarray, sigma: float) -> np.ndarray:
    h, w = table.shape[:2]
    offset = np.array([[0, 0, 6], [0, 0, 8]]) * (sigma / 6)
    shadow = cv2.GaussianBlur(cv2.warpAffine(mask, m + offset, (w, h)), (0, 0), sigma)
    return table * (1 - 0.35 * shadow[:, :, None])


def _composite(ground: np.ndarray, sheet: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    paper = np.stack([sheet * 0.93, sheet * 0.97, sheet], axis=2)  # slightly warm light on white paper
    return ground * (1 - alpha[:, :, None]) + paper


def _lay(table: np.ndarray, page: np.ndarray, mask: np.ndarray, m: np.ndarray) -> np.ndarray:
    """The sheet (with a soft shadow) laid on the table by the affine `m`; float32 BGR."""
    h, w = table.shape[:2]
    alpha = cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_LINEAR)
    sheet = cv2.warpAffine(page, m, (w, h), flags=cv2.INTER_LINEAR)  # page is 0 outside: premultiplied
    return _composite(_shadowed(table, mask, m, 6.0), sheet, alpha)


def _blurred(table_half: np.ndarray, page: np.ndarray, mask: np.ndarray, poses: list[np.ndarray]) -> np.ndarray:
    """The sheet averaged over `poses` (the shutter time), made at half size: a moving frame
    carries no detail finer than that anyway. Full size float32 BGR."""
    h, w = table_half.shape[:2]
    half = [p * 0.5 for p in poses]
    alpha = sum(cv2.warpAffine(mask, p, (w, h)) for p in half) / len(half)
    sheet = sum(cv2.warpAffine(page, p, (w, h)) for p in half) / len(half)
    img = _composite(_shadowed(table_half, mask, half[len(half) // 2], 3.0), sheet, alpha)
    return cv2.resize(img, (2 * w, 2 * h), interpolation=cv2.INTER_LINEAR)


class _Session:
    """The video being written: the table, the writer, the frame count."""

    def __init__(self, path: Path, seed: int, size: tuple[int, int], fps: float, plan: Choreography) -> None:
        self.rng = np.random.default_rng(seed)
        self.size, self.plan = size, plan
        w, h = size
        self.table = _table(self.rng, size)
        self.table_half = cv2.resize(self.table, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        self.noise = np.empty(self.table.shape, np.float32)
        cv2.setRNGSeed(seed)
        self.writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
        if not self.writer.isOpened():
            raise RuntimeError("OpenCV cannot write MJPG video here")
        self.writer.set(cv2.VIDEOWRITER_PROP_QUALITY, 95)
        self.n = 0

    def emit(self, img: np.ndarray) -> None:
        cv2.randn(self.noise, 0.0, 2.0)  # sensor noise, so no two frames of a still sheet are equal
        self.writer.write(np.clip(img + self.noise, 0, 255).astype(np.uint8))
        self.n += 1

    def moving(self, page: np.ndarray, scale: float, path: tuple, frames: int, ease: Callable[[float], float]) -> None:
        """`frames` frames of the sheet travelling along `path` = (from, to, angle from, angle to)."""
        (x0, y0), (x1, y1), a0, a1 = path
        plan = self.plan
        mask = np.ones(page.shape, np.float32)
        for i in range(frames):
            poses = []
            for j in range(plan.blur_steps):
                s = ease(min(1.0, (i + plan.shutter * j / (plan.blur_steps - 1)) / frames))
                centre = (x0 + (x1 - x0) * s, y0 + (y1 - y0) * s)
                poses.append(_pose_matrix(page.shape, scale, centre, a0 + (a1 - a0) * s))
            self.emit(_blurred(self.table_half, page, mask, poses))

    def visit(self, page: np.ndarray, k: int) -> Placement:
        """One ballot: in, at rest (a hand briefly over a corner), out, then the empty table."""
        plan, rng = self.plan, self.rng
        w, h = self.size
        pagef = page.astype(np.float32)
        scale = 0.9 * h / page.shape[0]
        rest = (w / 2 + rng.uniform(-120, 120), h / 2 + rng.uniform(-8, 8))
        angle = rng.uniform(-4, 4)
        diag = scale * np.hypot(*page.shape) / 2
        start = (w + diag, rest[1] + rng.uniform(-60, 60)) if k % 2 == 0 else (-diag, rest[1] - 40)
        end = (-diag, rest[1] + 30) if k % 2 == 0 else (w + diag, rest[1] + 50)
        enter_from = self.n
        self.moving(pagef, scale, (start, rest, angle + 12, angle), plan.enter, lambda s: 1 - (1 - s) ** 3)
        still_from = self.n
        m = _pose_matrix(page.shape, scale, rest, angle)
        still = _lay(self.table, pagef, np.ones(page.shape, np.float32), m)
        hand = []
        for i in range(plan.still):
            covered = plan.hand_at <= i < plan.hand_at + plan.hand_len
            if covered:
                hand.append(self.n)
            self.emit(_hand(still, m, page.shape) if covered else still)
        still_to = self.n - 1
        self.moving(pagef, scale, (rest, end, angle, angle - 10), plan.leave, lambda s: s**2)
        gone_from = self.n
        for _ in range(plan.empty):
            self.emit(self.table)
        return Placement(enter_from, still_from, still_to, gone_from, tuple(hand))


def write_ballot_video(
    path: Path,
    pages: list[np.ndarray],
    seed: int = 0,
    size: tuple[int, int] = SIZE,
    fps: float = FPS,
    plan: Choreography = Choreography(),
) -> list[Placement]:
    """Write the session to `path` (.avi, MJPG) and return where each ballot is still."""
    session = _Session(path, seed, size, fps, plan)
    try:
        for _ in range(plan.empty):
            session.emit(session.table)
        return [session.visit(page, k) for k, page in enumerate(pages)]
    finally:
        session.writer.release()


def _hand(img: np.ndarray, m: np.ndarray, page_shape: tuple[int, int]) -> np.ndarray:
    """A hand over the sheet's bottom-right corner (its fiducial hidden)."""
    ph, pw = page_shape
    corner = m @ np.array([pw * 0.93, ph * 0.95, 1.0])
    out = img.copy()
    cv2.ellipse(out, (int(corner[0]) + 40, int(corner[1]) + 10), (95, 60), 30, 0, 360, (120, 150, 205), -1)
    return out
