"""One ballot: its reading (+ scrutineer decisions) → Valid | Invalid | Pending | Excluded.

Box ids get their meaning from the stage's BallotLayout (the same object the ballot was
printed from); mark classes get theirs from `marks.meaning`. The ballot-kind rules, with
their sources, are in docs/rules.md; in short:

  选举票  ○ agree, × disagree, blank abstain. A write-in counts only under a candidate
          marked ×, with the ○ above it (without it: policies.write_in_without_circle).
          Agrees + counted write-ins more than the seats → invalid (1990 第二十条).
          A blank ballot is valid: an abstention on every name.
  推荐票  ○ beside a name or a blank line with a name: chosen; more than max_choices → invalid.
  信任票  ○ in 信任 or 不信任; both on one person spoils that vote; more trusts than seats → invalid.
  测评票  one grade per person; two or more spoil that person's rating; none abstains.

Nothing unclear is guessed: it becomes a PendingItem and the ballot is not counted until
people decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from station.ballot_layout import build_sheets
from station.election import Contest, Election, InvalidScope, Stage, StageKind, WriteInWithoutCircle
from station.layout import BallotLayout, BoxKind, BoxRole, LayoutBox
from station.rules.decisions import (
    AcceptDecision,
    BallotDecisions,
    BallotRef,
    Decision,
    ExcludeDecision,
    MarkDecision,
    VoidDecision,
)
from station.rules.marks import Meaning, meaning
from station.rules.votes import (
    BallotCount,
    Choice,
    ContestInvalid,
    ContestVotes,
    ElectionVotes,
    EvaluationVotes,
    Excluded,
    ExcludedWhy,
    Invalid,
    InvalidReason,
    Pending,
    PendingCode,
    PendingItem,
    RecommendationVotes,
    TrustChoice,
    TrustVotes,
    Valid,
)
from vision.reading import (
    BlankPage,
    Interpreted,
    MarkClass,
    NeedsReview,
    NotABallot,
    PageReading,
    QualityFlag,
    ReviewCode,
    Unreadable,
    WrongElection,
)

ROLE_TEXT: dict[BoxRole, tuple[str, str]] = {
    BoxRole.SYMBOL: ("符号栏", "symbol box"),
    BoxRole.ALT_SYMBOL: ("另选人符号栏", "write-in symbol box"),
    BoxRole.ALT_NAME: ("另选人栏", "write-in name"),
    BoxRole.CHOOSE: ("推荐方格", "choice box"),
    BoxRole.BLANK_SYMBOL: ("空白行方格", "blank-line box"),
    BoxRole.BLANK_NAME: ("空白行姓名", "blank-line name"),
    BoxRole.TRUST: ("信任栏", "trust box"),
    BoxRole.DISTRUST: ("不信任栏", "no-trust box"),
    BoxRole.GRADE: ("等次方格", "grade box"),
}

MARK_TEXT: dict[MarkClass, tuple[str, str]] = {
    MarkClass.UNCLEAR: ("无法确定的标记", "an unclear mark"),
    MarkClass.FILLED: ("方格被涂满（赞成还是涂改？）", "a filled box (a vote or a cancelled mark?)"),
    MarkClass.TICK: ("画“√”（本次选举规定须人工确认）", "a tick (this election has ticks confirmed by people)"),
    MarkClass.CROSS: ("画“×”（此处不是规定的符号）", "a cross (not the prescribed mark here)"),
    MarkClass.CIRCLE: (
        "画“○”（此处应画“√”，本次选举规定须人工确认）",
        "a circle where a tick is asked (confirmed by people)",
    ),
}


@dataclass(frozen=True)
class SheetIndex:
    """One ballot style's boxes, found by what they mean."""

    layout: BallotLayout
    by_id: dict[str, LayoutBox]
    by_meaning: dict[tuple[str, BoxRole, str | None, str | None], LayoutBox]

    @classmethod
    def of(cls, layout: BallotLayout) -> SheetIndex:
        return cls(
            layout=layout,
            by_id={b.id: b for b in layout.boxes},
            by_meaning={(b.contest, b.role, b.candidate, b.grade): b for b in layout.boxes if b.candidate},
        )

    def find(self, contest: str, role: BoxRole, candidate: str, grade: str | None = None) -> LayoutBox | None:
        return self.by_meaning.get((contest, role, candidate, grade))

    def blank_lines(self, contest: str) -> list[tuple[LayoutBox, LayoutBox]]:
        """(symbol box, name box) of each blank line of a recommendation contest, by slot."""
        symbols = [b for b in self.by_id.values() if b.contest == contest and b.role is BoxRole.BLANK_SYMBOL]
        return [(s, self.by_id[s.pair]) for s in sorted(symbols, key=lambda b: b.slot or 0) if s.pair]


@dataclass(frozen=True)
class StageSheets:
    """Everything fixed about a stage's ballots: built once, then used for every ballot."""

    election: Election
    stage: Stage
    styles: dict[str, SheetIndex]

    @classmethod
    def build(cls, election: Election, stage: Stage) -> StageSheets:
        return cls(election, stage, {s.layout.style_id: SheetIndex.of(s.layout) for s in build_sheets(election, stage)})

    def describe(self, box: LayoutBox) -> tuple[str, str]:
        post = self.stage.contest(box.contest).post
        who = box.candidate or f"第 {box.slot} 行"
        who_en = box.candidate or f"line {box.slot}"
        grade = f"“{box.grade}”" if box.grade else ""
        role_zh, role_en = ROLE_TEXT[box.role]
        grade_en = f" {box.grade}" if box.grade else ""
        return f"{post}·{who}{grade}{role_zh}", f"{box.contest} / {who_en}{grade_en} {role_en}"


# --- refusals -----------------------------------------------------------------------------


def reading_refusal(sheets: StageSheets, reading: PageReading) -> tuple[str, str] | None:
    """Why this reading cannot be counted in this stage at all, or None."""
    res = reading.result
    if isinstance(res, WrongElection):
        return res.zh, res.en
    if not isinstance(res, Interpreted | NeedsReview):
        return None
    ident, e, s = res.identity, sheets.election, sheets.stage
    if ident.election_id != e.id or ident.stage_id != s.id:
        return (
            f"选票属于选举“{ident.election_id}”轮次“{ident.stage_id}”，不是本轮（{e.id} / {s.id}）",
            f"ballot of election '{ident.election_id}' stage '{ident.stage_id}', not {e.id} / {s.id}",
        )
    index = sheets.styles.get(ident.style_id)
    if index is None:
        return f"本轮没有选票样式“{ident.style_id}”", f"stage {s.id} has no ballot style '{ident.style_id}'"
    if ident.layout_hash != index.layout.layout_hash:
        return (
            f"选票版面（{ident.layout_hash}）与本轮定义生成的版面（{index.layout.layout_hash}）不符：选票是按别的定义印制的",
            f"ballot layout {ident.layout_hash} is not this stage's layout {index.layout.layout_hash}: "
            "printed from another definition",
        )
    for ids, kind in (([b.id for b in res.boxes], BoxKind.MARK), ([w.id for w in res.write_ins], BoxKind.WRITE_IN)):
        wrong = [i for i in ids if i not in index.by_id or index.by_id[i].kind is not kind]
        if wrong:
            return f"读数中有版面上没有的方格：{'、'.join(wrong)}", f"reading has boxes not on the layout: {wrong}"
    if isinstance(res, NeedsReview):
        stray = [r.box_id for r in res.reasons if r.box_id and r.box_id not in index.by_id]
        if stray:
            return f"复核原因指向版面上没有的方格：{'、'.join(stray)}", f"review reasons name unknown boxes: {stray}"
    return None


def decision_refusal(sheets: StageSheets, reading: PageReading | None, d: Decision) -> tuple[str, str] | None:
    """Why this decision cannot apply, or None."""
    if reading is None:
        return f"裁定指向不存在的选票 {d.ballot.key}", f"decision for an unknown ballot {d.ballot.key}"
    if isinstance(d, VoidDecision | ExcludeDecision):
        return None
    res = reading.result
    if not isinstance(res, Interpreted | NeedsReview):
        return (
            f"无法识别的页面只能裁定为废票或剔除（{d.ballot.key}）",
            f"an unidentified page can only be voided or excluded ({d.ballot.key})",
        )
    if isinstance(d, AcceptDecision):
        return None
    box = sheets.styles[res.identity.style_id].by_id.get(d.box_id)
    want = BoxKind.MARK if isinstance(d, MarkDecision) else BoxKind.WRITE_IN
    if box is None or box.kind is not want:
        return f"裁定指向版面上没有的方格 {d.box_id}", f"decision for box {d.box_id}, not a {want.value} box here"
    return None


# --- one ballot ------------------------------------------------------------------------------


_UNNAMED = ("请监票人认定所写姓名", "scrutineers must name who is written")
_UNCLEAR_WRITING = ("是否写有姓名无法确定", "cannot tell whether a name is written")


class _Writing(StrEnum):
    NOTHING = "nothing"
    WRITTEN = "written"
    UNCLEAR = "unclear"


@dataclass
class _Reader:
    """Reads boxes of one ballot through decisions, collecting what people must still decide."""

    sheets: StageSheets
    result: Interpreted | NeedsReview
    decided: BallotDecisions
    pending: list[PendingItem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.classes = {b.id: b.mark_class for b in self.result.boxes}
        self.writes = {w.id: w.has_writing for w in self.result.write_ins}
        reasons = self.result.reasons if isinstance(self.result, NeedsReview) else []
        self.flagged = {r.box_id: r for r in reasons if r.box_id}

    def _need(self, code: PendingCode, box: LayoutBox, zh: str, en: str) -> None:
        where_zh, where_en = self.sheets.describe(box)
        self.pending.append(PendingItem(code=code, box_id=box.id, zh=f"{where_zh}：{zh}", en=f"{where_en}: {en}"))

    def mark(self, box: LayoutBox) -> Meaning:
        policies = self.sheets.election.policies
        d = self.decided.marks.get(box.id)
        if d is not None:
            return meaning(box.role, d.mark_class, policies, decided=True)
        cls = self.classes.get(box.id)
        if cls is None:
            self._need(PendingCode.MISSING_BOX, box, "读数中缺少此方格", "the reading lacks this box")
            return Meaning.REVIEW
        if box.id in self.flagged:
            r = self.flagged[box.id]
            self._need(PendingCode.MARK, box, r.zh, r.en)
            return Meaning.REVIEW
        m = meaning(box.role, cls, policies)
        if m is Meaning.REVIEW:
            self._need(PendingCode.MARK, box, *MARK_TEXT[cls])
        return m

    def writing(self, box: LayoutBox) -> _Writing:
        d = self.decided.write_ins.get(box.id)
        if d is not None:
            return _Writing.WRITTEN if d.name else _Writing.NOTHING
        has = self.writes.get(box.id)
        if has is None or box.id in self.flagged:
            return _Writing.UNCLEAR
        return _Writing.WRITTEN if has else _Writing.NOTHING

    def name(self, box: LayoutBox) -> str | None:
        """The assigned name of a write-in that counts; records what people must do if none yet."""
        d = self.decided.write_ins.get(box.id)
        if d is not None:
            return d.name
        match self.writing(box):
            case _Writing.WRITTEN:
                self._need(PendingCode.WRITE_IN_UNNAMED, box, *_UNNAMED)
            case _Writing.UNCLEAR:
                self.unclear_writing(box)
        return None

    def unclear_writing(self, box: LayoutBox) -> None:
        self._need(PendingCode.WRITE_IN_UNCLEAR, box, *_UNCLEAR_WRITING)

    def same_person(self, box: LayoutBox, name: str) -> None:
        self._need(
            PendingCode.SAME_PERSON_TWICE, box,
            f"“{name}”在本职务中被选了两次：请改定此处姓名（或认定为不计）或裁定废票",
            f"'{name}' is chosen twice in this contest: rename this write-in (or set none) or void the ballot",
        )


def _write_in(rd: _Reader, symbol: Meaning, name_box: LayoutBox) -> tuple[str | None, bool]:
    """A write-in with its symbol box's meaning → (name counted, makes the part invalid)."""
    if symbol is Meaning.REVIEW or rd.writing(name_box) is _Writing.NOTHING:
        return None, False
    policy = rd.sheets.election.policies.write_in_without_circle
    if symbol is Meaning.YES or policy is WriteInWithoutCircle.AGREE:
        return rd.name(name_box), False
    if policy is WriteInWithoutCircle.INVALID:
        if rd.writing(name_box) is _Writing.UNCLEAR:
            rd.unclear_writing(name_box)
            return None, False
        return None, True
    return None, False  # ABSTAIN: a name without its ○ is no vote


_CHOICE = {Meaning.YES: Choice.AGREE, Meaning.NO: Choice.DISAGREE, Meaning.NONE: Choice.ABSTAIN}


def _election(rd: _Reader, index: SheetIndex, c: Contest) -> ContestVotes | None:
    choices: dict[str, Choice] = {}
    written: list[tuple[str, LayoutBox]] = []
    spoils = False
    for cand in c.ordered_candidates():
        symbol = index.find(c.id, BoxRole.SYMBOL, cand.name)
        assert symbol is not None  # the layout is built from this very contest
        m = rd.mark(symbol)
        if m is not Meaning.REVIEW:
            choices[cand.name] = _CHOICE[m]
        alt_symbol = index.find(c.id, BoxRole.ALT_SYMBOL, cand.name)
        alt_name = index.find(c.id, BoxRole.ALT_NAME, cand.name)
        if alt_symbol is None or alt_name is None:
            continue
        alt = rd.mark(alt_symbol)  # read even when it cannot count: unclear ink anywhere is reviewed
        if m in (Meaning.YES, Meaning.NONE):
            continue  # a write-in counts only under a candidate marked × (domain.md §2, case 9)
        name, invalid = _write_in(rd, alt, alt_name)
        spoils |= invalid
        if name:
            written.append((name, alt_name))
    if rd.pending:
        return None
    write_ins: list[str] = []
    via: list[str] = []
    for name, box in written:
        if choices.get(name) is Choice.ABSTAIN and name not in via:
            choices[name] = Choice.AGREE  # blank in their own column, written in under another: one agree
            via.append(name)
        elif name in choices or name in write_ins:
            rd.same_person(box, name)
        else:
            write_ins.append(name)
    if rd.pending:
        return None
    if spoils:
        return ContestInvalid(contest=c.id, reason=InvalidReason.WRITE_IN_WITHOUT_CIRCLE)
    if sum(ch is Choice.AGREE for ch in choices.values()) + len(write_ins) > c.seats:
        return ContestInvalid(contest=c.id, reason=InvalidReason.TOO_MANY)
    return ElectionVotes(contest=c.id, choices=choices, write_ins=write_ins, via_write_in=via)


def _recommendation(rd: _Reader, index: SheetIndex, c: Contest) -> ContestVotes | None:
    printed = [cand.name for cand in c.ordered_candidates()]
    chosen: list[str] = []
    for name in printed:
        box = index.find(c.id, BoxRole.CHOOSE, name)
        assert box is not None
        if rd.mark(box) is Meaning.YES:
            chosen.append(name)
    written: list[tuple[str, LayoutBox]] = []
    spoils = False
    for symbol, name_box in index.blank_lines(c.id):
        name, invalid = _write_in(rd, rd.mark(symbol), name_box)
        spoils |= invalid
        if name:
            written.append((name, name_box))
    if rd.pending:
        return None
    others: list[str] = []
    for name, box in written:
        if name in chosen or name in others:
            rd.same_person(box, name)
        elif name in printed:
            chosen.append(name)
        else:
            others.append(name)
    if rd.pending:
        return None
    if spoils:
        return ContestInvalid(contest=c.id, reason=InvalidReason.WRITE_IN_WITHOUT_CIRCLE)
    if len(chosen) + len(others) > c.choices_allowed:
        return ContestInvalid(contest=c.id, reason=InvalidReason.TOO_MANY)
    return RecommendationVotes(contest=c.id, chosen=chosen, written=others)


def _trust(rd: _Reader, index: SheetIndex, c: Contest) -> ContestVotes | None:
    choices: dict[str, TrustChoice] = {}
    for cand in c.ordered_candidates():
        trust, distrust = index.find(c.id, BoxRole.TRUST, cand.name), index.find(c.id, BoxRole.DISTRUST, cand.name)
        assert trust is not None and distrust is not None
        t, d = rd.mark(trust), rd.mark(distrust)
        if Meaning.REVIEW in (t, d):
            continue
        if t is Meaning.YES and d is Meaning.YES:
            choices[cand.name] = TrustChoice.SPOILED
        elif t is Meaning.YES:
            choices[cand.name] = TrustChoice.TRUST
        elif d is Meaning.YES:
            choices[cand.name] = TrustChoice.DISTRUST
        else:
            choices[cand.name] = TrustChoice.ABSTAIN
    if rd.pending:
        return None
    if sum(ch is TrustChoice.TRUST for ch in choices.values()) > c.seats:
        return ContestInvalid(contest=c.id, reason=InvalidReason.TOO_MANY)
    return TrustVotes(contest=c.id, choices=choices)


def _evaluation(rd: _Reader, index: SheetIndex, c: Contest, style: str) -> ContestVotes | None:
    grades: dict[str, str | None] = {}
    spoiled: list[str] = []
    for cand in c.ordered_candidates():
        marks = []
        for g in rd.sheets.stage.grades:
            box = index.find(c.id, BoxRole.GRADE, cand.name, g.name)
            assert box is not None
            marks.append((g.name, rd.mark(box)))
        if any(m is Meaning.REVIEW for _, m in marks):
            continue
        yes = [g for g, m in marks if m is Meaning.YES]
        grades[cand.name] = yes[0] if len(yes) == 1 else None
        if len(yes) > 1:
            spoiled.append(cand.name)
    if rd.pending:
        return None
    return EvaluationVotes(contest=c.id, group=style, grades=grades, spoiled=spoiled)


def _ballot_level(result: Interpreted | NeedsReview) -> list[PendingItem]:
    """Concerns about the whole sheet: people either accept the ballot or void it."""
    reasons = [r for r in result.reasons if r.box_id is None] if isinstance(result, NeedsReview) else []
    items = [PendingItem(code=PendingCode.BALLOT_REVIEW, zh=r.zh, en=r.en) for r in reasons]
    outside = any(r.code is ReviewCode.MARKS_OUTSIDE_BOXES for r in reasons)
    if QualityFlag.MARKS_OUTSIDE_BOXES in result.quality and not outside:
        items.append(
            PendingItem(
                code=PendingCode.BALLOT_REVIEW,
                zh="方格外有笔迹：是否属于规定以外的标记，由监票人认定",
                en="ink outside the boxes: scrutineers decide whether it is a forbidden mark",
            )
        )
    return items


def count_ballot(sheets: StageSheets, reading: PageReading, decided: BallotDecisions | None = None) -> BallotCount:
    """What one page counts for. The reading must have passed `reading_refusal`."""
    ref = BallotRef.of(reading)
    decided = decided or BallotDecisions()
    v = decided.verdict
    if isinstance(v, ExcludeDecision):
        return Excluded(ballot=ref, why=ExcludedWhy.DECIDED, decided_by=v.by, note=f"{v.reason.value}: {v.why}")
    if isinstance(v, VoidDecision):
        return Invalid(ballot=ref, reason=InvalidReason.VOIDED, decided_by=v.by, why=f"{v.reason.value}: {v.why}")
    res = reading.result
    match res:
        case BlankPage():
            return Excluded(ballot=ref, why=ExcludedWhy.BLANK_PAGE)
        case NotABallot() | Unreadable():
            item = PendingItem(
                code=PendingCode.UNIDENTIFIED_PAGE,
                zh=f"{res.zh}：请重新扫描，或裁定为废票或非选票",
                en=f"{res.en}: rescan it, or void or exclude it",
            )
            return Pending(ballot=ref, items=[item])
        case WrongElection():
            raise AssertionError("refused readings never reach count_ballot")
    index = sheets.styles[res.identity.style_id]
    rd = _Reader(sheets, res, decided)
    ballot_items = [] if isinstance(v, AcceptDecision) else _ballot_level(res)
    parts: list[ContestVotes | None] = []
    for c in sheets.stage.contests:
        match sheets.stage.kind:
            case StageKind.ELECTION:
                parts.append(_election(rd, index, c))
            case StageKind.RECOMMENDATION:
                parts.append(_recommendation(rd, index, c))
            case StageKind.TRUST:
                parts.append(_trust(rd, index, c))
            case StageKind.EVALUATION:
                parts.append(_evaluation(rd, index, c, res.identity.style_id))
    if ballot_items or rd.pending:
        return Pending(ballot=ref, items=ballot_items + rd.pending)
    counted = [p for p in parts if p is not None]
    spoilt = [p for p in counted if isinstance(p, ContestInvalid)]
    if spoilt and sheets.election.policies.invalid_scope is InvalidScope.BALLOT:
        return Invalid(ballot=ref, reason=spoilt[0].reason, contest=spoilt[0].contest)
    return Valid(ballot=ref, style=res.identity.style_id, contests=counted)

