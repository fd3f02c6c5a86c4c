"""Calibration profiles: the thresholds vision uses, as data files, never taken from a sheet.

A threshold derived from the sheet itself (the largest jump between box darknesses) reads a
blank ballot as full of marks; ballots are often blank in a contest. So every threshold is
absolute, measured on a corpus with ground truth (see docs/vision.md), and shipped here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from station.errors import StationError
from vision.mark_rules import NEVER_SETTLED, SETTLEABLE, MarkRule


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MarkThresholds(_Model):
    strong_darkness: float = Field(0.16, gt=0, lt=1, description="a stroke reaches this darkness (0 paper, 1 black)")
    weak_darkness: float = Field(0.10, gt=0, lt=1, description="and extends over connected pixels above this")
    halo_darkness: float = Field(0.35, gt=0, lt=1, description="next to print, only ink darker than this counts")
    print_core_mm: float = Field(0.25, ge=0, description="printed ink grown by this hides voter ink (registration)")
    print_halo_mm: float = Field(0.35, ge=0, description="and by this more is its blurred edge (halo_darkness)")
    faint_darkness: float = Field(0.09, gt=0, lt=1, description="connected ink above this, in an 'empty' box…")
    faint_smooth_mm: float = Field(0.0, ge=0, description="…after smoothing over this (sensor noise averages out)…")
    faint_min_component_mm2: float = Field(1.0, ge=0, description="…in pieces at least this large…")
    faint_max_mm2: float = Field(2.0, ge=0, description="…over this much in all: not empty, a light mark: review")
    min_component_mm2: float = Field(0.25, ge=0, description="smaller ink specks are dust or noise")
    empty_max_mm2: float = Field(0.8, ge=0, description="at most this much ink: definitely empty")
    print_edge_max_mm2: float = Field(
        0.0, ge=0, description="pieces of ink up to this size lying wholly along print are its blurred edge, not ink"
    )
    mark_min_mm2: float = Field(2.0, ge=0, description="at least this much ink to be any mark; between: review")
    vote_min_darkness: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="a ○, × or √ needs ink at least this dark (median voter darkness over the box's ink); "
        "lighter, it is a faint mark (is it a mark at all?) for people. 0: no floor (photos: blur makes "
        "light and faint marks overlap in darkness)",
    )
    mark_min_inside: float = Field(0.005, ge=0, le=1, description="…of which this share of the box inside it")
    filled_min_fill: float = Field(0.6, gt=0, le=1, description="share of the box inked for a fill…")
    filled_min_solidity: float = Field(0.85, gt=0, le=1, description="…as solid ink (ink / its convex hull)")
    scribble_min_fill: float = Field(0.30, gt=0, le=1, description="dense ink short of filled: review")
    min_extent_mm: float = Field(3.0, ge=0, description="a mark smaller than this across: review")
    circle_min_hole_mm2: float = Field(1.0, ge=0, description="enclosed paper (gaps ≤ 1 mm closed) for a ring")
    ring_min_hole_share: float = Field(0.8, gt=0, le=1, description="…most of all enclosed paper (no stroke across)…")
    ring_min_hole_convex: float = Field(0.8, gt=0, le=1, description="…convex (no stroke poking in)…")
    ring_max_inside_mm2: float = Field(0.3, ge=0, description="…and no ink inside it (a dot in a ○)")
    ring_max_stroke_mm: float = Field(3.0, gt=0, description="a ring line wider than any pen's: a scribble")
    ring_textured_stroke_mm: float = Field(1.5, gt=0, description="a ring line wider than this…")
    ring_max_texture_mm2: float = Field(0.02, ge=0, description="…with more paper specks in it…")
    ring_max_roughness: float = Field(1.15, ge=1, description="…or a more ragged outline (outline / hull)…")
    ring_thick_min_hole_mm2: float = Field(2.5, ge=0, description="…or less enclosed paper may be a scribble")
    ring_thick_small_hole_mm2: float = Field(
        8.0, ge=0, description="a wide band around less paper than this must be about as wide all round…"
    )
    ring_min_band_evenness: float = Field(
        0.6, ge=0, le=1, description="…width 10th/90th percentile along it (a scribble around a gap is not)"
    )
    ring_min_on_curve: float = Field(0.9, gt=0, le=1, description="ring in pieces: share of skeleton on the ellipse")
    ring_min_inked: float = Field(0.35, gt=0, le=1, description="…share of the ellipse with ink on it…")
    ring_max_extent_mm: float = Field(
        15.5, gt=0, description="ink spanning more than this (the box's whole region) is no one ○: frame remnants"
    )
    ring_min_inked_quarters: int = Field(
        3, ge=0, le=4, description="…in this many quarters of its outline (a ○ is seen all round, print lines are not)"
    )
    ring_max_paper: float = Field(0.35, ge=0, le=1, description="…share of the ellipse over bare paper…")
    ring_max_gap: float = Field(0.22, ge=0, le=1, description="…its longest bare-paper run…")
    ring_pieces_min_axis_mm: float = Field(3.5, ge=0, description="…shortest semi-axis (it reaches the frame)…")
    ring_pieces_min_aspect: float = Field(0.6, gt=0, le=1, description="…and short / long axis")
    ring_min_smooth_deg: float = Field(125.0, gt=0, le=180, description="a ring has no sharp corner (180 = straight)")
    open_ring_min_turn_deg: float = Field(230.0, gt=0, description="an open ring's stroke turns this far…")
    open_ring_min_smooth_deg: float = Field(90.0, gt=0, le=180, description="…with no corner sharper than this")
    cross_min_arm_mm: float = Field(1.5, ge=0, description="the shortest of a ×'s four arms")
    cross_min_straight_deg: float = Field(140.0, gt=0, le=180, description="each × stroke, arm to arm")
    cross_min_centre: float = Field(0.06, ge=0, le=1, description="ink in the middle ninth for a ×")
    cross_max_off_diagonal_deg: float = Field(32.0, ge=0, le=45, description="× strokes: at most this far from 45°")
    cross_max_beside_print: float = Field(0.8, ge=0, le=1, description="share of a × arm within 0.5 mm of print")
    stroke_max_texture_mm2: float = Field(0.1, ge=0, description="paper specks enclosed in a × or √: at most")
    stroke_min_inside_share: float = Field(0.5, ge=0, le=1, description="a × or √ lies mostly inside its box")
    cross_max_solidity: float = Field(0.8, gt=0, le=1, description="ink / its convex hull: a × is no blot")
    cross_wide_stroke_mm: float = Field(1.5, ge=0, description="a × drawn wider than this (a felt tip)…")
    cross_min_evenness: float = Field(
        0.2, ge=0, le=1, description="…is about as wide along its strokes (a scribbled-over × is a blob with arms)"
    )
    fat_cross_min_stroke_mm: float = Field(
        1.5, gt=0, description="a × this wide (a felt tip) whose skeleton shows no four arms is read from its outline"
    )
    fat_cross_min_opposite_deg: float = Field(
        150.0, ge=0, le=180, description="…four lobes, each pair of opposite tips in line within this angle…"
    )
    fat_cross_max_valley: float = Field(
        0.55, gt=0, le=1, description="…with the notches between them at most this far out (share of the mark's reach)…"
    )
    fat_cross_min_evenness: float = Field(
        0.5, ge=0, le=1, description="…and strokes this even (band evenness); a wide × beyond both is a blot with arms"
    )
    tick_max_turn_deg: float = Field(115.0, gt=0, lt=180, description="sharpest turn of a √")
    tick_min_turn_y: float = Field(0.6, ge=0, le=1, description="a √ turns in the bottom part of its ink")
    tick_max_total_turn_deg: float = Field(170.0, gt=0, description="a √ is no curl")
    tick_max_curl_deg: float = Field(
        180.0, gt=0, description="a √'s turning either way besides its corner's (its strokes are nearly straight)"
    )
    tick_max_beside_print: float = Field(
        0.8, ge=0, le=1, description="share of a √ stroke within 0.5 mm of print (a frame's corner left over)"
    )


class WriteInThresholds(_Model):
    empty_max_mm2: float = Field(1.5, ge=0, description="at most this much ink: no writing")
    writing_min_mm2: float = Field(6.0, ge=0, description="at least this much: writing; between: review")


class QualityThresholds(_Model):
    scanner_glass: bool = Field(
        True,
        description="look for streaks from a dirty scanner glass and correct them (a camera has no glass: "
        "its frames' column levels vary with the table and the page's edges, which would read as streaks)",
    )
    blur_max_mm: float = Field(0.3, gt=0, description="print blurred more than this (Gaussian σ, mm): blurred")
    too_dark_white: float = Field(90.0, description="paper white level below this (0–255): too dark")
    too_light_black: float = Field(150.0, description="solid print lighter than this (0–255 of paper): washed out")
    outside_darkness: float = Field(
        0.12,
        gt=0,
        lt=1,
        description="outside the boxes: darker than print explains by this at 2 px/mm → judged at full resolution",
    )
    outside_min_mm2: float = Field(1.0, ge=0, description="voter ink outside boxes (full resolution) above this: flag")
    blank_max_ink_share: float = Field(0.002, ge=0, description="a page with less dark share is blank")


class IdentityThresholds(_Model):
    """Identifying a ballot by matching its QR code against the election's own codes, when
    it cannot be decoded (vision.identify)."""

    qr_match_max_misfit: float = Field(
        3.8, gt=0, description="best code's rms difference over the fiducial's fit residual: at most this"
    )
    qr_match_min_margin: float = Field(1.8, gt=1, description="second best code's rms over the best's: at least this")
    min_noise: float = Field(2.0, gt=0, description="floor of the fiducial residual (grey levels)")


class SecondOpinion(_Model):
    """The learned second opinion on a mark (vision.shape_model): where it may overrule the
    shape rules. It can always send a box to people; it decides a class only as allowed here.
    The defaults are the shipped profiles' values (a custom profile that leaves this section
    out keeps every guard)."""

    use: bool = Field(True, description="ask the shape model at all (false: the shape rules alone)")
    veto_max: float = Field(
        0.2, ge=0, le=1, description="a class the rules call definite, given at most this probability: review"
    )
    veto_blob_max: float = Field(
        0.35,
        ge=0,
        le=1,
        description="a vote (○ × √) the rules read, given at most this on average while the model's likeliest "
        "class is filled: review (a scribbled blob read as a vote: scan 83,001,124, √ 0.25, filled 0.55)",
    )
    decide_min: float = Field(
        0.9, ge=0, le=1, description="where the rules are unclear (below), a class every member gives this: taken"
    )
    decide_rules: tuple[MarkRule, ...] = Field(
        (MarkRule.NO_SHAPE, MarkRule.TINY, MarkRule.BESIDE, MarkRule.DENSE),
        description="the rules' unclear verdicts the model may settle (vision.marks.Verdict.rule): "
        f"any of {', '.join(SETTLEABLE)}; 'tiny' only as empty, 'beside' only as empty (or ○ when the ink "
        f"goes round the box), 'dense' only as filled, × or ○; never {' or '.join(NEVER_SETTLED)}",
    )
    decide_mean_vote: float = Field(
        0.96,
        ge=0,
        le=1,
        description="a vote (○ × √) the model settles needs, besides every member's decide_min, the members' "
        "mean at least this: a doubtful mark counted is the costly error",
    )
    decide_min_darkness: float = Field(
        0.18,  # above the corpus's faint marks (peak darkening ≤ 0.15) with a margin
        ge=0,
        le=1,
        description="a class other than empty that the model settles needs ink at least this dark (median voter "
        "darkness over the box's ink): a faint mark, is it a mark at all?, is for people. In photos it also holds "
        "back clear marks that blur made light; 0.12 there let the model settle faint marks as votes "
        "(docs/vision.md, step 9)",
    )

    @field_validator("decide_rules", mode="before")
    @classmethod
    def _known_rules(cls, rules: tuple[str, ...]) -> tuple[str, ...]:
        for rule in rules:
            if rule in NEVER_SETTLED:
                raise ValueError(f"'{rule}' may never be settled by the shape model")
            if rule not in SETTLEABLE:
                raise ValueError(f"unknown rule '{rule}' (known: {', '.join(SETTLEABLE)})")
        return rules


class Profile(_Model):
    name: str
    description: str = ""
    marks: MarkThresholds = MarkThresholds()
    write_ins: WriteInThresholds = WriteInThresholds()
    quality: QualityThresholds = QualityThresholds()
    identity: IdentityThresholds = IdentityThresholds()
    second_opinion: SecondOpinion = SecondOpinion()


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
