"""`python -m sample_ballots.synth.gallery DIR`: the sample pictures in docs/img, for people.

- synth-marks.jpg: every mark kind (columns) drawn with each pen (rows), ideal scan.
- synth-scan.jpg, synth-photo.jpg: a whole ballot from each profile at full severity.
Small JPEGs (a few hundred KB together); regenerate after changing how ink is drawn.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

from sample_ballots.synth.corpus import generate_ballot
from sample_ballots.synth.fill import FillPlan, PlannedMark
from sample_ballots.synth.pens import sample_pen
from sample_ballots.synth.templates import demo_templates
from sample_ballots.synth.truth import MarkKind, PenKind
from station.layout import BoxKind

TILE = 96
LABEL = 16


def _marks_sheet() -> np.ndarray:
    layout = demo_templates().sheet("ceping", "dangyuan")[1].layout
    boxes = [b for b in layout.boxes if b.kind is BoxKind.MARK]
    kinds = [k for k in MarkKind if k is not MarkKind.NONE]
    rows = []
    for r, pen_kind in enumerate(PenKind):
        pen = sample_pen(np.random.default_rng(r), pen_kind)
        plan = FillPlan(marks=[PlannedMark(box_id=b.id, kind=k) for b, k in zip(boxes, kinds, strict=False)])
        b = generate_ballot("scanner", 30 + r, stage="ceping", style="dangyuan", plan=plan, pen=pen,
                            severity="none", dpi=200)
        tiles = []
        for box in boxes[: len(kinds)]:
            rect = box.rect
            (x0, y0, _), (x1, y1, _) = (b.homography @ [rect.x_mm - 3, rect.y_mm - 3, 1],
                                        b.homography @ [rect.x_mm + rect.w_mm + 3, rect.y_mm + rect.h_mm + 3, 1])
            tiles.append(cv2.resize(b.image[round(y0):round(y1), round(x0):round(x1)], (TILE, TILE),
                                    interpolation=cv2.INTER_AREA))
        label = np.full((TILE, 70), 255, np.uint8)
        cv2.putText(label, pen_kind.value, (4, TILE // 2 + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.42, 0, 1, cv2.LINE_AA)
        rows.append(np.hstack([label, *tiles]))
    head = np.full((LABEL * 2, rows[0].shape[1]), 255, np.uint8)
    for i, k in enumerate(kinds):
        x = 70 + i * TILE + 2
        name = k.value.replace("circle_", "c_").replace("cross_", "x_")
        cv2.putText(head, name[:14], (x, LABEL * (1 + i % 2) - 3), cv2.FONT_HERSHEY_SIMPLEX, 0.36, 0, 1, cv2.LINE_AA)
    return np.vstack([head, *rows])


def _small(image: np.ndarray, height: int) -> np.ndarray:
    f = height / image.shape[0]
    return cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)


def write(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    jpeg = [cv2.IMWRITE_JPEG_QUALITY, 80]
    pictures = {
        "synth-marks.jpg": _marks_sheet(),
        "synth-scan.jpg": _small(generate_ballot("scanner", 10, colour=True).image, 1000),
        "synth-photo.jpg": _small(generate_ballot("camera", 49).image, 540),
    }
    written = []
    for name, img in pictures.items():
        path = out / name
        cv2.imwrite(str(path), img, jpeg)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img")):
        print(f"{p} ({p.stat().st_size // 1024} KB)")
