"""What one ballot says, as typed outcomes: Valid | Invalid | Pending | Excluded.

A valid ballot holds, per contest on the sheet, either the votes it casts there or why
that contest's part is invalid (only when policies.overvote is "contest"; otherwise any
invalid part makes the whole ballot Invalid).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from station.rules.decisions import BallotRef
from station.rules.model import Model


class Choice(StrEnum):
    """A voter's choice on one printed candidate of an election ballot."""

    AGREE = "agree"
    DISAGREE = "disagree"
    ABSTAIN = "abstain"


class TrustChoice(StrEnum):
    TRUST = "trust"
    DISTRUST = "distrust"
    ABSTAIN = "abstain"
    SPOILED = "spoiled"  # both columns marked: this vote on this person is invalid (printed instructions)


class ElectionVotes(Model):
    kind: Literal["election"] = "election"
    contest: str
    choices: dict[str, Choice] = Field(description="Every printed candidate's choice.")
    write_ins: list[str] = Field(description="Agree votes for people not printed in this contest.")
    via_write_in: list[str] = Field(
        default_factory=list,
        description="Printed candidates left blank in their own column but written in under another: agree.",
    )


class RecommendationVotes(Model):
    kind: Literal["recommendation"] = "recommendation"
    contest: str
    chosen: list[str] = Field(description="Printed names chosen, and written names that are printed too.")
    written: list[str] = Field(description="Names written on blank lines that are not printed.")


class TrustVotes(Model):
    kind: Literal["trust"] = "trust"
    contest: str
    choices: dict[str, TrustChoice]


class EvaluationVotes(Model):
    kind: Literal["evaluation"] = "evaluation"
    contest: str
    group: str = Field(description="The evaluator group (the ballot style).")
    grades: dict[str, str | None] = Field(description="Grade per person; null = abstained or spoiled.")
    spoiled: list[str] = Field(default_factory=list, description="People given two or more grades.")


class InvalidReason(StrEnum):
    TOO_MANY = "too_many"  # 所选人数多于应选人数 (1990 第二十条)
    WRITE_IN_WITHOUT_CIRCLE = "write_in_without_circle"  # policies.write_in_without_circle = invalid
    VOIDED = "voided"  # scrutineers voided the ballot


INVALID_TEXT: dict[InvalidReason, tuple[str, str]] = {
    InvalidReason.TOO_MANY: ("所选人数多于应选人数", "more choices than allowed"),
    InvalidReason.WRITE_IN_WITHOUT_CIRCLE: (
        "另选人姓名上方未画○（按本次选举规定为无效票）",
        "a written-in name without its ○ (invalid under this election's policy)",
    ),
    InvalidReason.VOIDED: ("监票人裁定为废票", "voided by the scrutineers"),
}


class ContestInvalid(Model):
    kind: Literal["invalid"] = "invalid"
    contest: str
    reason: InvalidReason


ContestVotes = Annotated[
    ElectionVotes | RecommendationVotes | TrustVotes | EvaluationVotes | ContestInvalid,
    Field(discriminator="kind"),
]


class PendingCode(StrEnum):
    MARK = "mark"  # a mark box people must classify
    MISSING_BOX = "missing_box"  # the reading lacks a box of the layout
    WRITE_IN_UNCLEAR = "write_in_unclear"  # is anything written?
    WRITE_IN_UNNAMED = "write_in_unnamed"  # a write-in that counts needs the name people read
    SAME_PERSON_TWICE = "same_person_twice"  # one person named twice in one contest
    BALLOT_REVIEW = "ballot_review"  # marks outside the boxes, poor image: void or accept
    UNIDENTIFIED_PAGE = "unidentified_page"  # no ballot identity: void, exclude or rescan


class PendingItem(Model):
    code: PendingCode
    box_id: str | None = None
    zh: str
    en: str


class Valid(Model):
    status: Literal["valid"] = "valid"
    ballot: BallotRef
    style: str
    contests: list[ContestVotes]


class Invalid(Model):
    status: Literal["invalid"] = "invalid"
    ballot: BallotRef
    reason: InvalidReason
    contest: str | None = Field(None, description="The contest that made it invalid, if one did.")
    decided_by: str | None = None
    why: str | None = None


class Pending(Model):
    status: Literal["pending"] = "pending"
    ballot: BallotRef
    items: list[PendingItem] = Field(min_length=1)


class ExcludedWhy(StrEnum):
    BLANK_PAGE = "blank_page"  # vision: an empty sheet side (the back of a duplex scan)
    DECIDED = "decided"  # scrutineers: not a returned ballot


class Excluded(Model):
    status: Literal["excluded"] = "excluded"
    ballot: BallotRef
    why: ExcludedWhy
    decided_by: str | None = None
    note: str | None = None


BallotCount = Annotated[Valid | Invalid | Pending | Excluded, Field(discriminator="status")]


def counted_for(count: BallotCount, name: str) -> bool:
    """Does this ballot count a vote for `name`? (An auditor's "every ballot counted for X".)

    Election: agree on the printed name, or a write-in with ○; recommendation: chosen or
    written; trust: trust; evaluation: any grade given (the grade is the vote).
    """
    if not isinstance(count, Valid):
        return False
    for part in count.contests:
        match part:
            case ElectionVotes():
                if part.choices.get(name) is Choice.AGREE or name in part.write_ins or name in part.via_write_in:
                    return True
            case RecommendationVotes():
                if name in part.chosen or name in part.written:
                    return True
            case TrustVotes():
                if part.choices.get(name) is TrustChoice.TRUST:
                    return True
            case EvaluationVotes():
                if part.grades.get(name) is not None:
                    return True
    return False
