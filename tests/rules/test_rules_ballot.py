"""One election ballot (选举票) through the rules: marks, write-ins, policies, decisions."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from station.election import Election, InvalidScope, Policies, TickPolicy, WriteInWithoutCircle
from station.rules.ballot import StageSheets, count_ballot
from station.rules.decisions import BallotDecisions, MarkDecision, decisions_by_ballot
from station.rules.votes import (
    ContestInvalid,
    ElectionVotes,
    Excluded,
    ExcludedWhy,
    Invalid,
    InvalidReason,
    Pending,
    PendingCode,
    Valid,
)
from tests.rules.ballots import Ballots
from vision.reading import QualityFlag, ReviewCode

W = "weiyuan"


def with_policies(e: Election, **kw: object) -> Election:
    return e.model_copy(update={"policies": e.policies.model_copy(update=kw)})


def one(b: Ballots, reading, *decisions):
    sheets = StageSheets.build(b.election, b.stage)
    decided = decisions_by_ballot(list(decisions)).get(b.ref(reading).key, BallotDecisions())
    return count_ballot(sheets, reading, decided)


def weiyuan(count) -> ElectionVotes:
    assert isinstance(count, Valid), count
    part = next(p for p in count.contests if p.contest == W)
    assert isinstance(part, ElectionVotes)
    return part


def codes(count) -> list[PendingCode]:
    assert isinstance(count, Pending), count
    return [i.code for i in count.items]


@pytest.mark.parametrize(("cls", "tick", "expected"), [
    ("empty", TickPolicy.AGREE, "abstain"),
    ("circle", TickPolicy.AGREE, "agree"),
    ("cross", TickPolicy.AGREE, "disagree"),
    ("tick", TickPolicy.AGREE, "agree"),
    ("tick", TickPolicy.REVIEW, None),
    ("filled", TickPolicy.AGREE, None),
    ("unclear", TickPolicy.AGREE, None),
])
def test_symbol_box_classes(demo, cls, tick, expected):
    b = Ballots(with_policies(demo, tick=tick), "xuanju")
    box = b.sym(W, "张伟")
    r = b.read({box: cls})
    got = one(b, r)
    if expected is None:
        assert codes(got) == [PendingCode.MARK]
        assert got.items[0].box_id == box and "张伟" in got.items[0].zh
        other = b.read({box: cls})
        assert isinstance(one(b, r, b.mark(other, box, "circle")), Pending)  # another sheet's decision
        assert weiyuan(one(b, r, b.mark(r, box, "circle"))).choices["张伟"] == "agree"
    else:
        assert weiyuan(got).choices["张伟"] == expected


def test_decision_settles_a_box_and_the_last_decision_wins(xuanju):
    b = xuanju
    box = b.sym(W, "张伟")
    r = b.read({box: "unclear"})
    assert weiyuan(one(b, r, b.mark(r, box, "cross"))).choices["张伟"] == "disagree"
    assert weiyuan(one(b, r, b.mark(r, box, "cross"), b.mark(r, box, "circle"))).choices["张伟"] == "agree"


def test_decided_tick_counts_even_when_ticks_are_reviewed(demo):
    b = Ballots(with_policies(demo, tick=TickPolicy.REVIEW), "xuanju")
    box = b.sym(W, "张伟")
    r = b.read({box: "tick"})
    assert weiyuan(one(b, r, b.mark(r, box, "tick"))).choices["张伟"] == "agree"


def test_decisions_cannot_be_unclear(xuanju):
    r = xuanju.read()
    with pytest.raises(ValidationError):
        MarkDecision(ballot=xuanju.ref(r), box_id=xuanju.sym(W, "张伟"), mark_class="unclear", by="x", why="y")
    with pytest.raises(ValidationError):
        MarkDecision(ballot=xuanju.ref(r), box_id=xuanju.sym(W, "张伟"), mark_class="circle", by="", why="y")


def test_write_in_under_cross_with_circle_needs_a_name_then_counts(xuanju):
    b = xuanju
    r = b.vote(W, agree=["陈静"], disagree=["张伟"], write_ins={"张伟": True})
    assert codes(one(b, r)) == [PendingCode.WRITE_IN_UNNAMED]
    _, name_box = b.alt(W, "张伟")
    v = weiyuan(one(b, r, b.name(r, name_box, " 刘 洋 ")))
    assert v.write_ins == ["刘洋"]  # spaces never part of a name: normalised
    assert v.choices["张伟"] == "disagree" and v.choices["陈静"] == "agree"
    v = weiyuan(one(b, r, b.name(r, name_box, None)))  # scrutineers: nothing nameable written
    assert v.write_ins == []


@pytest.mark.parametrize(("policy", "outcome"), [
    (WriteInWithoutCircle.ABSTAIN, "no_vote"),
    (WriteInWithoutCircle.AGREE, "vote"),
    (WriteInWithoutCircle.INVALID, "invalid"),
])
def test_write_in_without_circle_follows_the_policy(demo, policy, outcome):
    b = Ballots(with_policies(demo, write_in_without_circle=policy), "xuanju")
    r = b.vote(W, disagree=["张伟"], write_ins={"张伟": False})
    _, name_box = b.alt(W, "张伟")
    got = one(b, r, b.name(r, name_box, "刘洋"))
    if outcome == "invalid":
        assert isinstance(got, Invalid) and got.reason is InvalidReason.WRITE_IN_WITHOUT_CIRCLE
    else:
        assert weiyuan(got).write_ins == (["刘洋"] if outcome == "vote" else [])


def test_write_in_counts_only_under_a_cross(xuanju):
    b = xuanju
    for agree in ([], ["张伟"]):  # under a blank (abstain) or under ○ (agree)
        r = b.vote(W, agree=agree, write_ins={"张伟": True})
        v = weiyuan(one(b, r))
        assert v.write_ins == [] and v.choices["张伟"] == ("agree" if agree else "abstain")


def test_unclear_writing_matters_only_where_a_write_in_could_count(xuanju):
    b = xuanju
    sym, alt_sym = b.sym(W, "张伟"), b.alt(W, "张伟")
    r = b.read({sym: "cross", alt_sym[0]: "circle"}, {alt_sym[1]: None})
    assert codes(one(b, r)) == [PendingCode.WRITE_IN_UNCLEAR]
    r = b.read({alt_sym[0]: "circle"}, {alt_sym[1]: None})  # under a blank: cannot count either way
    assert isinstance(one(b, r), Valid)


def test_cross_above_a_write_in_is_reviewed(xuanju):
    b = xuanju
    alt_sym, _ = b.alt(W, "张伟")
    assert codes(one(b, b.read({alt_sym: "cross"}))) == [PendingCode.MARK]


def test_same_person_twice_is_for_people(xuanju):
    b = xuanju
    r = b.vote(W, agree=["陈静"], disagree=["张伟"], write_ins={"张伟": True})
    _, name_box = b.alt(W, "张伟")
    got = one(b, r, b.name(r, name_box, "陈静"))
    assert codes(got) == [PendingCode.SAME_PERSON_TWICE]
    # a printed candidate left blank in their own column and written in elsewhere: one agree
    r = b.vote(W, disagree=["张伟"], write_ins={"张伟": True})
    v = weiyuan(one(b, r, b.name(r, name_box, "陈静")))
    assert v.choices["陈静"] == "agree" and v.via_write_in == ["陈静"] and v.write_ins == []


def test_marks_outside_boxes_wait_for_accept_or_void(xuanju):
    b = xuanju
    r = b.read({b.sym(W, "张伟"): "circle"}, quality=[QualityFlag.MARKS_OUTSIDE_BOXES])
    assert codes(one(b, r)) == [PendingCode.BALLOT_REVIEW]
    assert weiyuan(one(b, r, b.accept(r))).choices["张伟"] == "agree"
    voided = one(b, r, b.accept(r), b.void(r))
    assert isinstance(voided, Invalid) and voided.reason is InvalidReason.VOIDED and voided.decided_by


def test_vision_review_reasons(xuanju):
    b = xuanju
    box = b.sym(W, "张伟")
    r = b.read({box: "circle"}, reasons=[(ReviewCode.MARGINAL_MARK, box), (ReviewCode.POOR_IMAGE, None)])
    got = one(b, r)
    assert sorted(codes(got)) == [PendingCode.BALLOT_REVIEW, PendingCode.MARK]
    assert weiyuan(one(b, r, b.mark(r, box, "circle"), b.accept(r))).choices["张伟"] == "agree"


def test_missing_box_is_not_guessed(xuanju):
    b = xuanju
    box = b.sym(W, "张伟")
    assert codes(one(b, b.read(omit=[box]))) == [PendingCode.MISSING_BOX]


def test_pages_that_are_not_ballots(xuanju):
    b = xuanju
    back = one(b, b.blank_page())
    assert isinstance(back, Excluded) and back.why is ExcludedWhy.BLANK_PAGE
    stray = b.not_a_ballot()
    assert codes(one(b, stray)) == [PendingCode.UNIDENTIFIED_PAGE]
    assert isinstance(one(b, stray, b.exclude(stray)), Excluded)
    assert isinstance(one(b, stray, b.void(stray)), Invalid)


def test_too_many_in_one_contest_voids_the_ballot_or_the_part(demo):
    over = {"shuji": ["王建国", "欧阳晓燕"]}  # 1 seat, 2 agrees
    for scope in InvalidScope:
        b = Ballots(with_policies(demo, invalid_scope=scope), "xuanju")
        marks = {b.sym("shuji", n): "circle" for n in over["shuji"]} | {b.sym(W, "张伟"): "circle"}
        got = one(b, b.read(marks))
        if scope is InvalidScope.BALLOT:
            assert isinstance(got, Invalid) and got.contest == "shuji" and got.reason is InvalidReason.TOO_MANY
        else:
            assert isinstance(got, Valid)
            parts = {p.contest: p for p in got.contests}
            assert isinstance(parts["shuji"], ContestInvalid)
            assert weiyuan(got).choices["张伟"] == "agree"


def test_default_policies_are_the_safe_ones():
    p = Policies()
    assert p.write_in_without_circle is WriteInWithoutCircle.ABSTAIN
    assert p.invalid_scope is InvalidScope.BALLOT


def test_counted_for_follows_the_vote(xuanju) -> None:
    from station.rules.ballot import StageSheets, count_ballot
    from station.rules.votes import counted_for

    sheets = StageSheets.build(xuanju.election, xuanju.stage)
    count = count_ballot(sheets, xuanju.vote("shuji", agree=["王建国"], disagree=["欧阳晓燕"]))
    assert counted_for(count, "王建国")
    assert not counted_for(count, "欧阳晓燕")
    assert not counted_for(count, "张伟")
