"""Scrutineer decisions: what people decided about a ballot, by whom and why.

The station stores them as append-only records and passes them in record order; the
rules read them. A later decision on the same thing (the same box, write-in or ballot)
supersedes an earlier one, so a correction is a new record, never an edit.

  MarkDecision     this box holds ○ / × / √ / nothing (never "unclear" or "filled": a
                   decision says what the mark is, so the count can use it)
  WriteInDecision  the name people read in a write-in area, or none (blank, illegible,
                   not a name, or the same person counted elsewhere on the ballot)
  VoidDecision     the ballot is void (e.g. extra marks that could identify the voter,
                   1990 第二十条; wholly illegible)
  AcceptDecision   the ballot-level concerns (marks outside the boxes, a poor image) do
                   not void it: count what is marked
  ExcludeDecision  the page is not a returned ballot (a stray sheet, a duplicate scan, a
                   page rescanned as another image)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, field_validator

from station.rules.model import Model
from station.rules.names import normalise_name
from vision.reading import MarkClass, PageReading


class BallotRef(Model):
    """A ballot is one page of one stored image."""

    image_sha256: str = Field(min_length=1)
    page_index: int = Field(0, ge=0)

    @property
    def key(self) -> str:
        return f"{self.image_sha256}:{self.page_index}"

    @classmethod
    def of(cls, reading: PageReading) -> BallotRef:
        return cls(image_sha256=reading.image_sha256, page_index=reading.page_index)


class _Decision(Model):
    ballot: BallotRef
    by: str = Field(min_length=1, max_length=80, description="Who decided (the scrutineers' names).")
    why: str = Field(min_length=1, max_length=500, description="Why, in their words.")


DECIDABLE_CLASSES = frozenset({MarkClass.EMPTY, MarkClass.CIRCLE, MarkClass.CROSS, MarkClass.TICK})


class MarkDecision(_Decision):
    kind: Literal["mark"] = "mark"
    box_id: str
    mark_class: MarkClass

    @field_validator("mark_class")
    @classmethod
    def _decidable(cls, v: MarkClass) -> MarkClass:
        if v not in DECIDABLE_CLASSES:
            raise ValueError("裁定须为 ○、×、√ 或空白 / a decision must be circle, cross, tick or empty")
        return v


class WriteInDecision(_Decision):
    kind: Literal["write_in"] = "write_in"
    box_id: str = Field(description="The write-in (name) area's box id.")
    name: str | None = Field(description="The name people read; null: nothing that counts is written.")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = normalise_name(v)
        if not 1 <= len(v) <= 16:
            raise ValueError("另选人姓名须为 1–16 个字 / a written-in name must be 1–16 characters")
        return v


class VoidReason(StrEnum):
    EXTRA_MARKS = "extra_marks"  # 作其他标记 (1990 第二十条)
    ILLEGIBLE = "illegible"  # 全部无法辨认
    NOT_CLEAR = "not_clear"  # the voter's intent cannot be told
    OTHER = "other"


class VoidDecision(_Decision):
    kind: Literal["void"] = "void"
    reason: VoidReason


class AcceptDecision(_Decision):
    kind: Literal["accept"] = "accept"


class ExcludeReason(StrEnum):
    NOT_A_BALLOT = "not_a_ballot"
    DUPLICATE_SCAN = "duplicate_scan"
    RESCANNED = "rescanned"


class ExcludeDecision(_Decision):
    kind: Literal["exclude"] = "exclude"
    reason: ExcludeReason


Decision = Annotated[
    MarkDecision | WriteInDecision | VoidDecision | AcceptDecision | ExcludeDecision,
    Field(discriminator="kind"),
]
Verdict = VoidDecision | AcceptDecision | ExcludeDecision


@dataclass
class BallotDecisions:
    """The decisions in force for one ballot: the last one on each thing."""

    marks: dict[str, MarkDecision] = field(default_factory=dict)
    write_ins: dict[str, WriteInDecision] = field(default_factory=dict)
    verdict: Verdict | None = None


def decisions_by_ballot(decisions: list[Decision]) -> dict[str, BallotDecisions]:
    """Fold the record (oldest first) into what is in force per ballot key."""
    out: dict[str, BallotDecisions] = {}
    for d in decisions:
        bd = out.setdefault(d.ballot.key, BallotDecisions())
        match d:
            case MarkDecision():
                bd.marks[d.box_id] = d
            case WriteInDecision():
                bd.write_ins[d.box_id] = d
            case VoidDecision() | AcceptDecision() | ExcludeDecision():
                bd.verdict = d
    return out
