"""Property tests over random elections and ballots (hypothesis)."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from station.election import Regulation
from station.rules.attendance import Attendance, needed_to_pass
from station.rules.election_result import decide
from station.rules.tally import StageResult, StageStatus, count_stage
from tests.rules.ballots import Ballots, make_election, names

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WRITTEN = ["孙立新", "马春花", "朱德明"]


@st.composite
def elections(draw, clean: bool = True):
    """A one-contest election, its ballots and attendance. `clean`: only ○, × and blanks (so the
    count is final); otherwise unclear and filled marks and write-ins appear too."""
    seats = draw(st.integers(1, 4))
    cands = names(draw(st.integers(seats, seats + 3)), start=draw(st.integers(0, 50)))
    should = draw(st.integers(5, 40))
    present = draw(st.integers(-(-should * 4 // 5), should))
    regulation = draw(st.sampled_from(list(Regulation)))
    b = Ballots(make_election(contests=[(seats, cands)], should_attend=should, regulation=regulation), "s")
    classes = ["empty", "circle", "circle", "cross"] + ([] if clean else ["unclear", "filled", "tick"])
    n = draw(st.integers(0, present))
    readings, decisions = [], []
    for _ in range(n):
        marks = {b.sym("c1", c): draw(st.sampled_from(classes)) for c in cands}
        writing = {}
        if not clean and draw(st.booleans()):
            under = draw(st.sampled_from(cands))
            sym, name = b.alt("c1", under)
            marks[b.sym("c1", under)] = "cross"
            marks[sym] = "circle"
            writing[name] = True
            r = b.read(marks, writing)
            decisions.append(b.name(r, name, draw(st.sampled_from(WRITTEN))))
        else:
            r = b.read(marks, writing)
        readings.append(r)
    return b, readings, decisions, Attendance(present=present, issued=present)


def run(b: Ballots, readings, attendance: Attendance, decisions=()) -> StageResult:
    return count_stage(b.election, "s", readings, attendance, decisions)


def tallies(r: StageResult) -> dict[str, tuple]:
    return {p.name: (p.agree, p.disagree, p.abstain) for c in r.contests for p in c.people}


@SETTINGS
@given(st.one_of(elections(clean=True), elections(clean=False)))
def test_nobody_with_half_or_less_is_elected_and_never_more_than_the_seats(case):
    b, readings, decisions, att = case
    r = run(b, readings, att, decisions)
    for c in r.contests:
        if c.outcome is None:
            assert r.status is not StageStatus.FINAL
            continue
        agree = {p.name: p.agree for p in c.people}
        assert all(agree[n] * 2 > c.base for n in c.outcome.elected)
        assert len(c.outcome.elected) + (c.outcome.tie.places if c.outcome.tie else 0) <= c.seats
        if c.outcome.unfilled:
            assert len(c.outcome.elected) + c.outcome.unfilled.seats == c.seats


@SETTINGS
@given(elections(clean=False), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_ballot_order(case, rnd: random.Random):
    b, readings, decisions, att = case
    shuffled = list(readings)
    rnd.shuffle(shuffled)
    assert run(b, readings, att, decisions) == run(b, shuffled, att, decisions)


@SETTINGS
@given(elections(clean=False))
def test_totals_reconcile(case):
    b, readings, decisions, att = case
    extra = [b.blank_page(), b.not_a_ballot()]
    r = run(b, readings + extra, att, decisions)
    t = r.totals
    assert t.valid + t.invalid + t.pending == t.returned == t.pages - t.blank_pages - t.excluded
    assert t.pages == len(readings) + 2 and t.blank_pages == 1 and t.pending >= 1
    for c in r.contests:
        for p in c.people:
            if p.on_ballot:
                assert p.agree + p.disagree + p.abstain == c.valid


@SETTINGS
@given(elections(clean=True), st.data())
def test_invalid_ballots_never_add_votes(case, data):
    b, readings, decisions, att = case
    att = Attendance(present=att.present, issued=att.present + 2)
    before = run(b, readings, att, decisions)
    cands = [c.name for c in b.stage.contests[0].candidates]
    seats = b.stage.contests[0].seats
    extra = []
    voided = b.read({b.sym("c1", c): data.draw(st.sampled_from(["circle", "cross", "empty"])) for c in cands})
    extra.append(voided)
    if len(cands) > seats:  # too many choices
        extra.append(b.read({b.sym("c1", c): "circle" for c in cands}))
    after = run(b, readings + extra, att, [*decisions, b.void(voided)])
    assert after.totals.invalid == before.totals.invalid + len(extra)
    assert after.totals.valid == before.totals.valid
    assert tallies(after) == tallies(before)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(names(12)), st.integers(0, 40), min_size=1, max_size=12),
    st.integers(1, 5),
    st.integers(0, 40),
)
def test_decide_alone(agree, seats, base):
    out = decide(seats, agree, base)
    need = needed_to_pass(base)
    assert need * 2 > base and (need - 1) * 2 <= base
    assert set(out.elected) <= {n for n, v in agree.items() if v >= need}
    assert len(out.elected) <= seats
    losers = [v for n, v in agree.items() if n not in out.elected and not (out.tie and n in out.tie.tied)]
    assert all(agree[n] > max(losers, default=-1) for n in out.elected)  # elected beat everyone left out
    if out.tie:
        assert len(out.tie.tied) > out.tie.places > 0
        assert all(agree[n] == out.tie.votes for n in out.tie.tied)
