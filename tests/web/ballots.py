"""Filled-in demo ballots for the browser tests: the printed blank, rendered, marked with OpenCV
at the layout's box positions (the same layout the ballot was printed from)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from station.ballot_layout import build_sheet
from station.ballot_pdf import pdf_bytes, render_pdf
from station.election import Election
from station.layout import BallotLayout

DPI = 150
PX = DPI / 25.4


_blanks: dict[tuple[str, str, str], tuple[np.ndarray, BallotLayout]] = {}


def _blank(election: Election, stage: str, style: str) -> tuple[np.ndarray, BallotLayout]:
    key = (election.id, stage, style)
    if key not in _blanks:
        sheet = build_sheet(election, election.stage(stage), style)
        _blanks[key] = (render_pdf(pdf_bytes([sheet]), DPI)[0], sheet.layout)
    return _blanks[key]


@dataclass
class Ballot:
    """A blank ballot to draw on; png() gives the bytes a scanner would hand over."""

    image: np.ndarray
    layout: BallotLayout

    @classmethod
    def blank(cls, election: Election, stage: str = "xuanju", style: str = "main") -> Ballot:
        img, layout = _blank(election, stage, style)
        return cls(img.copy(), layout)

    def _centre(self, box_id: str) -> tuple[int, int]:
        r = self.layout.box(box_id).rect
        return int(r.cx * PX), int(r.cy * PX)

    def circle(self, box_id: str) -> Ballot:
        cv2.circle(self.image, self._centre(box_id), int(3.5 * PX), 0, max(2, int(0.5 * PX)))
        return self

    def cross(self, box_id: str) -> Ballot:
        (x, y), d = self._centre(box_id), int(3.2 * PX)
        cv2.line(self.image, (x - d, y - d), (x + d, y + d), 0, max(2, int(0.5 * PX)))
        cv2.line(self.image, (x - d, y + d), (x + d, y - d), 0, max(2, int(0.5 * PX)))
        return self

    def dash(self, box_id: str) -> Ballot:
        """A short horizontal line: none of the prescribed marks, so people decide."""
        r = self.layout.box(box_id).rect
        y = int(r.cy * PX)
        cv2.line(self.image, (int((r.x_mm + 2) * PX), y), (int((r.x_mm + 8) * PX), y), 0, 4)
        return self

    def write(self, box_id: str) -> Ballot:
        """Handwriting-like strokes in a write-in area (vision sees writing; people read the name)."""
        r = self.layout.box(box_id).rect
        x0, y0 = int((r.x_mm + 2) * PX), int((r.y_mm + r.h_mm * 0.65) * PX)
        cv2.putText(self.image, "Zm", (x0, y0), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.3, 0, 3)
        return self

    def png(self) -> bytes:
        return cv2.imencode(".png", self.image)[1].tobytes()
