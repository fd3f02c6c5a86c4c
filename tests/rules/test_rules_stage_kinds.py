"""推荐, 信任投票 and 民主测评 stages, on the demo election's real layouts."""

from __future__ import annotations

from fractions import Fraction

import pytest

from station.election import Election
from station.rules.attendance import Attendance
from station.rules.recommendation import shortlist
from station.rules.tally import StageStatus, count_stage
from station.rules.votes import Invalid, InvalidReason, Pending, PendingCode, Valid
from tests.rules.ballots import Ballots


def run(b: Ballots, readings, present: int, decisions=()):
    return count_stage(b.election, b.stage.id, readings, Attendance(present=present, issued=present), decisions)


# 推荐 -------------------------------------------------------------------------------------------

def recommend(b: Ballots, names: list[str], contest: str = "weiyuan", marks: str = "circle"):
    return b.read({b.choose(contest, n): marks for n in names})


def test_recommendation_choices_and_limits(demo: Election):
    b = Ballots(demo, "tuijian")
    wy = ["张伟", "刘洋", "陈静", "赵敏", "黄海涛", "丁一凡"]
    ok = recommend(b, wy[:5])
    ticks = recommend(b, wy[:2], marks="tick")  # √ where ○ is asked: a choice under the default policy
    crossed = recommend(b, wy[:1], marks="cross")  # × is not a prescribed mark here: people decide
    over = recommend(b, wy)  # 6 names, 5 allowed
    sym, name = b.blank("weiyuan", 1)
    written = b.read({b.choose("weiyuan", "张伟"): "circle", sym: "circle"}, {name: True})
    r = run(b, [ok, ticks, crossed, over, written], present=20, decisions=[b.name(written, name, "孙立新")])
    by = {x.ballot.key: x for x in r.ballots}
    assert isinstance(by[b.ref(over).key], Invalid) and by[b.ref(over).key].reason is InvalidReason.TOO_MANY
    assert isinstance(by[b.ref(crossed).key], Pending)
    assert r.status is StageStatus.PENDING and r.totals.pending == 1 and r.totals.returned == 5
    c = {x.contest: x for x in r.contests}["weiyuan"]
    votes = {p.name: p.votes for p in c.people}
    assert votes["张伟"] == 3 and votes["刘洋"] == 2 and votes["孙立新"] == 1
    assert c.outcome is None  # not final while a ballot is pending
    r = run(b, [ok, ticks, crossed, over, written], present=20, decisions=[
        b.name(written, name, "孙立新"), b.mark(crossed, b.choose("weiyuan", "张伟"), "cross")])
    assert r.status is StageStatus.FINAL
    c = {x.contest: x for x in r.contests}["weiyuan"]
    assert {p.name: p.votes for p in c.people}["张伟"] == 3  # a × let stand: not chosen
    assert c.outcome is not None and c.outcome.size == 6  # 5 seats × 6/5
    assert c.outcome.advancing[:2] == ["张伟", "刘洋"]


def test_written_name_of_a_printed_candidate_is_a_choice(demo: Election):
    b = Ballots(demo, "tuijian")
    sym, name = b.blank("weiyuan", 1)
    r = b.read({sym: "circle"}, {name: True})
    res = run(b, [r], present=5, decisions=[b.name(r, name, "张伟")])
    ballot = res.ballots[0]
    assert isinstance(ballot, Valid)
    assert ballot.contests[1].chosen == ["张伟"] and ballot.contests[1].written == []


def test_shortlist_cut_ties_and_shortfall():
    s = shortlist(3, Fraction(3), {"甲": 9, "乙": 7, "丙": 5, "丁": 5, "戊": 1})
    assert s.advancing == ["甲", "乙"] and s.tie_at_cut is not None
    assert s.tie_at_cut.places == 1 and s.tie_at_cut.tied == ["丁", "丙"]
    s = shortlist(3, Fraction(3), {"甲": 9, "乙": 0})
    assert s.advancing == ["甲"] and s.short_by == 2  # nobody goes forward without a vote
    s = shortlist(2, Fraction(2), {"甲": 4, "乙": 4, "丙": 4})
    assert s.advancing == [] and s.tie_at_cut is not None and s.tie_at_cut.places == 2


def test_member_ratio_outside_120_150_is_noticed(demo: Election):
    stage = demo.stage("tuijian")
    contests = [c.model_copy(update={"shortlist_ratio": Fraction(2)}) if c.id == "weiyuan" else c
                for c in stage.contests]
    e = demo.model_copy(update={"stages": [stage.model_copy(update={"contests": contests})]})
    r = run(Ballots(e, "tuijian"), [], present=1)
    assert any("120%" in n.zh for n in r.notices)


# 信任投票 --------------------------------------------------------------------------------------

def test_trust_vote(demo: Election):
    b = Ballots(demo, "xinren")
    trust_wang = {b.trust("shuji", "王建国"): "circle"}
    both = {b.trust("shuji", "欧阳晓燕"): "circle", b.trust("shuji", "欧阳晓燕", trust=False): "circle"}
    readings = [b.read(trust_wang) for _ in range(6)] + [b.read(both)] + [b.read() for _ in range(3)]
    too_many = b.read(trust_wang | {b.trust("shuji", "欧阳晓燕"): "circle"})  # 2 trusted, 1 seat
    r = run(b, [*readings, too_many], present=11)
    assert r.kind == "trust" and r.quorum is None  # no quorum rule for non-members' trust votes
    shuji = {c.contest: c for c in r.contests}["shuji"]
    people = {p.name: p for p in shuji.people}
    assert people["王建国"].trust == 6 and people["欧阳晓燕"].spoiled == 1
    assert shuji.needed == 6 and shuji.invalid == 1  # more than half of 11 present
    assert shuji.outcome is not None and shuji.outcome.passed == ["王建国"]
    two_thirds = demo.counting.model_copy(update={"trust_pass_share": Fraction(2, 3)})
    stricter = demo.model_copy(update={"counting": two_thirds})
    r = run(Ballots(stricter, "xinren"), [*readings, too_many], present=11)
    shuji = {c.contest: c for c in r.contests}["shuji"]
    assert shuji.needed == 8 and shuji.outcome is not None and shuji.outcome.passed == []


# 民主测评 --------------------------------------------------------------------------------------

def test_evaluation_scores(demo: Election):
    b = Ballots(demo, "ceping")
    grades = ["优秀", "合格", "基本合格", "不合格"]

    def rate(style: str, grade: str, extra: str | None = None):
        marks = {b.grade("banzi", "王建国", grade, style=style): "tick"}
        if extra:
            marks[b.grade("banzi", "王建国", extra, style=style)] = "tick"
        return b.read(marks, style=style)

    readings = (
        [rate("dangyuan", "优秀") for _ in range(3)] + [rate("dangyuan", "合格")]
        + [rate("qunzhong", "基本合格"), rate("qunzhong", "优秀", extra="合格")]  # second one spoiled
        + [rate("zhendangwei", "不合格")]
    )
    r = run(b, readings, present=7)
    assert r.status is StageStatus.FINAL
    person = {p.name: p for p in r.contests[0].people}["王建国"]
    g = {x.group: x for x in person.groups}
    assert g["dangyuan"].counts == dict(zip(grades, [3, 1, 0, 0], strict=True)) and g["dangyuan"].score == "95.00"
    assert g["qunzhong"].spoiled == 1 and g["qunzhong"].score == "60.00"
    assert g["zhendangwei"].score == "50.00"
    assert person.score_exact == str(Fraction(95 * 5 + 60 * 3 + 50 * 2, 10))  # 0.5/0.3/0.2 weights
    assert person.score == "75.50"
    nobody = {p.name: p for p in r.contests[0].people}["张伟"]
    assert nobody.score is None and nobody.rank is None  # no group rated him: no silent re-weighting


def test_circle_on_a_grade_box_follows_the_tick_policy(demo: Election):
    from station.election import TickPolicy

    strict = demo.model_copy(update={"policies": demo.policies.model_copy(update={"tick": TickPolicy.REVIEW})})
    for e, pending in ((demo, False), (strict, True)):
        b = Ballots(e, "ceping")
        r = run(b, [b.read({b.grade("banzi", "王建国", "优秀", style="dangyuan"): "circle"}, style="dangyuan")], 1)
        assert isinstance(r.ballots[0], Pending) is pending
        if pending:
            assert r.ballots[0].items[0].code is PendingCode.MARK


@pytest.mark.parametrize("stage", ["tuijian", "xinren", "xuanju", "ceping"])
def test_blank_ballot_is_valid_in_every_kind(demo: Election, stage: str):
    b = Ballots(demo, stage)
    style = next(iter(b.layouts))
    r = run(b, [b.read(style=style)], present=36)
    assert isinstance(r.ballots[0], Valid) and r.totals.valid == 1
