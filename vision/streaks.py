"""Streaks from a dirty scanner glass: a thin line down the whole scan, same column.

Found as a narrow dip in the columns' paper level, present in the top, middle and bottom
of the image alike (a printed rule, a fiducial or a table edge is not); corrected by
bringing those columns back to their neighbours' paper level, so a streak crossing a box
is never read as a stroke. Camera frames have no such lines; the test keeps them safe.
"""

from __future__ import annotations

import cv2
import numpy as np

ROW_STEP = 16  # sample every 16th row: the column levels need no more
# A dirt line of 1–4 px spreads over up to ~12 columns with its soft sides; two lines side
# by side over twice that (scan 83,002,761: lines 8 px apart, 15 columns in all, were left
# in and read as writing). The neighbours' level is a median over more than twice this
# width, so it is still the paper's beside any run this narrow.
MAX_WIDTH_PX = 24
MIN_DIP = 5.0  # grey levels below the neighbours, in every third of the image


def _levels(gray: np.ndarray) -> np.ndarray:
    """Paper level of every column in each third of the image (3 × W)."""
    rows = gray[::ROW_STEP]
    out = []
    for third in np.array_split(rows, 3, axis=0):
        cols = np.ascontiguousarray(third.T)  # one column per row: sort along memory
        k = int(0.7 * (cols.shape[1] - 1))
        # The 70th percentile: paper, even in a column that crosses text and marks. (A stable
        # sort of bytes is a radix sort: faster than partitioning each short row.)
        out.append(np.sort(cols, axis=1, kind="stable")[:, k])
    return np.stack(out)


def find_streaks(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(columns, gains): boolean per column, and the factor that brings each column back to
    its neighbours' paper level, in each third of the image (3 × W)."""
    lv = _levels(gray).astype(np.float32)
    # Neighbours' level: a wide median along the row of levels, blind to narrow lines.
    near = cv2.medianBlur(np.clip(lv, 0, 255).astype(np.uint8), 2 * MAX_WIDTH_PX + 3).astype(np.float32)
    diff = near - lv
    # Dirt darkens (or, on some glass, lightens) a column by a share of the light: the same
    # sign in every third of the image.
    streak = np.all(diff > MIN_DIP, axis=0) | np.all(diff < -MIN_DIP, axis=0)
    # Keep only narrow runs: a wide darker band is lighting or a shadow, not a streak.
    n, labels, stats, _ = cv2.connectedComponentsWithStats(streak.astype(np.uint8)[None, :], connectivity=4)
    for i in range(1, n):
        if stats[i, cv2.CC_STAT_WIDTH] > MAX_WIDTH_PX:
            streak[labels[0] == i] = False
    # At most doubled or halved: dirt dims a column by a share of the light, never most of it
    # (a dark printed feature this narrow down the whole page is not brightened away).
    return streak, np.clip(near / np.maximum(lv, 1.0), 0.5, 2.0)


def remove_streaks(gray: np.ndarray) -> tuple[np.ndarray, int]:
    """The image with streak columns scaled back to their neighbours' paper level (ink in
    them keeps its contrast), and how many streak columns there were."""
    streak, gains = find_streaks(gray)
    cols = np.flatnonzero(streak)
    if cols.size == 0:
        return gray, 0
    out = gray.copy()
    h = gray.shape[0]
    # Interpolate each column's gain along the height from the thirds' centres.
    ys = np.array([h / 6, h / 2, 5 * h / 6])
    y = np.arange(h, dtype=np.float32)
    for c in cols:
        gain = np.interp(y, ys, gains[:, c]).astype(np.float32)
        out[:, c] = np.clip(gray[:, c].astype(np.float32) * gain, 0, 255).astype(np.uint8)
    return out, int(cols.size)
