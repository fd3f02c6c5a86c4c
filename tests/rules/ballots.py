"""Hand-made readings for tests of the rules (vision's stand-in: a named test helper, not a fake
of anything the rules call). Box ids come from the real layouts of the election under test,
so every reading is one that vision could really produce for that printed ballot."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from itertools import count

from station.ballot_layout import build_sheets
from station.election import (
    Candidate,
    Contest,
    Election,
    Member,
    Policies,
    Regulation,
    Roll,
    Stage,
    StageKind,
)
from station.layout import BallotLayout, BoxKind, BoxRole, QrIdentity
from station.rules.decisions import (
    AcceptDecision,
    BallotRef,
    ExcludeDecision,
    ExcludeReason,
    MarkDecision,
    VoidDecision,
    VoidReason,
    WriteInDecision,
)
from vision.reading import (
    BlankPage,
    BoxReading,
    Interpreted,
    MarkClass,
    NeedsReview,
    NotABallot,
    PageReading,
    QualityFlag,
    ReviewCode,
    ReviewReason,
    WriteInReading,
)

# Common characters the stroke table surely has: members' and candidates' names are made of them.
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高梁宋郑谢唐冯于董程曹袁邓"
GIVEN = "一二三四五六七八九十明华平安国庆建军秀英丽红伟强"


def person(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)] + GIVEN[i // (len(SURNAMES) * 3) % 7]


def names(n: int, start: int = 0) -> list[str]:
    return [person(start + i) for i in range(n)]


def make_election(
    kind: StageKind = StageKind.ELECTION,
    contests: Iterable[tuple[int, list[str]]] = ((1, ["王建国", "李秀英"]),),
    should_attend: int = 30,
    regulation: Regulation = Regulation.V2020,
    policies: Policies | None = None,
    write_ins: bool = True,
    write_in_lines: int = 0,
    **contest_extra: object,
) -> Election:
    """One stage ("s") with contests c1, c2, … and a roll of `should_attend` voting members."""
    cs = [
        Contest(
            id=f"c{i + 1}", post="委员" if seats > 1 else "书记", seats=seats,
            candidates=[Candidate(name=n) for n in cands],
            **({"write_ins": write_ins} if kind is StageKind.ELECTION else {}),
            **({"write_in_lines": write_in_lines} if kind is StageKind.RECOMMENDATION else {}),
            **contest_extra,  # type: ignore[arg-type]
        )
        for i, (seats, cands) in enumerate(contests)
    ]
    return Election(
        id="test", title="测试选举", organisation="测试支部", meeting_date="2026-01-05",  # type: ignore[arg-type]
        regulation=regulation, policies=policies or Policies(),
        roll=Roll(members=[Member(name=f"党员{i:03d}") for i in range(should_attend)]),
        stages=[Stage(id="s", title="测试票", kind=kind, contests=cs)],
    )


class Ballots:
    """Readings of one stage's ballots: every mark box empty and nothing written unless told."""

    def __init__(self, election: Election, stage_id: str) -> None:
        self.election = election
        self.stage = election.stage(stage_id)
        sheets = build_sheets(election, self.stage)
        self.layouts: dict[str, BallotLayout] = {s.layout.style_id: s.layout for s in sheets}
        self._serial = count(1)

    # box ids -------------------------------------------------------------------------------
    def _find(self, contest: str, role: BoxRole, candidate: str | None = None, *, slot: int | None = None,
              grade: str | None = None, style: str = "main") -> str:
        for b in self.layouts[style].boxes:
            if (b.contest, b.role, b.grade) == (contest, role, grade) and (
                b.candidate == candidate if candidate else b.slot == slot
            ):
                return b.id
        raise KeyError((contest, role, candidate, slot, grade))

    def sym(self, contest: str, candidate: str) -> str:
        return self._find(contest, BoxRole.SYMBOL, candidate)

    def alt(self, contest: str, candidate: str) -> tuple[str, str]:
        """(the ○ box above the write-in, the write-in name area) under a candidate."""
        return self._find(contest, BoxRole.ALT_SYMBOL, candidate), self._find(contest, BoxRole.ALT_NAME, candidate)

    def choose(self, contest: str, candidate: str) -> str:
        return self._find(contest, BoxRole.CHOOSE, candidate)

    def blank(self, contest: str, slot: int) -> tuple[str, str]:
        return self._find(contest, BoxRole.BLANK_SYMBOL, slot=slot), self._find(contest, BoxRole.BLANK_NAME, slot=slot)

    def trust(self, contest: str, candidate: str, trust: bool = True) -> str:
        return self._find(contest, BoxRole.TRUST if trust else BoxRole.DISTRUST, candidate)

    def grade(self, contest: str, candidate: str, grade: str, style: str = "main") -> str:
        return self._find(contest, BoxRole.GRADE, candidate, grade=grade, style=style)

    # readings --------------------------------------------------------------------------------
    def identity(self, style: str = "main") -> QrIdentity:
        layout = self.layouts[style]
        return QrIdentity(election_id=layout.election_id, stage_id=layout.stage_id, style_id=style, page=1, pages=1,
                          layout_hash=layout.layout_hash)

    def _sha(self) -> str:
        return hashlib.sha256(f"{self.election.id}/{self.stage.id}/{next(self._serial)}".encode()).hexdigest()

    def read(
        self,
        marks: Mapping[str, MarkClass | str] | None = None,
        writing: Mapping[str, bool | None] | None = None,
        *,
        style: str = "main",
        reasons: Iterable[tuple[ReviewCode, str | None]] = (),
        quality: Iterable[QualityFlag] = (),
        omit: Iterable[str] = (),
    ) -> PageReading:
        marks, writing, omit = dict(marks or {}), dict(writing or {}), set(omit)
        layout = self.layouts[style]
        unknown = (set(marks) | set(writing)) - {b.id for b in layout.boxes}
        assert not unknown, f"no such boxes: {unknown}"
        boxes = [
            BoxReading(id=b.id, mark_class=MarkClass(marks.get(b.id, MarkClass.EMPTY)), score=0.0, confidence=1.0)
            for b in layout.boxes if b.kind is BoxKind.MARK and b.id not in omit
        ]
        write_ins = [
            WriteInReading(id=b.id, ink=0.0, has_writing=writing.get(b.id, False))
            for b in layout.boxes if b.kind is BoxKind.WRITE_IN and b.id not in omit
        ]
        review = [ReviewReason(code=code, box_id=box, zh="需复核", en="needs review") for code, box in reasons]
        ident = self.identity(style)
        result = (
            NeedsReview(identity=ident, boxes=boxes, write_ins=write_ins, quality=list(quality), reasons=review)
            if review
            else Interpreted(identity=ident, boxes=boxes, write_ins=write_ins, quality=list(quality))
        )
        return PageReading(source=f"scan-{next(self._serial):04d}.png", image_sha256=self._sha(), result=result)

    def blank_page(self) -> PageReading:
        return PageReading(source="back.png", image_sha256=self._sha(), result=BlankPage())

    def not_a_ballot(self) -> PageReading:
        return PageReading(source="stray.png", image_sha256=self._sha(),
                           result=NotABallot(zh="不是选票", en="not a ballot"))

    def vote(self, contest: str, agree: Iterable[str] = (), disagree: Iterable[str] = (),
             write_ins: Mapping[str, bool] | None = None, style: str = "main") -> PageReading:
        """An election ballot: ○ on `agree`, × on `disagree`, and under each key of `write_ins`
        a written name, with its ○ when the value is True."""
        marks: dict[str, str] = {self.sym(contest, n): "circle" for n in agree}
        marks |= {self.sym(contest, n): "cross" for n in disagree}
        writing: dict[str, bool | None] = {}
        for under, circle in (write_ins or {}).items():
            sym, name = self.alt(contest, under)
            writing[name] = True
            if circle:
                marks[sym] = "circle"
        return self.read(marks, writing, style=style)

    # decisions -------------------------------------------------------------------------------
    @staticmethod
    def ref(reading: PageReading) -> BallotRef:
        return BallotRef.of(reading)

    def mark(self, reading: PageReading, box_id: str, cls: str) -> MarkDecision:
        return MarkDecision(ballot=self.ref(reading), box_id=box_id, mark_class=MarkClass(cls), by="总监票人",
                            why="监票人共同认定")

    def name(self, reading: PageReading, box_id: str, name: str | None) -> WriteInDecision:
        return WriteInDecision(ballot=self.ref(reading), box_id=box_id, name=name, by="总监票人", why="字迹认定")

    def void(self, reading: PageReading) -> VoidDecision:
        return VoidDecision(ballot=self.ref(reading), reason=VoidReason.EXTRA_MARKS, by="总监票人",
                            why="票面有其他标记")

    def accept(self, reading: PageReading) -> AcceptDecision:
        return AcceptDecision(ballot=self.ref(reading), by="总监票人", why="方格外笔迹为误触，不影响")

    def exclude(self, reading: PageReading) -> ExcludeDecision:
        return ExcludeDecision(ballot=self.ref(reading), reason=ExcludeReason.NOT_A_BALLOT, by="总监票人",
                               why="混入的便条")
