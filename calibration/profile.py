"""Calibration profiles: the thresholds vision uses, as data files, never taken from a sheet.

A threshold derived from the sheet itself (the largest jump between box darknesses) reads a
blank ballot as full of marks; ballots are often blank in a contest. So every threshold is
absolute, measured on a corpus with ground truth (see docs/vision.md), and shipped here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from station.errors import StationError


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MarkThresholds(_Model):
    strong_darkness: float = Field(0.16, gt=0, lt=1, description="a stroke reaches this darkness (0 paper, 1 black)")
    weak_darkness: float = Field(0.10, gt=0, lt=1, description="and extends over connected pixels above this")
    faint_darkness: float = Field(0.09, gt=0, lt=1, description="connected ink above this, in an 'empty' box…")
    faint_min_component_mm2: float = Field(1.0, ge=0, description="…in pieces at least this large…")
    faint_max_mm2: float = Field(2.0, ge=0, description="…over this much in all: not empty, a light mark: review")
    min_component_mm2: float = Field(0.25, ge=0, description="smaller ink specks are dust or noise")
    empty_max_mm2: float = Field(0.8, ge=0, description="at most this much ink: definitely empty")
    mark_min_mm2: float = Field(3.0, ge=0, description="at least this much ink to be any mark; between: review")
    filled_min_fill: float = Field(0.55, gt=0, le=1, description="share of the box inked: filled")
    filled_min_solidity: float = Field(0.85, gt=0, le=1, description="ink / its convex hull for a solid fill")
    scribble_min_fill: float = Field(0.30, gt=0, le=1, description="dense ink short of filled: review")
    min_extent_mm: float = Field(3.0, ge=0, description="a mark smaller than this across: review")
    circle_min_hole: float = Field(0.12, gt=0, lt=1, description="enclosed paper / ink bbox for a ring")
    circle_min_hole_mm2: float = Field(1.0, ge=0, description="or this much enclosed paper inside a closed loop")
    circle_min_coverage: float = Field(0.85, gt=0, le=1, description="directions around the centre with ink")
    open_circle_min_coverage: float = Field(0.80, gt=0, le=1, description="coverage for a ring with a gap")
    open_circle_sure_coverage: float = Field(0.9, gt=0, le=1, description="an open ring this complete needs no review")
    cross_min_centre: float = Field(0.06, ge=0, le=1, description="ink in the middle ninth for a ×")
    tick_max_centre: float = Field(0.05, ge=0, le=1, description="a √ or open ring leaves the middle empty")
    tick_max_turn_deg: float = Field(110.0, gt=0, lt=180, description="sharpest turn of a √")
    tick_min_turn_y: float = Field(0.6, ge=0, le=1, description="a √ turns in the bottom part of its ink")


class WriteInThresholds(_Model):
    empty_max_mm2: float = Field(1.5, ge=0, description="at most this much ink: no writing")
    writing_min_mm2: float = Field(6.0, ge=0, description="at least this much: writing; between: review")


class QualityThresholds(_Model):
    blur_min_sharpness: float = Field(0.02, ge=0, description="mean gradient of printed edges below this: blurred")
    too_dark_white: float = Field(90.0, description="paper white level below this (0–255): too dark")
    too_light_black: float = Field(150.0, description="printed black above this: too light / washed out")
    outside_min_mm2: float = Field(4.0, ge=0, description="voter ink outside boxes above this: flag")
    blank_max_ink_share: float = Field(0.002, ge=0, description="a page with less dark share is blank")


class Profile(_Model):
    name: str
    description: str = ""
    marks: MarkThresholds = MarkThresholds()
    write_ins: WriteInThresholds = WriteInThresholds()
    quality: QualityThresholds = QualityThresholds()


def load_profile(name_or_path: str | Path = "scanner") -> Profile:
    """A shipped profile by name (scanner, camera) or a profile file by path."""
    p = Path(name_or_path)
    if p.suffix != ".json":
        p = Path(str(resources.files("calibration").joinpath(f"profiles/{name_or_path}.json")))
    try:
        return Profile.model_validate_json(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StationError(f"找不到校准文件：{p}", f"calibration profile not found: {p}") from None
    except ValueError as err:
        raise StationError(f"校准文件有误 {p}：{err}", f"invalid calibration profile {p}: {err}") from None
