"""Bad input gets a clear bilingual refusal, never a crash or a silent miscount."""

from __future__ import annotations

import pytest

from station.election import Election, Regulation
from station.errors import StationError
from station.layout import QrIdentity
from station.rules.attendance import Attendance
from station.rules.errors import DecisionRefused, InconsistentCounts, ReadingRefused
from station.rules.tally import count_stage
from tests.rules.ballots import Ballots
from vision.reading import Interpreted, PageReading, WrongElection


def run(b: Ballots, readings, present: int = 30, issued: int | None = None, decisions=()):
    att = Attendance(present=present, issued=present if issued is None else issued)
    return count_stage(b.election, b.stage.id, readings, att, decisions)


def bilingual(err: StationError) -> None:
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.zh)
    assert any(ch.isascii() and ch.isalpha() for ch in err.en)


def test_readings_of_another_stage_are_refused(demo: Election, xuanju: Ballots):
    other = Ballots(demo, "tuijian").read()
    with pytest.raises(ReadingRefused) as err:
        run(xuanju, [xuanju.read(), other])
    assert "tuijian" in err.value.zh and "tuijian" in err.value.en
    bilingual(err.value)


def test_readings_of_another_election_are_refused(demo: Election, xuanju: Ballots):
    r = xuanju.read()
    assert isinstance(r.result, Interpreted)
    foreign = r.model_copy(update={"result": r.result.model_copy(update={
        "identity": r.result.identity.model_copy(update={"election_id": "other-2026"})})})
    with pytest.raises(ReadingRefused, match="other-2026"):
        run(xuanju, [foreign])
    wrong = PageReading(source="x.png", image_sha256="ab" * 32, result=WrongElection(
        identity=QrIdentity(election_id="other", stage_id="s", style_id="main", page=1, pages=1, layout_hash="0" * 16),
        zh="别的选举的选票", en="a ballot of another election"))
    with pytest.raises(ReadingRefused, match="another election"):
        run(xuanju, [wrong])


def test_ballots_printed_from_another_layout_are_refused(demo: Election, xuanju: Ballots):
    r = xuanju.read()
    assert isinstance(r.result, Interpreted)
    moved = r.model_copy(update={"result": r.result.model_copy(update={
        "identity": r.result.identity.model_copy(update={"layout_hash": "f" * 16})})})
    with pytest.raises(ReadingRefused, match="another definition"):
        run(xuanju, [moved])


def test_the_same_image_twice_is_refused(xuanju: Ballots):
    r = xuanju.read()
    with pytest.raises(ReadingRefused, match="twice"):
        run(xuanju, [r, r])


def test_decisions_for_unknown_ballots_or_boxes_are_refused(xuanju: Ballots):
    r, other = xuanju.read(), xuanju.read()
    with pytest.raises(DecisionRefused):
        run(xuanju, [r], decisions=[xuanju.void(other)])
    with pytest.raises(DecisionRefused):
        run(xuanju, [r], decisions=[xuanju.mark(r, "weiyuan.c99.symbol", "circle")])
    with pytest.raises(DecisionRefused):  # a write-in decision on a mark box
        run(xuanju, [r], decisions=[xuanju.name(r, xuanju.sym("weiyuan", "张伟"), "张伟")])


def test_more_present_than_should_attend(demo: Election, xuanju: Ballots):
    should = demo.roll.should_attend
    assert should == 40  # 42 with voting rights, 2 excused
    with pytest.raises(InconsistentCounts) as err:
        run(xuanju, [], present=should + 1)
    assert "41" in err.value.zh and "40" in err.value.en
    bilingual(err.value)


def test_more_issued_than_present_is_noticed_not_refused(xuanju: Ballots):
    r = run(xuanju, [xuanju.read()], present=36, issued=38)
    assert any("38" in n.zh for n in r.notices)


def test_1990_election_with_2020_excuses_is_noticed(demo: Election):
    from station.election import Excused, ExcuseReason

    roll = demo.roll.model_copy(update={"excused": [Excused(name="韩冬", reason=ExcuseReason.DETAINED)]})
    e = demo.model_copy(update={"regulation": Regulation.V1990, "roll": roll})
    b = Ballots(e, "xuanju")
    r = run(b, [], present=35)
    assert any("2020" in n.zh for n in r.notices)


def test_cli_turns_refusals_into_exit_2_not_tracebacks(tmp_path, capsys):
    from station.cli import main

    lines = tmp_path / "r.jsonl"
    lines.write_text("{not json\n", encoding="utf-8")
    code = main(["tally", "--election", "sample_ballots/elections/demo-village.yaml", "--stage", "xuanju",
                 "--present", "30", "--issued", "30", str(lines)])
    assert code == 2
    err = capsys.readouterr().err
    assert "错误" in err and "Error" in err and "Traceback" not in err
