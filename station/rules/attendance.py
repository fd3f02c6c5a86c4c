"""Is the vote valid? Quorum, and ballots returned against ballots issued (domain.md §3).

  quorum   1990 暂行条例: members present with voting rights must be more than 4/5 of those
           who should attend; exactly 4/5 is accepted by the central organisation
           department's explanation, so the station accepts it and says so.
           2020 条例: at least 4/5.
           Only an election (选举) needs a quorum of members: recommendation, trust and
           evaluation meetings include people who are not members and have no such rule.
  returned 1990 第十九条: returned ≤ issued → valid; more → void, vote again. Whether the
           comparison is with ballots issued or with the number who voted is
           policies.returned_compared_to (local rules differ).
  base     to be elected, agree votes must be strictly more than half of the base: members
           present with voting rights (1990 第二十二条) or who should attend (2020).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from station.election import Election, ExcuseReason, Notice, Regulation, ReturnedComparedTo, Stage, StageKind
from station.rules.errors import InconsistentCounts
from station.rules.model import Model

EXCUSES_2020 = frozenset(
    {ExcuseReason.DETAINED, ExcuseReason.SUSPENDED, ExcuseReason.MOBILE, ExcuseReason.UNREGISTERED}
)


class Attendance(Model):
    """What the meeting counts by hand: people present and ballots issued."""

    present: int = Field(ge=0, description="选举：到会有表决权的党员; 其他轮次：到会投票人数.")
    issued: int = Field(ge=0, description="发出选票数.")


class AttendanceReport(Model):
    voting_members: int = Field(description="有表决权的党员 (roll).")
    excused: int = Field(description="经批准不计入应到人数 (roll).")
    should_attend: int | None = Field(description="应到 (选举 only).")
    present: int
    issued: int


class Quorum(Model):
    regulation: Regulation
    should_attend: int
    present: int
    met: bool
    exactly_four_fifths: bool
    zh: str
    en: str


class BaseRule(StrEnum):
    PRESENT = "present"  # 1990: 实到会有选举权的人数
    SHOULD_ATTEND = "should_attend"  # 2020: 应到会有选举权的人数


class ReturnedCheck(Model):
    returned: int
    compared_to: ReturnedComparedTo
    limit: int
    valid: bool


def check_attendance(election: Election, stage: Stage, attendance: Attendance) -> tuple[AttendanceReport, list[Notice]]:
    """Refuse numbers that cannot all be true; note those merely worth a look."""
    roll = election.roll
    should = roll.should_attend if stage.kind is StageKind.ELECTION else None
    notices: list[Notice] = []
    if should is not None:
        if should == 0:
            raise InconsistentCounts(
                "名册中应到会有表决权的党员为 0，无法进行选举", "nobody with voting rights should attend: no election"
            )
        if attendance.present > should:
            raise InconsistentCounts(
                f"实到人数（{attendance.present}）多于应到人数（{should}）：请核对到会人数或名册中的请假人员",
                f"present ({attendance.present}) is more than should attend ({should}): check the count "
                "or the excused members on the roll",
            )
    if attendance.issued > attendance.present:
        notices.append(
            Notice(
                where=stage.id,
                zh=f"发出选票（{attendance.issued}）多于到会人数（{attendance.present}）",
                en=f"more ballots issued ({attendance.issued}) than people present ({attendance.present})",
            )
        )
    if election.regulation is Regulation.V1990:
        later = sorted({e.reason.value for e in roll.excused if e.reason in EXCUSES_2020})
        if later:
            notices.append(
                Notice(
                    where="roll.excused",
                    zh=f"请假原因 {'、'.join(later)} 是 2020 年条例才列入的，本次选举按 1990 年暂行条例",
                    en=f"excuse reasons {', '.join(later)} come from the 2020 regulation; this election follows 1990",
                )
            )
    report = AttendanceReport(
        voting_members=roll.voting_members,
        excused=len(roll.excused),
        should_attend=should,
        present=attendance.present,
        issued=attendance.issued,
    )
    return report, notices


def quorum(regulation: Regulation, should_attend: int, present: int) -> Quorum:
    exact = present * 5 == should_attend * 4
    met = present * 5 >= should_attend * 4  # 1990 strictly more, but exactly 4/5 is accepted
    if regulation is Regulation.V1990:
        rule_zh, rule_en = "超过应到人数的五分之四（1990 年暂行条例）", "more than 4/5 of should attend (1990)"
    else:
        rule_zh, rule_en = "不少于应到人数的五分之四（2020 年条例）", "at least 4/5 of should attend (2020)"
    if exact and regulation is Regulation.V1990:
        rule_zh += "；恰为五分之四，按中央组织部的解释视为有效"
        rule_en += "; exactly 4/5, accepted by the central organisation department's explanation"
    verdict_zh = "会议有效" if met else "不足法定人数，不能进行选举"
    verdict_en = "quorum met" if met else "no quorum: the vote cannot be held"
    return Quorum(
        regulation=regulation, should_attend=should_attend, present=present, met=met, exactly_four_fifths=exact,
        zh=f"应到 {should_attend} 人，实到 {present} 人；要求{rule_zh}：{verdict_zh}",
        en=f"should attend {should_attend}, present {present}; rule: {rule_en}: {verdict_en}",
    )


def returned_check(compared_to: ReturnedComparedTo, attendance: Attendance, returned: int) -> ReturnedCheck:
    limit = attendance.issued if compared_to is ReturnedComparedTo.ISSUED else attendance.present
    return ReturnedCheck(returned=returned, compared_to=compared_to, limit=limit, valid=returned <= limit)


def majority_base(regulation: Regulation, should_attend: int, present: int) -> tuple[int, BaseRule]:
    if regulation is Regulation.V1990:
        return present, BaseRule.PRESENT
    return should_attend, BaseRule.SHOULD_ATTEND


def needed_to_pass(base: int) -> int:
    """The fewest agree votes strictly more than half of `base` (exactly half is not enough)."""
    return base // 2 + 1
