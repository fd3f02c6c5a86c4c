"""The next stage's definition from a result: shortlists, trust, 倒选 / 顺选, revotes, 另行选举."""

from __future__ import annotations

import pytest

from station.ballot_layout import build_sheets
from station.election import Candidate, Contest, Election, ElectionVariant, PostKind, Stage, StageKind
from station.rules.attendance import Attendance
from station.rules.chaining import (
    ChainingRefused,
    from_election,
    from_recommendation,
    from_trust,
    revote_stage,
    separate_election_stage,
    with_stage,
)
from station.rules.tally import count_stage
from tests.rules.ballots import Ballots, make_election


def run(b: Ballots, readings, present: int, decisions=()):
    return count_stage(b.election, b.stage.id, readings, Attendance(present=present, issued=present), decisions)


def test_recommendation_shortlist_becomes_the_trust_ballot(demo: Election):
    b = Ballots(demo, "tuijian")
    wy = ["张伟", "刘洋", "陈静", "赵敏", "黄海涛", "丁一凡", "亓凤英"]

    def ballot(k: int, secretary: str):
        marks = {b.choose("weiyuan", n): "circle" for n in wy[k:k + 5]}
        return b.read(marks | {b.choose("shuji", secretary): "circle"})

    readings = [ballot(0, "王建国"), ballot(0, "王建国"), ballot(0, "王建国"), ballot(1, "李秀英"),
                ballot(2, "李秀英"), ballot(1, "欧阳晓燕"), ballot(0, "司马振国")]
    r = run(b, readings, present=7)
    shuji = {c.contest: c for c in r.contests}["shuji"]
    assert shuji.outcome is not None and shuji.outcome.size == 3  # 1:3
    assert shuji.outcome.advancing == ["王建国", "李秀英"]
    assert shuji.outcome.tie_at_cut is not None and shuji.outcome.tie_at_cut.tied == ["司马振国", "欧阳晓燕"]
    with pytest.raises(ChainingRefused):
        from_recommendation(demo, r, "xinren")  # people settle a tie at the cut first
    r = run(b, [*readings, ballot(0, "欧阳晓燕")], present=8)
    stage = from_recommendation(demo, r, "xinren")
    assert [c.name for c in stage.contest("shuji").ordered_candidates()] == ["王建国", "李秀英", "欧阳晓燕"]
    weiyuan = {c.contest: c for c in r.contests}["weiyuan"]
    assert weiyuan.outcome is not None and weiyuan.outcome.size == 6
    assert [c.name for c in stage.contest("weiyuan").candidates] == weiyuan.outcome.advancing
    assert build_sheets(with_stage(demo, stage), stage)  # printable


def test_trust_result_becomes_the_election_ballot(demo: Election):
    b = Ballots(demo, "xinren")
    yes = {b.trust("shuji", "王建国"): "circle"} | {b.trust("weiyuan", n): "circle"
                                                   for n in ["张伟", "陈静", "赵敏", "丁一凡", "亓凤英"]}
    r = run(b, [b.read(yes) for _ in range(3)] + [b.read()], present=4)
    stage = from_trust(demo, r, "xuanju")
    assert [c.name for c in stage.contest("shuji").candidates] == ["王建国"]
    assert "上官文静" not in [c.name for c in stage.contest("weiyuan").candidates]


def two_stage(variant: ElectionVariant) -> Election:
    sec = Contest(id="shuji", post="书记", post_kind=PostKind.SECRETARY, seats=1,
                  candidates=[Candidate(name="王建国"), Candidate(name="李秀英")])
    mem = Contest(id="weiyuan", post="委员", post_kind=PostKind.MEMBER, seats=2,
                  candidates=[Candidate(name=n) for n in ["张伟", "陈静", "赵敏"]])
    e = make_election()
    first, second = (sec, mem) if variant is ElectionVariant.SECRETARY_FIRST else (mem, sec)
    stages = [Stage(id="a", title="第一轮", kind=StageKind.ELECTION, contests=[first]),
              Stage(id="b", title="第二轮", kind=StageKind.ELECTION, contests=[second])]
    return e.model_copy(update={"stages": stages, "counting": e.counting.model_copy(update={"variant": variant})})


def test_secretary_first_losers_join_the_committee_ballot():
    e = two_stage(ElectionVariant.SECRETARY_FIRST)
    b = Ballots(e, "a")
    r = run(b, [b.vote("shuji", agree=["王建国"]) for _ in range(20)] + [b.vote("shuji", agree=["李秀英"])], 30)
    stage = from_election(e, r, "b")
    assert [c.name for c in stage.contest("weiyuan").candidates] == ["张伟", "陈静", "赵敏", "李秀英"]


def test_committee_first_winners_stand_for_secretary():
    e = two_stage(ElectionVariant.COMMITTEE_FIRST)
    b = Ballots(e, "a")
    r = run(b, [b.vote("weiyuan", agree=["张伟", "赵敏"]) for _ in range(20)], 30)
    stage = from_election(e, r, "b")
    assert sorted(c.name for c in stage.contest("shuji").candidates) == sorted(["张伟", "赵敏"])


def test_simultaneous_has_nothing_to_chain():
    e = make_election()
    b = Ballots(e, "s")
    with pytest.raises(ChainingRefused):
        from_election(e, run(b, [], 30), "s")


def test_revote_among_the_tied_and_separate_election():
    cands = ["王一", "李二", "张三", "刘四", "陈五"]
    e = make_election(contests=[(2, cands)])
    b = Ballots(e, "s")
    tie = ([b.vote("c1", agree=["王一", "张三"]) for _ in range(14)]
           + [b.vote("c1", agree=["王一", "刘四"]) for _ in range(14)]
           + [b.vote("c1", agree=["张三", "刘四"]) for _ in range(2)])
    stage = revote_stage(e, run(b, tie, 30))
    assert stage is not None and stage.id == "s-tie" and stage.title.endswith("（重新投票）")
    c = stage.contests[0]
    assert c.seats == 1 and [x.name for x in c.candidates] == ["刘四", "张三"] and not c.write_ins
    assert separate_election_stage(e, run(b, tie, 30)) is None

    short = [b.vote("c1", agree=["王一"]) for _ in range(20)] + [b.vote("c1", agree=["李二"]) for _ in range(5)]
    r = run(b, short, 30)
    stage = separate_election_stage(e, r)
    assert stage is not None and stage.contests[0].seats == 1
    assert [x.name for x in stage.contests[0].candidates][:1] == ["李二"]  # by votes
    assert separate_election_stage(e, r, {"c1": ["李二", "张三"]}).contests[0].candidates[1].name == "张三"
    with pytest.raises(ChainingRefused):
        separate_election_stage(e, r, {"c1": ["王一", "李二"]})  # 王一 is already elected
    e2 = with_stage(e, stage)
    assert [s.id for s in e2.stages] == ["s", "s-extra"]
    assert Ballots(e2, "s-extra").layouts["main"].stage_id == "s-extra"


def test_nothing_chains_from_a_pending_result(demo: Election):
    b = Ballots(demo, "tuijian")
    r = run(b, [b.read({b.choose("shuji", "王建国"): "unclear"})], 1)
    with pytest.raises(ChainingRefused):
        from_recommendation(demo, r, "xinren")
