"""What the reports say, built from a StageResult: tables and lines, no layout, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from station.election import (
    ElectionVariant,
    InvalidScope,
    Regulation,
    ReturnedComparedTo,
    StageKind,
    TickPolicy,
    WriteInWithoutCircle,
)
from station.rules.attendance import BaseRule
from station.rules.election_result import ElectionContestResult
from station.rules.evaluation import EvaluationContestResult
from station.rules.recommendation import RecommendationContestResult
from station.rules.tally import ContestResult, StageResult, StageStatus
from station.rules.trust import TrustContestResult

Order = Literal["strokes", "votes"]
Col = tuple[str, str]  # (Chinese heading for the PDF, English key for the CSV)


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[Col]
    rows: list[list[str]]
    key: str = ""  # which CSV table it belongs to ("" = PDF only)


@dataclass(frozen=True)
class Lines:
    title: str
    lines: list[str]


Section = Table | Lines


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: list[str]
    sections: list[Section]
    signatures: list[str]
    footer: list[str] = field(default_factory=list)


KIND_NAME = {
    StageKind.ELECTION: "选举",
    StageKind.RECOMMENDATION: "推荐",
    StageKind.TRUST: "信任投票",
    StageKind.EVALUATION: "民主测评",
}
REGULATION_TEXT = {
    Regulation.V1990: "1990 年《中国共产党基层组织选举工作暂行条例》",
    Regulation.V2020: "2020 年《中国共产党基层组织选举工作条例》",
}
BASE_TEXT = {
    BaseRule.PRESENT: "赞成票超过实到会有选举权人数的半数始得当选",
    BaseRule.SHOULD_ATTEND: "赞成票超过应到会有选举权人数的半数始得当选",
}
POLICY_TEXT = {
    WriteInWithoutCircle.INVALID: "另选人姓名上方未画○：该票（或该职务部分）无效",
    WriteInWithoutCircle.ABSTAIN: "另选人姓名上方未画○：视为弃权，不计票",
    WriteInWithoutCircle.AGREE: "另选人姓名上方未画○：视为赞成",
    TickPolicy.AGREE: "画√：视为赞成（选中）",
    TickPolicy.REVIEW: "画√：由监票人认定",
    ReturnedComparedTo.ISSUED: "收回选票数与发出选票数比较",
    ReturnedComparedTo.VOTERS: "收回选票数与投票人数比较",
    InvalidScope.BALLOT: "某职务所选人数多于应选人数：整张票无效",
    InvalidScope.CONTEST: "某职务所选人数多于应选人数：仅该职务部分无效",
    ElectionVariant.SIMULTANEOUS: "书记、委员同选",
    ElectionVariant.COMMITTEE_FIRST: "先选委员、再从委员中选书记（顺选）",
    ElectionVariant.SECRETARY_FIRST: "先选书记、未当选者列入委员候选人（倒选）",
}
STATUS_TITLE = {
    StageStatus.FINAL: "计票完成",
    StageStatus.PENDING: "尚未完成：有选票待监票人认定，以下结果为临时计数，不得宣布",
    StageStatus.NO_QUORUM: "到会人数不足，会议不能进行选举",
    StageStatus.VOID: "收回选票多于发出选票，本次投票无效，应重新投票",
}


def _n(v: int | str | None) -> str:
    return "—" if v is None else str(v)


def subtitle(r: StageResult) -> list[str]:
    return [f"{r.organisation}　{r.election_title}", f"{r.stage_title}　{r.meeting_date:%Y年%m月%d日}"]


def attendance_table(r: StageResult) -> Table:
    a, t = r.attendance, r.totals
    cols: list[Col] = [
        ("应到", "should_attend"), ("不计入应到", "excused"), ("实到", "present"), ("发出选票", "issued"),
        ("收回选票", "returned"), ("有效票", "valid"), ("无效票", "invalid"), ("待认定", "pending"),
    ]
    row = [_n(a.should_attend), str(a.excused) if a.should_attend is not None else "—", str(a.present),
           str(a.issued), str(t.returned), str(t.valid), str(t.invalid), str(t.pending)]
    return Table("到会与票数", cols, [row], key="totals")


def validity_lines(r: StageResult) -> Lines:
    lines = [f"结论：{STATUS_TITLE[r.status]}"]
    if r.quorum:
        lines.append(f"法定人数：{r.quorum.zh}")
    rc = r.returned_check
    ok = "选举有效" if rc.valid else "选举无效"
    lines.append(f"收回选票 {rc.returned} 张，{POLICY_TEXT[rc.compared_to]}（{rc.limit}）：{ok}")
    reasons = {"too_many": "所选人数多于应选人数", "write_in_without_circle": "另选人未画○",
               "voided": "监票人裁定废票"}
    if r.totals.invalid_by_reason:
        lines.append("无效票：" + "，".join(f"{reasons[k]} {v} 张" for k, v in r.totals.invalid_by_reason.items()))
    if r.totals.blank_pages or r.totals.excluded:
        lines.append(f"另有空白页 {r.totals.blank_pages} 张、经认定非选票 {r.totals.excluded} 张，不计入收回票数")
    lines += [f"提示：{n.zh}" for n in r.notices]
    return Lines("投票是否有效", lines)


def settings_lines(r: StageResult) -> Lines:
    p, c = r.policies, r.counting
    lines = [f"依据：{REGULATION_TEXT[r.regulation]}"]
    for contest in r.contests:
        if isinstance(contest, ElectionContestResult):
            rule = BASE_TEXT[contest.base_rule]
            lines.append(f"{rule}（基数 {contest.base} 人，至少需 {contest.needed} 票）")
            break
    lines += [POLICY_TEXT[p.write_in_without_circle], POLICY_TEXT[p.tick], POLICY_TEXT[p.returned_compared_to],
              POLICY_TEXT[p.invalid_scope], f"选举方式：{POLICY_TEXT[c.variant]}"]
    if r.kind is StageKind.TRUST:
        lines.append(f"信任投票：信任票须超过到会人数的 {c.trust_pass_share}")
    return Lines("本次计票适用的规定", lines)


def evidence_lines(r: StageResult) -> list[str]:
    return [f"选票证据指纹 SHA-256：{r.evidence_sha256}", f"选举定义指纹 SHA-256：{r.definition_sha256}"]


def _sorted(people: list, order: Order) -> list:
    return sorted(people, key=lambda p: p.rank or 10**9) if order == "votes" else list(people)


def _source(on_ballot: bool, written: str) -> str:
    return "候选人" if on_ballot else written


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


ELECTION_COLS: list[Col] = [("职务", "contest"), ("名次", "rank"), ("姓名", "name"), ("来源", "source"),
                            ("赞成", "agree"), ("不赞成", "disagree"), ("弃权", "abstain"),
                            ("其中另选", "agree_by_write_in"), ("过半数", "over_half")]
RECOMMENDATION_COLS: list[Col] = [("职务", "contest"), ("名次", "rank"), ("姓名", "name"), ("来源", "source"),
                                  ("推荐票", "votes")]
TRUST_COLS: list[Col] = [("职务", "contest"), ("姓名", "name"), ("信任", "trust"), ("不信任", "distrust"),
                         ("弃权", "abstain"), ("无效", "spoiled"), ("通过", "passed")]
SCORE_COLS: list[Col] = [("职务", "contest"), ("名次", "rank"), ("姓名", "name"), ("综合得分", "score"),
                         ("精确值", "score_exact")]


def _election_table(c: ElectionContestResult, order: Order) -> Table:
    rows = [
        [c.contest, str(p.rank), p.name, _source(p.on_ballot, "另选"), str(p.agree), _n(p.disagree), _n(p.abstain),
         str(p.agree_by_write_in), _yes(p.over_half)]
        for p in _sorted(c.people, order)
    ]
    return Table(f"{c.post}（应选 {c.seats} 名，有效票 {c.valid} 张）", ELECTION_COLS, rows, key="people")


def _recommendation_table(c: RecommendationContestResult, order: Order) -> Table:
    rows = [[c.contest, str(p.rank), p.name, _source(p.on_ballot, "另推荐"), str(p.votes)]
            for p in _sorted(c.people, order)]
    title = f"{c.post}（应选 {c.seats} 名，每票最多推荐 {c.max_choices} 名，有效票 {c.valid} 张）"
    return Table(title, RECOMMENDATION_COLS, rows, key="people")


def _trust_table(c: TrustContestResult, order: Order) -> Table:
    people = sorted(c.people, key=lambda p: -p.trust) if order == "votes" else c.people
    rows = [[c.contest, p.name, str(p.trust), str(p.distrust), str(p.abstain), str(p.spoiled), _yes(p.passed)]
            for p in people]
    title = f"{c.post}（应选 {c.seats} 名，有效票 {c.valid} 张，信任票须不少于 {c.needed} 票）"
    return Table(title, TRUST_COLS, rows, key="people")


def _evaluation_tables(c: EvaluationContestResult, order: Order) -> list[Table]:
    people = _sorted(c.people, order)
    tables = []
    for i, g in enumerate(people[0].groups if people else []):
        grades = list(g.counts)
        cols: list[Col] = [("职务", "contest"), ("评议人", "group"), ("权重", "weight"), ("姓名", "name")]
        cols += [(name, f"grade:{name}") for name in grades]
        cols += [("弃权", "abstain"), ("无效", "spoiled"), ("得分", "score")]
        rows = [
            [c.contest, p.groups[i].group_name, p.groups[i].weight, p.name]
            + [str(p.groups[i].counts[x]) for x in grades]
            + [str(p.groups[i].abstain), str(p.groups[i].spoiled), _n(p.groups[i].score)]
            for p in people
        ]
        tables.append(Table(f"{c.post}：{g.group_name}（权重 {g.weight}）", cols, rows, key="evaluation"))
    rows = [[c.contest, _n(p.rank), p.name, _n(p.score), _n(p.score_exact)] for p in people]
    return [*tables, Table(f"{c.post}：综合得分", SCORE_COLS, rows, key="people")]


def people_tables(c: ContestResult, order: Order) -> list[Table]:
    match c:
        case ElectionContestResult():
            return [_election_table(c, order)]
        case RecommendationContestResult():
            return [_recommendation_table(c, order)]
        case TrustContestResult():
            return [_trust_table(c, order)]
        case EvaluationContestResult():
            return _evaluation_tables(c, order)
    raise AssertionError(c)


def outcome_lines(r: StageResult, c: ContestResult) -> Lines:
    title = f"{c.post}"
    if c.outcome is None:
        return Lines(title, [f"结果未定：{STATUS_TITLE[r.status]}"])
    match c:
        case ElectionContestResult():
            o = c.outcome
            votes = {p.name: p.agree for p in c.people}
            lines = [f"应选 {c.seats} 名，当选 {len(o.elected)} 名（按姓氏笔画为序）："
                     + ("、".join(f"{n}（{votes[n]} 票）" for n in o.elected) or "无")]
            if o.tie:
                lines.append(o.tie.zh)
            if o.unfilled:
                lines += [o.unfilled.zh, "可参加另行选举的人选（按得票多少）：" + "、".join(o.unfilled.may_stand)]
            return Lines(title, lines)
        case RecommendationContestResult():
            s = c.outcome
            lines = [f"下一轮人选 {s.size} 名（应选 {c.seats} 名 × {s.ratio}，向上取整），按得票多少："
                     + ("、".join(s.advancing) or "无")]
            if s.tie_at_cut:
                lines.append(s.tie_at_cut.zh)
            if s.short_by:
                lines.append(f"得票者不足，尚缺 {s.short_by} 名")
            return Lines(title, lines)
        case TrustContestResult():
            t = c.outcome
            return Lines(title, ["通过：" + ("、".join(t.passed) or "无"), "未通过：" + ("、".join(t.failed) or "无")])
        case EvaluationContestResult():
            return Lines(title, ["综合得分由高到低：" + ("、".join(c.outcome.ranking) or "无")])
    raise AssertionError(c)


def count_report(r: StageResult, order: Order = "strokes") -> Document:
    sections: list[Section] = [attendance_table(r), validity_lines(r)]
    for c in r.contests:
        sections += people_tables(c, order)
    sections.append(settings_lines(r))
    return Document(f"{KIND_NAME[r.kind]}计票结果报告单", subtitle(r), sections, ["计票人", "监票人", "总监票人"],
                    evidence_lines(r))


def result_report(r: StageResult) -> Document:
    sections: list[Section] = [attendance_table(r), validity_lines(r)]
    sections += [outcome_lines(r, c) for c in r.contests]
    sections.append(settings_lines(r))
    return Document(f"{KIND_NAME[r.kind]}结果报告表", subtitle(r), sections, ["监票人", "总监票人"], evidence_lines(r))
