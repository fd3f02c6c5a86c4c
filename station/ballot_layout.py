"""Lay out ballots: election definition → sheets (geometry + what to draw), no I/O.

A `Sheet` is one printed page: its `BallotLayout` geometry (boxes, fiducials, QR) and the
decoration the printer draws around them (title, instructions, table rules, names). The
printer (`ballot_pdf`) and vision both take the geometry from the same `BallotLayout`.

Sizes are chosen for people and scanners: mark boxes 10 mm (a pen needs ≥ 8 mm), QR
modules ≥ 0.75 mm (≥ 4 px at 150 dpi), ArUco fiducials 12 mm in each corner.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from station.election import Contest, Election, Paper, Stage, StageKind
from station.errors import DefinitionError
from station.layout import (
    BallotLayout,
    BoxKind,
    BoxRole,
    Corner,
    Fiducial,
    LayoutBox,
    PageLayout,
    QrCode,
    Rect,
    geometry_hash,
    qr_payload,
)

PAPER_MM: dict[Paper, tuple[float, float]] = {Paper.A4: (210.0, 297.0), Paper.A3: (297.0, 420.0)}
EDGE = 8.0  # distance of fiducials from the sheet edge: inside every printer's margin
FIDUCIAL = 12.0
QR = 28.0
BOX = 10.0
BORDER = 0.4
WRITE_IN_INSET = 1.0  # a write-in area lies this far inside its printed frame
PT = 0.3528  # millimetres per point

MARKER_IDS = {Corner.TOP_LEFT: 0, Corner.TOP_RIGHT: 1, Corner.BOTTOM_RIGHT: 2, Corner.BOTTOM_LEFT: 3}

INSTRUCTIONS: dict[StageKind, list[str]] = {
    StageKind.ELECTION: [
        "说明：1. 赞成的画“○”，不赞成的画“×”，弃权的不画任何符号。",
        "2. 投不赞成票的，可以在该候选人下方“另选人”栏内写上另选人姓名，并在其上方“符号”栏内画“○”；",
        "    弃权的不得另选他人。3. 所选人数多于应选人数的为无效票。",
        "4. 符号要准确，笔迹要清楚；除规定的符号外，不得在选票上作其他标记。",
    ],
    StageKind.RECOMMENDATION: [
        "说明：1. 同意推荐的，在其姓名前的方格内画“○”；不同意的不画任何符号。",
        "2. 另推荐他人的，在空白行内写上其姓名，并在前面的方格内画“○”。",
        "3. 推荐人数多于规定人数的为无效票。4. 除规定的符号外，不得在推荐票上作其他标记。",
    ],
    StageKind.TRUST: [
        "说明：1. 对每名候选人，信任的在“信任”栏方格内画“○”，不信任的在“不信任”栏方格内画“○”，",
        "    弃权的不画任何符号。2. 对同一人既画“信任”又画“不信任”的，对该人的投票无效。",
        "3. 除规定的符号外，不得在票上作其他标记。",
    ],
    StageKind.EVALUATION: [
        "说明：1. 对每名被测评人，在所选等次下的方格内画“√”，每人只能选一个等次。",
        "2. 对同一人选两个及以上等次的，对该人的测评无效；不选的视为弃权。",
        "3. 除规定的符号外，不得在测评票上作其他标记。",
    ],
}


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    w: float
    h: float
    text: str
    size_pt: float
    align: str = "C"  # L, C or R


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.3


@dataclass
class Sheet:
    layout: BallotLayout
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    stamp: Rect | None = None

    @property
    def page(self) -> PageLayout:
        return self.layout.pages[0]


class _Overflow(Exception):
    pass


def _fit_size(text: str, width_mm: float, size_pt: float, min_pt: float = 7.0) -> float:
    """Shrink a CJK label until it fits its cell (a CJK glyph is about 1 em wide)."""
    while size_pt > min_pt and len(text) * size_pt * PT > width_mm - 1.5:
        size_pt -= 0.5
    return size_pt


class _Builder:
    def __init__(self, width: float, height: float) -> None:
        self.w = width
        self.h = height
        self.left = EDGE
        self.right = width - EDGE
        self.bottom_limit = height - EDGE - 18.0 - 4.0  # above the stamp box row
        self.y = 0.0
        self.texts: list[Text] = []
        self.lines: list[Line] = []
        self.boxes: list[LayoutBox] = []

    # primitives -----------------------------------------------------------------------
    def text(self, x: float, y: float, w: float, h: float, s: str, size: float, align: str = "C") -> None:
        self.texts.append(Text(x, y, w, h, s, size, align))

    def hline(self, x1: float, x2: float, y: float) -> None:
        self.lines.append(Line(x1, y, x2, y))

    def vline(self, x: float, y1: float, y2: float) -> None:
        self.lines.append(Line(x, y1, x, y2))

    def grid(self, x: float, y: float, cols: list[float], rows: list[float]) -> None:
        """Table rules: column widths and row heights from (x, y)."""
        total_w, total_h = sum(cols), sum(rows)
        yy = y
        for r in [0.0, *rows]:
            yy += r
            self.hline(x, x + total_w, yy)
        xx = x
        for c in [0.0, *cols]:
            xx += c
            self.vline(xx, y, y + total_h)

    def box(self, **kw: object) -> None:
        self.boxes.append(LayoutBox(page=1, **kw))  # type: ignore[arg-type]

    def need(self, height: float) -> float:
        """Reserve `height` mm of the flow; raise when the page is full."""
        if self.y + height > self.bottom_limit:
            raise _Overflow
        top = self.y
        self.y += height
        return top

    # contest blocks ---------------------------------------------------------------------
    def contest_title(self, text: str) -> None:
        top = self.need(7.0)
        self.text(self.left, top + 1.0, self.right - self.left, 5.5, text, 11, "L")

    def election_contest(self, c: Contest) -> None:
        cands = c.ordered_candidates()
        head, col = 16.0, 19.0
        per_row = int((self.right - self.left - head) // col)
        rows = [14.0, 10.0] + ([14.0, 18.0] if c.write_ins else [])
        labels = ["符号", "候选人"] + (["符号", "另选人"] if c.write_ins else [])
        self.contest_title(f"{c.post}（应选 {c.seats} 名）")
        for start in range(0, len(cands), per_row):
            chunk = cands[start : start + per_row]
            top = self.need(sum(rows))
            x0 = self.left
            self.grid(x0, top, [head] + [col] * len(chunk), rows)
            ry = top
            for label, rh in zip(labels, rows, strict=True):
                self.text(x0, ry, head, rh, label, 9)
                ry += rh
            for j, cand in enumerate(chunk):
                idx = start + j + 1
                cx = x0 + head + j * col
                base = f"{c.id}.c{idx:02d}"
                bx = cx + (col - BOX) / 2
                self.box(
                    id=f"{base}.symbol", kind=BoxKind.MARK, role=BoxRole.SYMBOL, contest=c.id,
                    candidate=cand.name, rect=Rect(x_mm=bx, y_mm=top + 2.0, w_mm=BOX, h_mm=BOX),
                )
                self.text(cx, top + rows[0], col, rows[1], cand.name, _fit_size(cand.name, col, 11))
                if c.write_ins:
                    y_sym = top + rows[0] + rows[1]
                    y_name = y_sym + rows[2]
                    self.box(
                        id=f"{base}.alt_symbol", kind=BoxKind.MARK, role=BoxRole.ALT_SYMBOL,
                        contest=c.id, candidate=cand.name, slot=idx, pair=f"{base}.alt_name",
                        rect=Rect(x_mm=bx, y_mm=y_sym + 2.0, w_mm=BOX, h_mm=BOX),
                    )
                    self.box(
                        id=f"{base}.alt_name", kind=BoxKind.WRITE_IN, role=BoxRole.ALT_NAME,
                        contest=c.id, candidate=cand.name, slot=idx, pair=f"{base}.alt_symbol",
                        rect=Rect(x_mm=cx + WRITE_IN_INSET, y_mm=y_name + WRITE_IN_INSET,
                                  w_mm=col - 2 * WRITE_IN_INSET, h_mm=rows[3] - 2 * WRITE_IN_INSET),
                    )
            self.need(3.0)

    def recommendation_contest(self, c: Contest) -> None:
        self.contest_title(f"{c.post}（应选 {c.seats} 名，最多推荐 {c.choices_allowed} 名）")
        entry, row_h = 37.0, 13.0
        per_row = int((self.right - self.left) // entry)
        cands = c.ordered_candidates()
        for start in range(0, len(cands), per_row):
            top = self.need(row_h)
            for j, cand in enumerate(cands[start : start + per_row]):
                idx = start + j + 1
                x = self.left + j * entry
                self.box(
                    id=f"{c.id}.c{idx:02d}.choose", kind=BoxKind.MARK, role=BoxRole.CHOOSE,
                    contest=c.id, candidate=cand.name,
                    rect=Rect(x_mm=x + 1.0, y_mm=top + 1.5, w_mm=BOX, h_mm=BOX),
                )
                self.text(x + BOX + 2.5, top + 1.5, entry - BOX - 3.5, BOX, cand.name,
                          _fit_size(cand.name, entry - BOX - 3.5, 11), "L")
        blank_entry = 47.0
        per_row = int((self.right - self.left) // blank_entry)
        for start in range(0, c.write_in_lines, per_row):
            top = self.need(row_h + 1.0)
            for j in range(min(per_row, c.write_in_lines - start)):
                slot = start + j + 1
                x = self.left + j * blank_entry
                base = f"{c.id}.w{slot:02d}"
                self.box(
                    id=f"{base}.symbol", kind=BoxKind.MARK, role=BoxRole.BLANK_SYMBOL, contest=c.id,
                    slot=slot, pair=f"{base}.name",
                    rect=Rect(x_mm=x + 1.0, y_mm=top + 1.5, w_mm=BOX, h_mm=BOX),
                )
                self.box(
                    id=f"{base}.name", kind=BoxKind.WRITE_IN, role=BoxRole.BLANK_NAME, contest=c.id,
                    slot=slot, pair=f"{base}.symbol",
                    rect=Rect(x_mm=x + BOX + 4.0, y_mm=top + 1.0, w_mm=blank_entry - BOX - 7.0, h_mm=11.0),
                )
        self.need(3.0)

    def _row_table(self, c: Contest, headers: list[str], name_w: float, col_w: float,
                   roles: list[tuple[BoxRole, str | None, str]], side_by_side: bool) -> None:
        """A table with one row per person and one mark box per column (信任票, 测评票)."""
        cands = c.ordered_candidates()
        table_w = name_w + col_w * len(headers)
        columns = 2 if side_by_side and 2 * table_w + 6 <= self.right - self.left else 1
        per_col = -(-len(cands) // columns)
        head_h, row_h = 8.0, 13.0
        top = self.need(head_h + row_h * per_col)
        for t in range(columns):
            part = cands[t * per_col : (t + 1) * per_col]
            if not part:
                continue
            x0 = self.left + t * (table_w + 6.0)
            self.grid(x0, top, [name_w] + [col_w] * len(headers), [head_h] + [row_h] * len(part))
            self.text(x0, top, name_w, head_h, "姓名", 9)
            for k, h in enumerate(headers):
                self.text(x0 + name_w + k * col_w, top, col_w, head_h, h, 9)
            for r, cand in enumerate(part):
                idx = t * per_col + r + 1
                y = top + head_h + r * row_h
                self.text(x0, y, name_w, row_h, cand.name, _fit_size(cand.name, name_w, 11))
                for k, (role, grade, suffix) in enumerate(roles):
                    bx = x0 + name_w + k * col_w + (col_w - BOX) / 2
                    self.box(
                        id=f"{c.id}.c{idx:02d}.{suffix}", kind=BoxKind.MARK, role=role, contest=c.id,
                        candidate=cand.name, grade=grade,
                        rect=Rect(x_mm=bx, y_mm=y + (row_h - BOX) / 2, w_mm=BOX, h_mm=BOX),
                    )
        self.need(3.0)

    def trust_contest(self, c: Contest) -> None:
        self.contest_title(f"{c.post}（应选 {c.seats} 名）")
        roles = [(BoxRole.TRUST, None, "trust"), (BoxRole.DISTRUST, None, "distrust")]
        self._row_table(c, ["信任", "不信任"], 34.0, 24.0, roles, side_by_side=True)

    def evaluation_contest(self, c: Contest, stage: Stage) -> None:
        self.contest_title(f"{c.post}")
        roles = [(BoxRole.GRADE, g.name, f"g{k + 1}") for k, g in enumerate(stage.grades)]
        self._row_table(c, [g.name for g in stage.grades], 34.0, 24.0, roles, side_by_side=False)


def _build(election: Election, stage: Stage, style_id: str, paper: Paper) -> Sheet:
    width, height = PAPER_MM[paper]
    b = _Builder(width, height)

    fiducials = [
        Fiducial(marker_id=MARKER_IDS[corner], corner=corner,
                 rect=Rect(x_mm=x, y_mm=y, w_mm=FIDUCIAL, h_mm=FIDUCIAL))
        for corner, x, y in [
            (Corner.TOP_LEFT, EDGE, EDGE),
            (Corner.TOP_RIGHT, width - EDGE - FIDUCIAL, EDGE),
            (Corner.BOTTOM_RIGHT, width - EDGE - FIDUCIAL, height - EDGE - FIDUCIAL),
            (Corner.BOTTOM_LEFT, EDGE, height - EDGE - FIDUCIAL),
        ]
    ]
    qr_rect = Rect(x_mm=width - EDGE - FIDUCIAL - 4.0 - QR, y_mm=EDGE, w_mm=QR, h_mm=QR)

    # Title block between the top-left fiducial and the QR code.
    tx0 = EDGE + FIDUCIAL + 4.0
    tw = qr_rect.x_mm - 4.0 - tx0
    b.text(tx0, EDGE + 1.0, tw, 9.0, stage.title, _fit_size(stage.title, tw, 18, 12))
    sub = f"{election.organisation}　{election.meeting_date:%Y年%m月%d日}"
    if stage.kind is StageKind.EVALUATION and stage.groups:
        group = next(g for g in stage.groups if g.id == style_id)
        sub += f"　（评议人：{group.name}）"
    b.text(tx0, EDGE + 11.0, tw, 6.0, sub, _fit_size(sub, tw, 10))
    b.y = EDGE + QR + 3.0
    for line in INSTRUCTIONS[stage.kind]:
        top = b.need(4.6)
        b.text(b.left, top, b.right - b.left, 4.6, line, 9, "L")
    b.need(3.0)

    for c in stage.contests:
        match stage.kind:
            case StageKind.ELECTION:
                b.election_contest(c)
            case StageKind.RECOMMENDATION:
                b.recommendation_contest(c)
            case StageKind.TRUST:
                b.trust_contest(c)
            case StageKind.EVALUATION:
                b.evaluation_contest(c, stage)

    stamp = Rect(x_mm=width - EDGE - FIDUCIAL - 4.0 - 44.0, y_mm=height - EDGE - 18.0, w_mm=44.0, h_mm=18.0)
    b.text(stamp.x_mm, stamp.y_mm + 0.5, stamp.w_mm, 4.5, "监票人盖章", 8)
    footer = f"{stage.id} · {style_id} · 第 1 页 共 1 页"
    b.text(EDGE + FIDUCIAL + 4.0, height - EDGE - 6.0, 80.0, 5.0, footer, 7, "L")

    draft = BallotLayout(
        election_id=election.id, stage_id=stage.id, style_id=style_id, paper=paper.value,
        border_mm=BORDER,
        pages=[PageLayout(page=1, width_mm=width, height_mm=height, fiducials=fiducials,
                          qr=QrCode(rect=qr_rect, payload=""))],
        boxes=b.boxes, layout_hash="",
    )
    h = geometry_hash(draft)
    page = draft.pages[0].model_copy(
        update={"qr": QrCode(rect=qr_rect, payload=qr_payload(election.id, stage.id, style_id, 1, 1, h))}
    )
    layout = draft.model_copy(update={"pages": [page], "layout_hash": h})
    return Sheet(layout=layout, texts=b.texts, lines=b.lines, stamp=stamp)


def build_sheet(election: Election, stage: Stage, style_id: str) -> Sheet:
    """The sheet of one ballot style; A4 when it fits and the paper is 'auto', else A3."""
    if style_id not in stage.styles:
        raise DefinitionError(
            f"轮次“{stage.title}”没有选票样式“{style_id}”", f"stage {stage.id} has no style '{style_id}'"
        )
    papers = [Paper.A4, Paper.A3] if stage.paper is Paper.AUTO else [stage.paper]
    for paper in papers:
        try:
            return _build(election, stage, style_id, paper)
        except _Overflow:
            continue
    sizes = "、".join(p.value for p in papers)
    raise DefinitionError(
        f"轮次“{stage.title}”的候选人太多，{sizes} 纸的一页排不下；请减少候选人或分设选票",
        f"stage {stage.id}: too many candidates for one {'/'.join(p.value for p in papers)} page; "
        "reduce the candidates or split the ballot",
    )


def build_sheets(election: Election, stage: Stage) -> list[Sheet]:
    return [build_sheet(election, stage, style) for style in stage.styles]


def check_fits(election: Election) -> None:
    for stage in election.stages:
        build_sheets(election, stage)
