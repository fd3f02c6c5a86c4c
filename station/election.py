"""The election definition: what is voted on, by whom, under which rules.

A definition is written by people (YAML or JSON) and validated here. The model holds no
I/O; `station.definition_io` reads and writes files. Validation messages are Chinese
first, then English, because the person who fixes the file is the branch secretary.

Terms (see ../shared/domain.md):
  应到 should attend = members with voting rights minus excused members;
  stage = one paper vote (推荐, 信任投票, 选举, 民主测评); contest = one post on a ballot.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema, model_validator

from station.errors import StationError
from station.strokes import name_key

Slug = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]{0,31}$",
        description="ASCII id: lower-case letters, digits, '-', at most 32 characters. "
        "It is printed in the QR code, so it must be short and plain.",
    ),
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Regulation(StrEnum):
    """Which regulation governs quorum and the majority base (domain.md §3–4)."""

    V1990 = "1990"  # 中国共产党基层组织选举工作暂行条例
    V2020 = "2020"  # 中国共产党基层组织选举工作条例


class WriteInWithoutCircle(StrEnum):
    """A write-in name whose symbol box has no ○: sources differ; shown on every report."""

    INVALID = "invalid"
    ABSTAIN = "abstain"
    AGREE = "agree"


class TickPolicy(StrEnum):
    """A tick √ where ○ is asked for: national practice counts it as agree."""

    AGREE = "agree"
    REVIEW = "review"


class ReturnedComparedTo(StrEnum):
    """What 'ballots returned' is checked against (more returned → the vote is void)."""

    ISSUED = "issued"
    VOTERS = "voters"


class StageKind(StrEnum):
    RECOMMENDATION = "recommendation"  # 推荐票: mark up to N names
    TRUST = "trust"  # 信任票: trust / no trust per candidate
    ELECTION = "election"  # 选举票: ○ agree, × disagree, blank abstain, 另选他人
    EVALUATION = "evaluation"  # 民主测评: one grade per person


class PostKind(StrEnum):
    SECRETARY = "secretary"  # 书记
    DEPUTY_SECRETARY = "deputy_secretary"  # 副书记
    MEMBER = "member"  # 委员: the 差额 rule (+20 %) applies
    DELEGATE = "delegate"  # 代表
    OTHER = "other"


class Paper(StrEnum):
    AUTO = "auto"  # A4 when everything fits, else A3
    A4 = "A4"
    A3 = "A3"


class ExcuseReason(StrEnum):
    """Why a member is not counted among those who should attend (domain.md §3)."""

    INCAPACITATED = "incapacitated"  # 丧失行为能力
    ABROAD = "abroad"  # 出国半年以上
    AWAY = "away"  # 外出半年以上
    SENTENCE = "sentence"  # 服刑
    BEDRIDDEN = "bedridden"  # 长期卧床
    DETAINED = "detained"  # 被留置、拘留 (2020)
    SUSPENDED = "suspended"  # 停止党籍 (2020)
    MOBILE = "mobile"  # 流动党员在流入地参加活动 (2020)
    UNREGISTERED = "unregistered"  # 未进行选民登记 (2020, where registration is used)
    OTHER = "other"


class InvalidScope(StrEnum):
    """What an invalid contest part (too many choices, …) voids when a ballot holds several contests.

    1990 第二十条 speaks of 每张选票 (each ballot): the default voids the whole ballot.
    Some local rules void only that post's part; one-contest ballots are the same either way.
    """

    BALLOT = "ballot"
    CONTEST = "contest"


class ElectionVariant(StrEnum):
    """How the secretary and the committee are elected (domain.md §1); used when chaining stages."""

    SIMULTANEOUS = "simultaneous"  # 同选: both posts on one ballot
    COMMITTEE_FIRST = "committee_first"  # 顺选: committee first, then the secretary from its members
    SECRETARY_FIRST = "secretary_first"  # 倒选: secretary first; the losers go onto the committee ballot


def _exact_ratio(value: object) -> object:
    """Read 1.2, "1.2", "6/5" or 3 exactly: a YAML float goes through its text, not its binary value."""
    if isinstance(value, float):
        return Fraction(str(value))
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"比例须为数字或分数，如 1.2 或 6/5（现为“{value}”） / a ratio like 1.2 or 6/5") from None
    return value


Ratio = Annotated[
    Fraction,
    BeforeValidator(_exact_ratio),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\d+(\.\d+|/\d+)?$"}]}),
]


class Policies(Model):
    write_in_without_circle: WriteInWithoutCircle = Field(
        WriteInWithoutCircle.ABSTAIN,
        description="另选人姓名上方未画○时如何计：invalid / abstain / agree. Default abstain.",
    )
    tick: TickPolicy = Field(TickPolicy.AGREE, description="画√是否视为赞成：agree / review.")
    returned_compared_to: ReturnedComparedTo = Field(
        ReturnedComparedTo.ISSUED,
        description="收回票数与发出票数(issued)还是与投票人数(voters)比较.",
    )
    invalid_scope: InvalidScope = Field(
        InvalidScope.BALLOT,
        description="一张票含多个职务时，某职务部分无效（如所选人数多于应选人数）："
        "整张票无效(ballot) 或仅该职务无效(contest).",
    )


class Counting(Model):
    """Per-election counting settings beyond ballot policies; shown on every report (docs/rules.md)."""

    variant: ElectionVariant = Field(
        ElectionVariant.SIMULTANEOUS,
        description="书记与委员的选举方式：simultaneous 同选 / committee_first 顺选 / secretary_first 倒选.",
    )
    trust_pass_share: Ratio = Field(
        Fraction(1, 2),
        description="信任投票：信任票须超过到会人数的该比例方为通过 (default 1/2: more than half).",
    )

    @model_validator(mode="after")
    def _check(self) -> Counting:
        if not 0 < self.trust_pass_share < 1:
            raise ValueError("信任票通过比例须大于 0 小于 1 / trust_pass_share must be between 0 and 1")
        return self


class Member(Model):
    name: str = Field(min_length=1, max_length=32)
    voting: bool = Field(True, description="有表决权（正式党员）; 预备党员 false.")


class Excused(Model):
    name: str = Field(min_length=1, max_length=32)
    reason: ExcuseReason
    note: str = ""


class Roll(Model):
    members: list[Member] = Field(min_length=1)
    excused: list[Excused] = []
    registered_voters: int | None = Field(None, ge=0, description="选民登记人数, where used.")

    @model_validator(mode="after")
    def _check(self) -> Roll:
        names = [m.name for m in self.members]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(
                f"名册中姓名重复：{'、'.join(dup)}（同名者请加区分，如“王伟（二组）”） / "
                f"duplicate names on the roll: {', '.join(dup)} (tell namesakes apart)"
            )
        known = set(names)
        stray = [e.name for e in self.excused if e.name not in known]
        if stray:
            raise ValueError(
                f"请假/除外人员不在名册中：{'、'.join(stray)} / excused members not on the roll: "
                f"{', '.join(stray)}"
            )
        return self

    @property
    def voting_members(self) -> int:
        return sum(m.voting for m in self.members)

    @property
    def should_attend(self) -> int:
        """应到：members with voting rights, less those excused."""
        excused = {e.name for e in self.excused}
        return sum(1 for m in self.members if m.voting and m.name not in excused)


class Candidate(Model):
    name: str = Field(min_length=1, max_length=16)
    surname: str | None = Field(
        None, description="Only for a compound surname the station does not know (e.g. 第五)."
    )

    def sort_key(self) -> tuple:
        return name_key(self.name, self.surname)


class Grade(Model):
    name: str = Field(min_length=1, max_length=8)
    weight: float = Field(ge=0, le=1)


DEFAULT_GRADES: tuple[Grade, ...] = (
    Grade(name="优秀", weight=1.0),
    Grade(name="合格", weight=0.8),
    Grade(name="基本合格", weight=0.6),
    Grade(name="不合格", weight=0.5),
)


class VoterGroup(Model):
    """A group of evaluators (民主测评) with its weight; each group has its own ballot style."""

    id: Slug
    name: str = Field(min_length=1, max_length=16)
    weight: float = Field(gt=0, le=1)


class Contest(Model):
    id: Slug
    post: str = Field(min_length=1, max_length=16, description="职务名称，如 书记、委员.")
    post_kind: PostKind = PostKind.OTHER
    seats: int = Field(1, ge=1, description="应选人数.")
    candidates: list[Candidate] = []
    max_choices: int | None = Field(
        None, ge=1, description="推荐票：最多可选几人 (default: seats)."
    )
    write_in_lines: int = Field(0, ge=0, le=20, description="推荐票：空白另推荐人行数.")
    write_ins: bool = Field(True, description="选举票：每名候选人下方设另选人栏.")
    order: Literal["strokes", "as_listed"] = Field(
        "strokes", description="strokes = 按姓氏笔画排序 (default)."
    )
    shortlist_ratio: Ratio | None = Field(
        None,
        description="推荐票：下一轮人选数 = 应选人数 × 该倍数，向上取整 (e.g. 3 for 1:3, 1.2 for +20 %); "
        "default: 3 for secretaries, 1.2 otherwise.",
    )

    @property
    def shortlist_factor(self) -> Fraction:
        """The ratio in force: the configured one, else 1:3 for secretaries and +20 % for others."""
        if self.shortlist_ratio is not None:
            return self.shortlist_ratio
        return Fraction(3) if self.post_kind in (PostKind.SECRETARY, PostKind.DEPUTY_SECRETARY) else Fraction(6, 5)

    @property
    def shortlist_size(self) -> int:
        """How many go forward from a recommendation vote: seats × ratio, rounded up."""
        ratio = self.shortlist_factor
        return -(-self.seats * ratio.numerator // ratio.denominator)

    @property
    def choices_allowed(self) -> int:
        return self.max_choices or self.seats

    def ordered_candidates(self) -> list[Candidate]:
        if self.order == "as_listed":
            return list(self.candidates)
        return sorted(self.candidates, key=Candidate.sort_key)


class Stage(Model):
    id: Slug
    title: str = Field(min_length=1, max_length=40)
    kind: StageKind
    paper: Paper = Paper.AUTO
    contests: list[Contest] = Field(min_length=1)
    grades: list[Grade] = Field(default_factory=lambda: list(DEFAULT_GRADES))
    groups: list[VoterGroup] = Field(
        default_factory=list, description="民主测评：评议人分组及权重；每组一种选票样式."
    )

    @property
    def styles(self) -> list[str]:
        """Ballot styles of this stage: one per evaluator group, else a single 'main'."""
        if self.kind is StageKind.EVALUATION and self.groups:
            return [g.id for g in self.groups]
        return ["main"]

    def contest(self, contest_id: str) -> Contest:
        for c in self.contests:
            if c.id == contest_id:
                return c
        raise KeyError(contest_id)

    @model_validator(mode="after")
    def _check(self) -> Stage:
        ids = [c.id for c in self.contests]
        if len(set(ids)) != len(ids):
            raise ValueError(f"本轮中职务编号重复 / duplicate contest ids in stage {self.id}: {ids}")
        for c in self.contests:
            _check_contest(self, c)
            _check_shortlist(self, c)
        if self.kind is StageKind.EVALUATION:
            if len({g.name for g in self.grades}) != len(self.grades) or len(self.grades) < 2:
                raise ValueError("测评等次须至少两个且不重复 / grades must be ≥ 2 and distinct")
            if self.groups and abs(sum(g.weight for g in self.groups) - 1.0) > 1e-9:
                raise ValueError(
                    f"测评各组权重之和须为 1（现为 {sum(g.weight for g in self.groups):g}） / "
                    "evaluator group weights must add up to 1"
                )
        return self


def _check_contest(stage: Stage, c: Contest) -> None:
    names = [x.name for x in c.candidates]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(
            f"“{c.post}”候选人姓名重复：{'、'.join(dup)} / duplicate candidate names in {c.id}: "
            f"{', '.join(dup)}"
        )
    for cand in c.candidates:
        try:
            cand.sort_key()  # a character without stroke data is an error now, not at print time
        except StationError as err:
            raise ValueError(f"“{c.post}”候选人{err.zh} / contest {c.id}: {err.en}") from None
    kind = stage.kind
    if kind in (StageKind.ELECTION, StageKind.TRUST) and len(c.candidates) < c.seats:
        raise ValueError(
            f"“{c.post}”候选人数（{len(c.candidates)}）少于应选人数（{c.seats}） / "
            f"contest {c.id}: fewer candidates ({len(c.candidates)}) than seats ({c.seats})"
        )
    if kind is StageKind.RECOMMENDATION:
        if len(c.candidates) + c.write_in_lines < c.choices_allowed:
            raise ValueError(
                f"“{c.post}”可选人数（{c.choices_allowed}）多于名单与空白行之和 / contest {c.id}: "
                "more choices allowed than names and blank lines"
            )
        if c.max_choices is not None and c.max_choices < c.seats:
            raise ValueError(
                f"“{c.post}”最多可选人数不得少于应选人数 / contest {c.id}: max_choices < seats"
            )
    elif c.max_choices is not None or c.write_in_lines:
        raise ValueError(
            f"max_choices 和 write_in_lines 仅用于推荐票 / only for recommendation stages ({c.id})"
        )
    if kind is StageKind.EVALUATION and not c.candidates:
        raise ValueError(f"“{c.post}”没有被测评人 / contest {c.id}: nobody to evaluate")


def _check_shortlist(stage: Stage, c: Contest) -> None:
    if c.shortlist_ratio is None:
        return
    if stage.kind is not StageKind.RECOMMENDATION:
        raise ValueError(f"shortlist_ratio 仅用于推荐票 / only for recommendation stages ({c.id})")
    if c.shortlist_ratio < 1:
        raise ValueError(f"“{c.post}”下一轮人选倍数不得小于 1 / contest {c.id}: shortlist_ratio < 1")


def min_competitive_candidates(seats: int) -> int:
    """差额: at least 20 % more candidates than seats, rounded up (6 seats → 8)."""
    return seats + -(-seats // 5)


class Notice(Model):
    """A warning about a valid definition that people should look at (not an error)."""

    where: str
    zh: str
    en: str


class Election(Model):
    schema_version: Literal[1] = 1
    id: Slug
    title: str = Field(min_length=1, max_length=60)
    organisation: str = Field(min_length=1, max_length=60)
    meeting_date: dt.date
    regulation: Regulation
    policies: Policies = Policies()
    counting: Counting = Counting()
    roll: Roll
    stages: list[Stage] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Election:
        ids = [s.id for s in self.stages]
        if len(set(ids)) != len(ids):
            raise ValueError(f"轮次编号重复 / duplicate stage ids: {ids}")
        return self

    def stage(self, stage_id: str) -> Stage:
        for s in self.stages:
            if s.id == stage_id:
                return s
        from station.errors import DefinitionError

        raise DefinitionError(
            f"选举“{self.title}”中没有轮次“{stage_id}”；可用：{'、'.join(s.id for s in self.stages)}",
            f"election {self.id} has no stage '{stage_id}'; known: {', '.join(s.id for s in self.stages)}",
        )

    def notices(self) -> list[Notice]:
        """Things allowed but worth a second look, shown when the file is checked."""
        out: list[Notice] = []
        for s in self.stages:
            if s.kind is not StageKind.ELECTION:
                continue
            for c in s.contests:
                need = min_competitive_candidates(c.seats)
                if c.post_kind is PostKind.MEMBER and len(c.candidates) < need:
                    out.append(
                        Notice(
                            where=f"{s.id}/{c.id}",
                            zh=f"委员差额不足：应选 {c.seats} 名，候选人 {len(c.candidates)} 名，"
                            f"差额不少于 20% 时至少需 {need} 名",
                            en=f"committee contest below the +20 % margin: {c.seats} seats, "
                            f"{len(c.candidates)} candidates, at least {need} needed",
                        )
                    )
        return out
