"""Write a stage's ballots to a folder: PDF + layout JSON per style, PNG renders on request.

The thin I/O shell around `ballot_layout` (geometry) and `ballot_pdf` (drawing).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2

from station.ballot_layout import build_sheets
from station.ballot_pdf import render_pdf, write_pdf
from station.election import Election, Stage
from station.errors import OutputError, cannot_write


@dataclass(frozen=True)
class PrintedStyle:
    stage_id: str
    style_id: str
    paper: str
    pdf: Path
    layout: Path
    pngs: tuple[Path, ...]


def style_stem(election: Election, stage: Stage, style_id: str) -> str:
    return f"{election.id}-{stage.id}-{style_id}"


def prepare_out_dir(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(
            f"无法创建输出文件夹 {out}：{err.strerror}", f"cannot create output folder {out}: {err.strerror}"
        ) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"输出文件夹不可写：{out}", f"output folder is not writable: {out}")


def print_stage(election: Election, stage: Stage, out: Path, png_dpi: int | None = None) -> list[PrintedStyle]:
    prepare_out_dir(out)
    printed = []
    for sheet in build_sheets(election, stage):
        stem = style_stem(election, stage, sheet.layout.style_id)
        pdf = out / f"{stem}.pdf"
        layout = out / f"{stem}.layout.json"
        write_pdf([sheet], pdf)
        try:
            sheet.layout.save(layout)
        except OSError as err:
            raise cannot_write(layout, err) from None
        pngs: list[Path] = []
        if png_dpi:
            for i, img in enumerate(render_pdf(pdf, png_dpi), start=1):
                png = out / f"{stem}-p{i}-{png_dpi}dpi.png"
                if not cv2.imwrite(str(png), img):
                    raise cannot_write(png)
                pngs.append(png)
        printed.append(
            PrintedStyle(stage.id, sheet.layout.style_id, sheet.layout.paper, pdf, layout, tuple(pngs))
        )
    return printed
