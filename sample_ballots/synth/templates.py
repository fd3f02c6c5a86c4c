"""Blank printed ballots to write on: the real PDF, rendered by the real renderer.

The sheets come from `station.ballot_layout.build_sheets`, the PDF from
`station.ballot_pdf.write_pdf` and the pixels from `render_pdf`, so a synthetic ballot is a
printed ballot plus ink. PDFs live in a temporary folder for the life of the process and
renders are kept in memory (a few MB each), so a corpus renders each style once per dpi.
"""

from __future__ import annotations

import tempfile
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from station.ballot_layout import Sheet, build_sheets
from station.ballot_pdf import render_pdf, write_pdf
from station.cmd_demo import demo_election_path
from station.definition_io import load_election
from station.election import Election, Stage
from station.errors import StationError

RENDER_CACHE = 64  # renders kept: the demo's 6 styles at the 4 scanner and 5 camera resolutions, ~210 MB


@dataclass(frozen=True)
class Template:
    stage: Stage
    sheet: Sheet
    dpi: int
    image: np.ndarray  # grey uint8, white paper = 255; never written to
    sx: float  # px per page mm; pdfium fits the page into whole pixels, so x and y differ slightly
    sy: float

    @property
    def key(self) -> str:
        return f"{self.stage.id}/{self.sheet.layout.style_id}"


class Templates:
    """The printed styles of one election, rendered on demand."""

    def __init__(self, election: Election) -> None:
        self.election = election
        self._sheets: dict[tuple[str, str], tuple[Stage, Sheet]] = {}
        for stage in election.stages:
            for sheet in build_sheets(election, stage):
                self._sheets[(stage.id, sheet.layout.style_id)] = (stage, sheet)
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._pdfs: dict[tuple[str, str], Path] = {}
        self._renders: OrderedDict[tuple[str, str, int], Template] = OrderedDict()

    @property
    def styles(self) -> list[tuple[str, str]]:
        """(stage id, style id) of every printed style, in definition order."""
        return list(self._sheets)

    def styles_of(self, stage_id: str) -> list[str]:
        found = [style for st, style in self._sheets if st == stage_id]
        if not found:
            known = sorted({st for st, _ in self._sheets})
            raise StationError(f"选举中没有轮次“{stage_id}”（有：{'、'.join(known)}）",
                               f"the election has no stage '{stage_id}' (it has: {', '.join(known)})")
        return found

    def sheet(self, stage_id: str, style_id: str) -> tuple[Stage, Sheet]:
        try:
            return self._sheets[(stage_id, style_id)]
        except KeyError:
            raise StationError(
                f"没有选票样式 {stage_id}/{style_id}", f"no ballot style {stage_id}/{style_id}"
            ) from None

    def _pdf(self, stage_id: str, style_id: str) -> Path:
        key = (stage_id, style_id)
        if key not in self._pdfs:
            if self._dir is None:
                self._dir = tempfile.TemporaryDirectory(prefix="ballot-synth-")
            path = Path(self._dir.name) / f"{stage_id}-{style_id}.pdf"
            write_pdf([self.sheet(stage_id, style_id)[1]], path)
            self._pdfs[key] = path
        return self._pdfs[key]

    def prerender(self, dpis: Sequence[int], stage_id: str | None = None) -> None:
        """Render ahead (e.g. before timing the generator)."""
        for st, style in self.styles:
            if stage_id in (None, st):
                for dpi in dpis:
                    self.render(st, style, dpi)

    def render(self, stage_id: str, style_id: str, dpi: int) -> Template:
        key = (stage_id, style_id, dpi)
        if key in self._renders:
            self._renders.move_to_end(key)
            return self._renders[key]
        stage, sheet = self.sheet(stage_id, style_id)
        image = render_pdf(self._pdf(stage_id, style_id), dpi)[0]
        image.setflags(write=False)
        page = sheet.page
        h, w = image.shape
        tpl = Template(stage, sheet, dpi, image, w / page.width_mm, h / page.height_mm)
        self._renders[key] = tpl
        if len(self._renders) > RENDER_CACHE:
            self._renders.popitem(last=False)
        return tpl


@cache
def demo_templates() -> Templates:
    """The demo election's ballots (sample_ballots/elections/demo-village.yaml)."""
    return Templates(load_election(demo_election_path()))
