"""What vision says about one imaged page: a tagged union of outcomes, never a loose dict.

This is the contract between `vision/` (which produces it) and the rules and the station
(which consume it). `ballot-station read --json` prints one `PageReading` per line.
Box ids are the layout file's ids; nothing here knows what a box means for the count.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from station.layout import QrIdentity

READING_FORMAT = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class MarkClass(StrEnum):
    EMPTY = "empty"
    FILLED = "filled"  # a solid fill or a scribble covering most of the box
    TICK = "tick"  # √
    CROSS = "cross"  # ×
    CIRCLE = "circle"  # ○
    UNCLEAR = "unclear"  # ink that is none of the above for sure: people decide


# The drawn symbols: a definite reading of one of these counts (for or against, by the
# ballot's policy), so a doubtful mark must never be read as one.
SYMBOLS = frozenset({MarkClass.TICK, MarkClass.CROSS, MarkClass.CIRCLE})


class BoxReading(_Model):
    id: str
    mark_class: MarkClass = Field(alias="class")
    score: float = Field(description="Ink not in the blank template, over the box area (0–1).")
    confidence: float = Field(ge=0, le=1)
    decided_by: Literal["rules", "shape_model"] = Field(
        "rules",
        description="Who gave the class: the shape rules, or the learned shape model where the rules were unclear "
        "(vision.shape_model; its reason is in `basis`).",
    )
    basis: str = Field("", description="Why the shape model's class was taken (empty when the rules decided).")


class WriteInReading(_Model):
    id: str
    ink: float = Field(description="Ink not in the blank template, over the area (0–1).")
    has_writing: bool | None = Field(description="None when unsure: people look.")


class QualityFlag(StrEnum):
    BLUR = "blur"
    STREAKS = "streaks"
    TOO_DARK = "too_dark"
    TOO_LIGHT = "too_light"
    PARTIAL_PAGE = "partial_page"
    MARKS_OUTSIDE_BOXES = "marks_outside_boxes"  # may make the ballot void: scrutineers decide
    FIDUCIAL_COVERED = "fiducial_covered"
    # The QR code could not be decoded; the ballot was identified by matching the election's
    # own QR codes against the image (one matched clearly, no other came close).
    QR_MATCHED = "qr_matched"


class ReviewCode(StrEnum):
    UNCLEAR_MARK = "unclear_mark"
    MARGINAL_MARK = "marginal_mark"
    UNCLEAR_WRITE_IN = "unclear_write_in"
    MARKS_OUTSIDE_BOXES = "marks_outside_boxes"
    POOR_IMAGE = "poor_image"


class ReviewReason(_Model):
    code: ReviewCode
    box_id: str | None = None
    zh: str
    en: str


class Interpreted(_Model):
    outcome: Literal["interpreted"] = "interpreted"
    identity: QrIdentity
    boxes: list[BoxReading]
    write_ins: list[WriteInReading]
    quality: list[QualityFlag] = []


class NeedsReview(_Model):
    outcome: Literal["needs_review"] = "needs_review"
    identity: QrIdentity
    boxes: list[BoxReading]
    write_ins: list[WriteInReading]
    quality: list[QualityFlag] = []
    reasons: list[ReviewReason] = Field(min_length=1)


class BlankPage(_Model):
    outcome: Literal["blank_page"] = "blank_page"


class NotABallot(_Model):
    outcome: Literal["not_a_ballot"] = "not_a_ballot"
    zh: str
    en: str


class WrongElection(_Model):
    outcome: Literal["wrong_election"] = "wrong_election"
    identity: QrIdentity
    zh: str
    en: str


class Unreadable(_Model):
    outcome: Literal["unreadable"] = "unreadable"
    zh: str
    en: str


Outcome = Annotated[
    Interpreted | NeedsReview | BlankPage | NotABallot | WrongElection | Unreadable,
    Field(discriminator="outcome"),
]


class PageReading(_Model):
    """One page of one input file, with the evidence it refers to."""

    format: int = READING_FORMAT
    source: str = Field(description="File name as given.")
    page_index: int = Field(0, ge=0, description="Page within a multi-page file, from 0.")
    image_sha256: str = Field(description="SHA-256 of the input file's bytes.")
    result: Outcome


def reading_json_schema() -> dict:
    schema = PageReading.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "计票站选票识别结果 / Ballot station page reading"
    return schema
