"""Is a page blank? The cheap check behind `BlankPage` and the scanner's blank-back drop. Pure."""

from __future__ import annotations

import cv2
import numpy as np


def ink_share(gray: np.ndarray) -> float:
    """Share of a reduced copy that is clearly darker than the paper (below 60 % of its white).

    The white level is the 90th percentile, so the paper's own shade and a scanner's grey
    backing do not count as ink; faint show-through from the other side stays above 60 %.
    """
    small = cv2.resize(gray, (256, max(1, int(256 * gray.shape[0] / gray.shape[1]))), interpolation=cv2.INTER_AREA)
    white = float(np.percentile(small, 90))
    return float((small < 0.6 * white).mean())


def looks_blank(gray: np.ndarray, max_ink_share: float) -> bool:
    """`max_ink_share` is calibration data (profile.quality.blank_max_ink_share), never from the page."""
    return ink_share(gray) <= max_ink_share
