"""Every worked case of shared/domain.md §5, under both regulations where they differ."""

from __future__ import annotations

import pytest

from station.election import Regulation
from station.rules.attendance import Attendance
from station.rules.tally import StageResult, StageStatus, count_stage
from station.rules.votes import Invalid, InvalidReason, Valid
from tests.rules.ballots import Ballots, make_election, names

V1990, V2020 = Regulation.V1990, Regulation.V2020


def count(b: Ballots, readings, present: int, issued: int | None = None, decisions=()) -> StageResult:
    issued = present if issued is None else issued
    return count_stage(b.election, "s", readings, Attendance(present=present, issued=issued), decisions)


def votes_for(b: Ballots, pattern: list[tuple[int, list[str]]], contest: str = "c1"):
    """`n` ballots agreeing with exactly these names, for each (n, names)."""
    return [b.vote(contest, agree=who) for n, who in pattern for _ in range(n)]


@pytest.mark.parametrize(("regulation", "agree", "elected"), [
    (V1990, 13, True), (V1990, 12, False),  # base 25 present: more than half is 13
    (V2020, 15, False), (V2020, 16, True),  # base 30 should attend: 16
])
def test_case1_thirty_should_attend_twentyfive_present(regulation, agree, elected):
    b = Ballots(make_election(contests=[(1, ["王建国", "李秀英"])], regulation=regulation), "s")
    readings = votes_for(b, [(agree, ["王建国"]), (5, ["李秀英"]), (20 - agree, [])])
    r = count(b, readings, present=25)
    assert r.quorum is not None and r.quorum.met and r.status is StageStatus.FINAL
    c = r.contests[0]
    assert c.needed == (13 if regulation is V1990 else 16)
    assert c.base == (25 if regulation is V1990 else 30)
    assert c.outcome is not None
    assert c.outcome.elected == (["王建国"] if elected else [])
    assert (c.outcome.unfilled is None) == elected


@pytest.mark.parametrize("regulation", [V1990, V2020])
def test_case2_exactly_four_fifths_is_a_quorum(regulation):
    b = Ballots(make_election(regulation=regulation), "s")
    r = count(b, votes_for(b, [(24, ["王建国"])]), present=24)
    assert r.quorum is not None and r.quorum.met and r.quorum.exactly_four_fifths
    assert r.status is StageStatus.FINAL
    if regulation is V1990:
        assert "中央组织部" in r.quorum.zh  # accepted by the department's explanation, and said so


@pytest.mark.parametrize("regulation", [V1990, V2020])
def test_case3_below_four_fifths_no_vote(regulation):
    b = Ballots(make_election(regulation=regulation), "s")
    r = count(b, votes_for(b, [(23, ["王建国"])]), present=23)
    assert r.quorum is not None and not r.quorum.met
    assert r.status is StageStatus.NO_QUORUM
    assert all(c.outcome is None for c in r.contests)


@pytest.mark.parametrize(("returned", "status"), [(26, StageStatus.VOID), (25, StageStatus.FINAL),
                                                  (24, StageStatus.FINAL)])
def test_case4_more_returned_than_issued_voids_the_vote(returned, status):
    b = Ballots(make_election(), "s")
    r = count(b, votes_for(b, [(returned, ["王建国"])]), present=26, issued=25)
    assert r.totals.returned == returned
    assert r.returned_check.valid is (returned <= 25)
    assert r.status is status
    assert (r.contests[0].outcome is None) is (status is StageStatus.VOID)


def test_case4_compared_with_voters_by_policy():
    from station.election import Policies, ReturnedComparedTo

    e = make_election(policies=Policies(returned_compared_to=ReturnedComparedTo.VOTERS))
    b = Ballots(e, "s")
    r = count(b, votes_for(b, [(26, ["王建国"])]), present=26, issued=27)
    assert r.returned_check.limit == 26 and r.status is StageStatus.FINAL
    r = count(b, votes_for(b, [(26, ["王建国"])]), present=25, issued=27)
    assert r.status is StageStatus.VOID


def test_case5_too_many_choices_and_blank_ballot():
    cands = names(6)
    b = Ballots(make_election(contests=[(5, cands)]), "s")
    six = b.vote("c1", agree=cands)
    five_and_write_in = b.vote("c1", agree=cands[:5], disagree=[cands[5]], write_ins={cands[5]: True})
    blank = b.read()
    _, alt_name = b.alt("c1", cands[5])
    r = count(b, [six, five_and_write_in, blank], present=30,
              decisions=[b.name(five_and_write_in, alt_name, "赵敏")])
    by_key = {x.ballot.key: x for x in r.ballots}
    for bad in (six, five_and_write_in):
        got = by_key[b.ref(bad).key]
        assert isinstance(got, Invalid) and got.reason is InvalidReason.TOO_MANY
    ok = by_key[b.ref(blank).key]
    assert isinstance(ok, Valid)
    c = r.contests[0]
    assert c.valid == 1 and c.invalid == 2
    assert all(p.abstain == 1 and p.agree == 0 and p.disagree == 0 for p in c.people)
    assert "赵敏" not in [p.name for p in c.people]  # an invalid ballot's write-in adds nothing


@pytest.mark.parametrize(("regulation", "present", "half"), [(V1990, 24, 12), (V2020, 30, 15)])
def test_case6_exactly_half_is_not_elected(regulation, present, half):
    b = Ballots(make_election(regulation=regulation), "s")
    readings = votes_for(b, [(half, ["王建国"]), (present - half - 2, ["李秀英"]), (2, [])])
    r = count(b, readings, present=present)
    c = r.contests[0]
    assert c.people[0].name == "王建国" and c.people[0].agree == half and c.people[0].rank == 1
    assert c.outcome is not None and c.outcome.elected == []
    assert c.outcome.unfilled is not None and c.outcome.unfilled.seats == 1
    assert c.outcome.unfilled.may_stand == ["王建国", "李秀英"]  # by votes


@pytest.mark.parametrize("regulation", [V1990, V2020])
def test_case7_tie_for_the_last_seat(regulation):
    cands = ["王一", "李二", "张三", "刘四", "陈五"]
    b = Ballots(make_election(contests=[(3, cands)], regulation=regulation), "s")
    readings = votes_for(b, [
        (10, ["王一", "李二", "张三"]),
        (10, ["王一", "李二", "刘四"]),
        (8, ["张三", "刘四", "王一"]),
        (2, ["陈五", "李二"]),
    ])
    r = count(b, readings, present=30)
    c = r.contests[0]
    agree = {p.name: p.agree for p in c.people}
    assert agree == {"王一": 28, "李二": 22, "张三": 18, "刘四": 18, "陈五": 2}
    assert [p.over_half for p in c.people] == [True, True, True, True, False]
    assert c.outcome is not None
    assert c.outcome.elected == ["王一", "李二"]
    assert c.outcome.tie is not None
    assert c.outcome.tie.tied == ["刘四", "张三"] and c.outcome.tie.places == 1 and c.outcome.tie.votes == 18
    assert c.outcome.unfilled is None


@pytest.mark.parametrize("regulation", [V1990, V2020])
def test_case8_one_seat_neither_over_half(regulation):
    b = Ballots(make_election(regulation=regulation), "s")
    r = count(b, votes_for(b, [(14, ["王建国"]), (13, ["李秀英"]), (3, [])]), present=30)
    c = r.contests[0]
    assert c.outcome is not None and c.outcome.elected == [] and c.outcome.tie is None
    assert c.outcome.unfilled is not None
    assert c.outcome.unfilled.seats == 1 and c.outcome.unfilled.may_stand == ["王建国", "李秀英"]


def test_case9_abstain_and_write_in_does_not_count():
    b = Ballots(make_election(contests=[(1, ["王建国", "李秀英"])]), "s")
    sym, name = b.alt("c1", "王建国")
    ballot = b.read({sym: "circle"}, {name: True})  # 王建国 left blank, 赵敏 written with ○ under him
    r = count(b, [ballot], present=30)
    got = r.ballots[0]
    assert isinstance(got, Valid)
    assert got.contests[0].choices == {"王建国": "abstain", "李秀英": "abstain"}
    assert got.contests[0].write_ins == []
    assert r.status is StageStatus.FINAL  # nobody needs to name a write-in that cannot count
