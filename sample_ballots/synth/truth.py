"""Ground truth of a synthetic ballot: what was drawn in every box, and how it was imaged.

A benchmark compares a reading with this truth. The rule it serves: a box whose truth is
not `ambiguous` must be read as its `truth_class` or sent to review; any other definite
class is a misread (a defect). A box that *is* `ambiguous` holds a mark a careful person
would not call either way (a correction, a circle over a cross, a half-drawn or very faint
mark): review is the right answer there, and a definite reading is reported, not failed.

The homography maps page millimetres (origin top-left, x right, y down) to image pixel
coordinates in OpenCV's convention: the centre of pixel (row i, column j) is (x=j, y=i).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from station.layout import Rect
from vision.reading import MarkClass

TRUTH_FORMAT = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MarkKind(StrEnum):
    """The shape drawn in a mark box. Its class and ambiguity are fixed by MARK_TRUTH."""

    NONE = "none"
    CIRCLE = "circle"
    CIRCLE_GAP = "circle_gap"  # not closed: up to ~70° open
    CIRCLE_OVAL = "circle_oval"
    CIRCLE_DOUBLE = "circle_double"  # two loops
    CIRCLE_SMALL = "circle_small"
    CIRCLE_LARGE = "circle_large"  # crosses the printed border
    CIRCLE_WOBBLY = "circle_wobbly"
    CIRCLE_HESITANT = "circle_hesitant"  # drawn in two or three arcs with restarts
    CROSS = "cross"
    CROSS_TAIL = "cross_tail"  # one stroke runs on well past the box
    CROSS_ASYMMETRIC = "cross_asymmetric"
    TICK = "tick"
    FILL = "fill"  # solid fill of the box
    FILL_PARTIAL = "fill_partial"  # solid fill of half to three quarters of the box
    SCRIBBLE = "scribble"  # loops covering most of the box
    # Genuinely doubtful: people decide.
    CORRECTION = "correction"  # a circle or cross, then scribbled over
    CIRCLE_AND_CROSS = "circle_and_cross"
    HALF_CIRCLE = "half_circle"  # a third to half of a circle
    SINGLE_STROKE = "single_stroke"  # one slash: half a cross, or a slip
    DOT = "dot"  # the pen rested on the paper


MARK_TRUTH: dict[MarkKind, tuple[MarkClass, bool]] = {
    MarkKind.NONE: (MarkClass.EMPTY, False),
    MarkKind.CIRCLE: (MarkClass.CIRCLE, False),
    MarkKind.CIRCLE_GAP: (MarkClass.CIRCLE, False),
    MarkKind.CIRCLE_OVAL: (MarkClass.CIRCLE, False),
    MarkKind.CIRCLE_DOUBLE: (MarkClass.CIRCLE, False),
    MarkKind.CIRCLE_SMALL: (MarkClass.CIRCLE, False),
    MarkKind.CIRCLE_LARGE: (MarkClass.CIRCLE, False),
    MarkKind.CIRCLE_WOBBLY: (MarkClass.CIRCLE, False),
    MarkKind.CIRCLE_HESITANT: (MarkClass.CIRCLE, False),
    MarkKind.CROSS: (MarkClass.CROSS, False),
    MarkKind.CROSS_TAIL: (MarkClass.CROSS, False),
    MarkKind.CROSS_ASYMMETRIC: (MarkClass.CROSS, False),
    MarkKind.TICK: (MarkClass.TICK, False),
    MarkKind.FILL: (MarkClass.FILLED, False),
    MarkKind.FILL_PARTIAL: (MarkClass.FILLED, False),
    MarkKind.SCRIBBLE: (MarkClass.FILLED, False),
    MarkKind.CORRECTION: (MarkClass.UNCLEAR, True),
    MarkKind.CIRCLE_AND_CROSS: (MarkClass.UNCLEAR, True),
    MarkKind.HALF_CIRCLE: (MarkClass.UNCLEAR, True),
    MarkKind.SINGLE_STROKE: (MarkClass.UNCLEAR, True),
    MarkKind.DOT: (MarkClass.UNCLEAR, True),
}

CIRCLE_KINDS = tuple(k for k, (c, _) in MARK_TRUTH.items() if c is MarkClass.CIRCLE)
CROSS_KINDS = tuple(k for k, (c, _) in MARK_TRUTH.items() if c is MarkClass.CROSS)
FILL_KINDS = tuple(k for k, (c, _) in MARK_TRUTH.items() if c is MarkClass.FILLED)
AMBIGUOUS_KINDS = tuple(k for k, (_, amb) in MARK_TRUTH.items() if amb)
CLEAR_KINDS = tuple(k for k, (_, amb) in MARK_TRUTH.items() if k is not MarkKind.NONE and not amb)


class Strength(StrEnum):
    """How hard the pen was pressed. `faint` marks are ambiguous whatever their shape."""

    NORMAL = "normal"
    LIGHT = "light"  # clearly visible, lighter than usual (contrast ≥ 0.3)
    FAINT = "faint"  # barely there (contrast ≤ 0.15): is it a mark at all?


class WriteKind(StrEnum):
    NONE = "none"
    NAME = "name"  # 2–4 handwritten pseudo-characters
    FAINT_NAME = "faint_name"  # ambiguous: is anything written?
    STRAY_STROKE = "stray_stroke"  # ambiguous: one short stroke, not a name


WRITE_TRUTH: dict[WriteKind, tuple[bool, bool]] = {  # kind → (has_writing, ambiguous)
    WriteKind.NONE: (False, False),
    WriteKind.NAME: (True, False),
    WriteKind.FAINT_NAME: (True, True),
    WriteKind.STRAY_STROKE: (True, True),
}


class StrayKind(StrEnum):
    """Ink outside every box and write-in area (a ballot so marked may be void: people decide)."""

    DOODLE = "doodle"
    UNDERLINE_NAME = "underline_name"  # a line under a printed candidate name
    CIRCLE_NAME = "circle_name"  # the printed name circled instead of the box
    TICK_BESIDE_NAME = "tick_beside_name"
    INITIALS = "initials"  # a few handwritten characters in a margin


class FillPolicy(StrEnum):
    NORMAL = "normal"  # a valid ballot as a voter following the instructions fills it in
    BLANK = "blank"  # no ink at all (valid: an abstention on every name)
    OVERFILLED = "overfilled"  # more choices than allowed in a contest (or two grades for one person)


class PenKind(StrEnum):
    BALLPOINT = "ballpoint"
    GEL = "gel"
    PENCIL = "pencil"
    MARKER = "marker"


class InkColour(StrEnum):
    BLUE = "blue"
    BLACK = "black"
    GRAPHITE = "graphite"


# --- the truth of one ballot ------------------------------------------------------------------


class MarkTruth(_Model):
    id: str = Field(description="The layout box id.")
    truth_class: MarkClass
    ambiguous: bool
    kind: MarkKind
    strength: Strength = Strength.NORMAL
    contrast: float = Field(0.0, ge=0, le=1, description="Peak darkening of the paper by the ink (0 = none).")


class WriteInTruth(_Model):
    id: str = Field(description="The layout write-in area id.")
    has_writing: bool
    ambiguous: bool
    kind: WriteKind


class StrayTruth(_Model):
    kind: StrayKind
    rect: Rect = Field(description="Bounding box of the ink in page mm.")


class PenTruth(_Model):
    kind: PenKind
    colour: InkColour
    width_mm: float
    darkness: float = Field(description="Peak ink coverage at full pressure (0–1).")


class FillMix(_Model):
    """How often each kind of ballot occurs (per ballot probabilities)."""

    blank: float = Field(0.04, ge=0, le=1)
    overfilled: float = Field(0.04, ge=0, le=1)
    ambiguous: float = Field(0.05, ge=0, le=1, description="Ballots with one or two doubtful marks.")
    stray: float = Field(0.05, ge=0, le=1, description="Ballots with ink outside the boxes.")
    light_hand: float = Field(0.10, ge=0, le=1, description="Voters who press lightly throughout.")

    @model_validator(mode="after")
    def _odds(self) -> FillMix:
        if self.blank + self.overfilled > 1:
            raise ValueError("blank + overfilled must not exceed 1")
        return self

    @classmethod
    def clean(cls) -> FillMix:
        """Only clear intent: no doubtful marks, no stray ink (blank and overfilled ballots stay)."""
        return cls(ambiguous=0.0, stray=0.0)


# The corpus's own mix, or one where every ballot holds doubtful marks and half hold ink
# outside the boxes: what people must see, in quantity.
MIXES = {"corpus": FillMix(), "doubtful": FillMix(ambiguous=1.0, stray=0.5)}


class Severity(StrEnum):
    NONE = "none"  # an ideal image: no skew, noise or blur (orientation 0)
    MILD = "mild"  # small skew and noise, no streaks or bleed-through
    FULL = "full"  # every degradation in its full range


class Streak(_Model):
    x_px: float = Field(description="Column of the streak's centre in the image.")
    width_px: float
    delta: float = Field(description="Brightness change, fraction of the paper white (− darker).")


class ScannerParams(_Model):
    profile: Literal["scanner"] = "scanner"
    dpi: int = Field(ge=100, le=600)
    colour: bool = False
    scale: float = Field(description="Scanner scale error (1 = exact).")
    skew_deg: float
    orientation: int = Field(description="Clockwise rotation of the page in the image: 0/90/180/270.")
    margin_mm: tuple[float, float, float, float] = Field(description="Scanner bed around the page: l, t, r, b.")
    background: int = Field(ge=0, le=255, description="Lid or backing grey level outside the page.")
    paper_bgr: tuple[float, float, float] = Field(description="Paper reflectance per channel.")
    toner: float = Field(description="Reflectance of printed black.")
    mottle: float = Field(description="Amplitude of the paper's low-frequency texture.")
    bleed: float = Field(description="Show-through of the back side (0 = none).")
    bleed_style: str | None = Field(None, description="Stage/style printed on the back.")
    blur_sigma_px: float
    streaks: list[Streak] = []
    noise_sigma: float = Field(description="Grey levels (0–255).")
    gain: float = Field(description="Exposure: output = gain·input + offset.")
    offset: float
    jpeg_quality: int | None = Field(None, description="None: lossless (PNG).")


class CameraParams(_Model):
    profile: Literal["camera"] = "camera"
    frame: tuple[int, int] = Field(description="Frame width, height in px.")
    hfov_deg: float = Field(description="Horizontal field of view of the lens.")
    tilt_deg: float = Field(description="Angle between the page normal and the optical axis.")
    tilt_axis_deg: float = Field(description="Direction of the tilt axis in the page plane.")
    roll_deg: float = Field(description="In-plane rotation added to the orientation.")
    orientation: int = Field(description="Clockwise rotation of the page in the frame: 0/90/180/270.")
    fill: float = Field(description="Fraction of the frame the page spans in its tightest dimension.")
    place: tuple[float, float] = Field(description="Where the page sits in the free space of the frame (0–1).")
    source_dpi: int = Field(0, description="Resolution the page was rendered at before projection.")
    min_px_per_mm: float = Field(0.0, description="Smallest scale of the projected page (its far side).")
    max_px_per_mm: float = Field(0.0, description="Largest scale of the projected page (its near side).")
    paper_bgr: tuple[float, float, float]
    toner: float
    mottle: float
    table_bgr: tuple[float, float, float]
    table_grain: float
    exposure: float
    light_gradient: tuple[float, float] = Field(description="Relative brightness change across x and y.")
    vignette: float
    shadow: float = Field(description="Darkening at the middle of a soft shadow (0 = none).")
    shadow_ellipse: tuple[float, float, float, float, float] = Field(
        (0.0, 0.0, 0.0, 0.0, 0.0), description="Shadow centre x, y and radii (frame fractions), angle (°)."
    )
    white_balance_bgr: tuple[float, float, float]
    motion_px: float
    motion_angle_deg: float
    focus_sigma_px: float
    noise_sigma: float
    jpeg_quality: int | None


ImagingParams = Annotated[ScannerParams | CameraParams, Field(discriminator="profile")]


class ImageTruth(_Model):
    width: int
    height: int
    channels: int = Field(description="1 = grey, 3 = BGR.")
    encoding: Literal["png", "jpeg"]
    homography: list[list[float]] = Field(description="3×3, page mm → image px (pixel centres at integers).")
    orientation: int


class BallotTruth(_Model):
    format: int = TRUTH_FORMAT
    file: str | None = Field(None, description="The image file, relative to the truth file (corpus on disk).")
    seed: int
    election_id: str
    stage_id: str
    stage_kind: str
    style_id: str
    page: int = 1
    layout_hash: str
    policy: FillPolicy
    overfilled_contests: list[str] = Field(description="Contests (or grade rows) with too many choices.")
    pen: PenTruth
    boxes: list[MarkTruth] = Field(description="Every mark box of the layout, in layout order.")
    write_ins: list[WriteInTruth] = Field(description="Every write-in area of the layout, in layout order.")
    stray_marks: list[StrayTruth]
    has_stray_marks: bool
    review_expected: bool = Field(
        description="A reader should send this ballot to people: a doubtful mark or ink outside the boxes."
    )
    mix: FillMix
    severity: Severity
    image: ImageTruth
    imaging: ImagingParams

    @model_validator(mode="after")
    def _consistent(self) -> BallotTruth:
        expected = expects_review(self.boxes, self.write_ins, self.stray_marks)
        if self.has_stray_marks != bool(self.stray_marks) or self.review_expected != expected:
            raise ValueError("has_stray_marks / review_expected disagree with the boxes and stray marks")
        return self


def expects_review(boxes: list[MarkTruth], write_ins: list[WriteInTruth], strays: list[StrayTruth]) -> bool:
    return any(b.ambiguous for b in boxes) or any(w.ambiguous for w in write_ins) or bool(strays)
