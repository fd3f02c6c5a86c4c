"""Generate a filled, imaged ballot and its truth from a seed; write a corpus to disk.

    ballot = generate_ballot("scanner", seed=7)          # in memory, nothing on disk
    ballot.image, ballot.truth, ballot.homography, ballot.layout

The seed decides everything. It is split into independent streams: the voter (which
stage, which marks), the hand (the shapes of the strokes), the ink texture, and the
imaging; so the same seed gives the same marks, stroke for stroke, whether the ballot is
scanned at 150 dpi or photographed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TextIO

import cv2
import numpy as np

from sample_ballots.synth import camera, ink, paper, scanner, strays, writing
from sample_ballots.synth.fill import FillPlan, plan_ballot
from sample_ballots.synth.hand import Hand, Stroke, sample_hand
from sample_ballots.synth.marks import draw_mark
from sample_ballots.synth.pens import full_contrast, sample_pen, strength_factor
from sample_ballots.synth.templates import Templates, demo_templates
from sample_ballots.synth.truth import (
    MARK_TRUTH,
    WRITE_TRUTH,
    BallotTruth,
    CameraParams,
    FillMix,
    ImageTruth,
    MarkKind,
    MarkTruth,
    PenTruth,
    ScannerParams,
    Severity,
    StrayTruth,
    Strength,
    WriteInTruth,
    WriteKind,
    expects_review,
)
from station.errors import OutputError, cannot_write
from station.layout import BallotLayout, BoxKind, LayoutBox
from vision.reading import MarkClass

TRUTH_FILE = "truth.jsonl"
SPILL_CLEARANCE_MM = 0.5  # ink of one box keeps this far from every other box
REDRAWS = 20


class Profile(StrEnum):
    SCANNER = "scanner"
    CAMERA = "camera"


@dataclass(frozen=True)
class SynthBallot:
    image: np.ndarray  # grey (H, W) or BGR (H, W, 3) uint8, exactly what a file of it decodes to
    truth: BallotTruth
    homography: np.ndarray  # 3×3, page mm → image px
    layout: BallotLayout
    encoded: bytes | None  # the JPEG file when the profile produced JPEG, else None (PNG)

    @property
    def file_ext(self) -> str:
        return "jpg" if self.encoded is not None else "png"

    def file_bytes(self) -> bytes:
        if self.encoded is not None:
            return self.encoded
        # scans are noisy: string matching finds little, Huffman coding alone is 2–3× faster and smaller
        ok, buf = cv2.imencode(".png", self.image, [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_STRATEGY,
                                                    cv2.IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY])
        if not ok:
            raise RuntimeError("PNG encoding failed")
        return buf.tobytes()


@dataclass(frozen=True)
class _Ink:
    strokes: list[Stroke]
    factor: float


def _centred(strokes: list[Stroke], box: LayoutBox) -> list[Stroke]:
    return [s.shifted(box.rect.cx, box.rect.cy) for s in strokes]


def _mark(rng: np.random.Generator, hand: Hand, kind: MarkKind, box: LayoutBox, pen_width: float) -> list[Stroke]:
    return _centred(draw_mark(rng, hand, kind, min(box.rect.w_mm, box.rect.h_mm) / 2, pen_width), box)


def _write(rng: np.random.Generator, hand: Hand, kind: WriteKind, box: LayoutBox) -> list[Stroke]:
    r = box.rect
    if kind is WriteKind.STRAY_STROKE:
        return _centred(writing.short_stroke(rng, hand, r.w_mm, r.h_mm), box)
    return _centred(writing.name(rng, hand, r.w_mm * 0.92, r.h_mm * 0.85), box)


def _spills(strokes: list[Stroke], own: LayoutBox, layout: BallotLayout, pen: PenTruth) -> bool:
    """Does any of this ink reach into another box or write-in area?"""
    pts = np.concatenate([s.points for s in strokes])
    r = pen.width_mm / 2 + SPILL_CLEARANCE_MM
    (x0, y0), (x1, y1) = pts.min(axis=0) - r, pts.max(axis=0) + r
    for b in layout.boxes:
        k = b.rect
        if b.id == own.id or k.x_mm > x1 or k.x_mm + k.w_mm < x0 or k.y_mm > y1 or k.y_mm + k.h_mm < y0:
            continue
        inside = ((pts[:, 0] > k.x_mm - r) & (pts[:, 0] < k.x_mm + k.w_mm + r)
                  & (pts[:, 1] > k.y_mm - r) & (pts[:, 1] < k.y_mm + k.h_mm + r))
        if inside.any():
            return True
    return False


def _contained(draw: Callable[[], list[Stroke]], own: LayoutBox, layout: BallotLayout, pen: PenTruth) -> list[Stroke]:
    """Draw until the ink keeps out of every other box: a mark running into its neighbour
    would make the neighbour's truth ('empty') false."""
    for _ in range(REDRAWS):
        strokes = draw()
        if not strokes or not _spills(strokes, own, layout, pen):
            return strokes
    raise RuntimeError(f"{own.id}: no drawing in {REDRAWS} tries keeps out of the neighbouring boxes")


def _check_plan(plan: FillPlan, layout: BallotLayout) -> None:
    kinds = {b.id: b.kind for b in layout.boxes}
    for box_id, want in [(m.box_id, BoxKind.MARK) for m in plan.marks] + [
        (w.box_id, BoxKind.WRITE_IN) for w in plan.write_ins
    ]:
        if kinds.get(box_id) is not want:
            raise ValueError(f"plan: {box_id!r} is not a {want.value} box of {layout.stage_id}/{layout.style_id}")


def generate_ballot(
    profile: Profile | str,
    seed: int,
    *,
    stage: str | None = None,
    style: str | None = None,
    templates: Templates | None = None,
    severity: Severity | str = Severity.FULL,
    dpi: int | None = None,
    colour: bool = False,
    mix: FillMix | None = None,
    plan: FillPlan | None = None,
    pen: PenTruth | None = None,
    imaging: ScannerParams | CameraParams | None = None,
) -> SynthBallot:
    """One filled and imaged ballot, a pure function of its arguments.

    stage/style: which ballot (default: drawn from the seed). dpi: scanner resolution
    (default: drawn from 150–300). colour: BGR scans (camera frames are always BGR).
    plan/pen/imaging: fix what would otherwise be drawn (e.g. one mark kind in one box, or
    an orientation: `scanner.sample(...).model_copy(update={"orientation": 90})`).
    """
    profile = Profile(profile)
    severity = Severity(severity)
    mix = mix or FillMix()
    templates = templates or demo_templates()
    voter, hand_rng, texture, imaging_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4))

    stage_id = stage or str(voter.choice(sorted({st for st, _ in templates.styles})))
    styles = templates.styles_of(stage_id)
    style_id = style or str(styles[int(voter.integers(len(styles)))])
    stage_obj, sheet = templates.sheet(stage_id, style_id)
    layout = sheet.layout
    page_mm = (sheet.page.width_mm, sheet.page.height_mm)
    plan = plan or plan_ballot(voter, stage_obj, layout, mix)
    _check_plan(plan, layout)

    # what the voter drew, in page mm (independent of how it is imaged)
    pen = pen or sample_pen(hand_rng)
    hand = sample_hand(hand_rng)
    inks: list[_Ink] = []
    mark_truth: dict[str, MarkTruth] = {}
    for m in plan.marks:
        box = layout.box(m.box_id)
        factor = strength_factor(hand_rng, pen, m.strength)
        strokes = _contained(partial(_mark, hand_rng, hand, m.kind, box, pen.width_mm), box, layout, pen)
        inks.append(_Ink(strokes, factor))
        truth_class, ambiguous = MARK_TRUTH[m.kind]
        mark_truth[m.box_id] = MarkTruth(
            id=m.box_id, truth_class=truth_class, ambiguous=ambiguous or m.strength is Strength.FAINT, kind=m.kind,
            strength=m.strength, contrast=round(full_contrast(pen) * factor, 3),
        )
    write_truth: dict[str, WriteInTruth] = {}
    for w in plan.write_ins:
        factor = strength_factor(hand_rng, pen, Strength.FAINT if w.kind is WriteKind.FAINT_NAME else Strength.NORMAL)
        area = layout.box(w.box_id)
        inks.append(_Ink(_contained(partial(_write, hand_rng, hand, w.kind, area), area, layout, pen), factor))
        has_writing, ambiguous = WRITE_TRUTH[w.kind]
        write_truth[w.box_id] = WriteInTruth(id=w.box_id, has_writing=has_writing, ambiguous=ambiguous, kind=w.kind)
    stray_truth: list[StrayTruth] = []
    for kind in plan.strays:
        placed = strays.place(hand_rng, hand, sheet, kind, pen.width_mm)
        if placed:
            inks.append(_Ink(placed.strokes, 1.0))
            stray_truth.append(StrayTruth(kind=placed.kind, rect=placed.rect))

    # the paper, the ink on it, and the picture of it
    if imaging is None:
        imaging = (scanner.sample(imaging_rng, *page_mm, severity, dpi=dpi, colour=colour)
                   if profile is Profile.SCANNER else camera.sample(imaging_rng, *page_mm, severity))
    back = None
    if isinstance(imaging, ScannerParams):
        source_dpi, channels = imaging.dpi, 3 if imaging.colour else 1
        if imaging.bleed > 0:
            if imaging.bleed_style is None:
                others = [s for s in templates.styles if s != (stage_id, style_id)] or templates.styles
                imaging = imaging.model_copy(update={"bleed_style": "/".join(others[int(imaging_rng.integers(
                    len(others)))])})
            back = templates.render(*imaging.bleed_style.split("/"), source_dpi).image  # type: ignore[union-attr]
    else:
        source_dpi, channels = imaging.source_dpi, 3
    tpl = templates.render(stage_id, style_id, source_dpi)
    if back is not None and back.shape != tpl.image.shape:
        back = cv2.resize(back, tpl.image.shape[::-1], interpolation=cv2.INTER_AREA)
    sheet_img = paper.print_page(imaging_rng, tpl.image, channels, imaging.paper_bgr, imaging.toner, imaging.mottle,
                                 back, getattr(imaging, "bleed", 0.0))
    page = ink.Page(sheet_img, tpl.sx, tpl.sy)
    for i in inks:
        ink.draw(page, i.strokes, pen, texture, i.factor)
    capture = scanner.capture if isinstance(imaging, ScannerParams) else camera.capture
    image, hom, encoded = capture(page.image, tpl.sx, tpl.sy, imaging, imaging_rng)  # type: ignore[arg-type]

    boxes = [mark_truth.get(b.id) or MarkTruth(id=b.id, truth_class=MarkClass.EMPTY, ambiguous=False,
                                               kind=MarkKind.NONE)
             for b in layout.boxes if b.kind is BoxKind.MARK]
    areas = [write_truth.get(b.id) or WriteInTruth(id=b.id, has_writing=False, ambiguous=False, kind=WriteKind.NONE)
             for b in layout.boxes if b.kind is BoxKind.WRITE_IN]
    truth = BallotTruth(
        seed=seed, election_id=layout.election_id, stage_id=stage_id, stage_kind=stage_obj.kind.value,
        style_id=style_id, layout_hash=layout.layout_hash, policy=plan.policy,
        overfilled_contests=plan.overfilled_contests, pen=pen, boxes=boxes, write_ins=areas,
        stray_marks=stray_truth, has_stray_marks=bool(stray_truth),
        review_expected=expects_review(boxes, areas, stray_truth), mix=mix, severity=severity,
        image=ImageTruth(width=image.shape[1], height=image.shape[0], channels=1 if image.ndim == 2 else 3,
                         encoding="jpeg" if encoded is not None else "png",
                         homography=[[float(v) for v in row] for row in hom], orientation=imaging.orientation),
        imaging=imaging,
    )
    return SynthBallot(image=image, truth=truth, homography=hom, layout=layout, encoded=encoded)


def iter_corpus(profile: Profile | str, count: int, seed: int, **kwargs: object) -> Iterator[SynthBallot]:
    """Ballots for seeds seed, seed+1, …: a ballot is the same whatever corpus it is part of."""
    for s in range(seed, seed + count):
        yield generate_ballot(profile, s, **kwargs)  # type: ignore[arg-type]


class CorpusWriter:
    """Images and one truth line per image in a folder: `with CorpusWriter(out) as w: w.add(b)`."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._truth: TextIO | None = None

    def __enter__(self) -> CorpusWriter:
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            self._truth = (self.out / TRUTH_FILE).open("w", encoding="utf-8")
        except OSError as err:
            raise OutputError(f"无法写入语料文件夹 {self.out}：{err.strerror}",
                              f"cannot write the corpus folder {self.out}: {err.strerror}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._truth:
            self._truth.close()

    def add(self, ballot: SynthBallot) -> Path:
        assert self._truth is not None, "use CorpusWriter in a with block"
        path = self.out / f"{ballot.truth.imaging.profile}-{ballot.truth.seed:07d}.{ballot.file_ext}"
        try:
            path.write_bytes(ballot.file_bytes())
            self._truth.write(ballot.truth.model_copy(update={"file": path.name}).model_dump_json() + "\n")
        except OSError as err:
            raise cannot_write(path, err) from None
        return path


def read_truth(path: Path) -> list[BallotTruth]:
    """The truths of a corpus on disk (one JSON object per line)."""
    with path.open(encoding="utf-8") as f:
        return [BallotTruth.model_validate_json(line) for line in f if line.strip()]
