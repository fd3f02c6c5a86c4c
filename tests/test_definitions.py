"""Election definitions: round trip, every validation rule, bilingual errors, schema in docs."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from station.definition_io import dump_election, election_json_schema, load_election, parse_election
from station.election import Election, StageKind, min_competitive_candidates
from station.errors import DefinitionError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def raw(demo_path: Path) -> dict[str, Any]:
    return yaml.safe_load(demo_path.read_text(encoding="utf-8"))


def _stage(raw: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in raw["stages"] if s["id"] == sid)


def _error(data: dict[str, Any]) -> DefinitionError:
    with pytest.raises(DefinitionError) as err:
        parse_election(data, "test.yaml")
    return err.value


def test_demo_is_complete(demo: Election) -> None:
    assert {s.kind for s in demo.stages} == set(StageKind)
    assert 40 <= len(demo.roll.members) <= 50
    assert demo.roll.should_attend == 40  # 45 members, 3 without vote, 2 excused
    names = {c.name for s in demo.stages for k in s.contests for c in k.candidates}
    assert {"欧阳晓燕", "上官文静"} <= names  # compound surnames


def test_round_trip(demo: Election, tmp_path: Path) -> None:
    text = dump_election(demo)
    again = parse_election(json.loads(text))
    assert again == demo
    f = tmp_path / "e.json"
    f.write_text(text, encoding="utf-8")
    assert load_election(f) == demo


def test_candidates_print_in_stroke_order(demo: Election) -> None:
    c = demo.stage("xuanju").contest("weiyuan")
    assert [x.name for x in c.ordered_candidates()] == ["丁一凡", "上官文静", "亓凤英", "张伟", "陈静", "赵敏"]


@pytest.mark.parametrize(
    ("mutate", "zh", "en"),
    [
        (lambda r: _stage(r, "xuanju")["contests"][0].update(seats=0), "数值过小", "greater than or equal to 1"),
        (
            lambda r: _stage(r, "xuanju")["contests"][1]["candidates"].append({"name": "张伟"}),
            "候选人姓名重复",
            "duplicate candidate names",
        ),
        (lambda r: _stage(r, "xuanju")["contests"][1].update(seats=7), "少于应选人数", "fewer candidates"),
        (lambda r: r["roll"]["members"].append({"name": "王建国"}), "名册中姓名重复", "duplicate names on the roll"),
        (
            lambda r: r["roll"]["excused"].append({"name": "不存在", "reason": "abroad"}),
            "不在名册中",
            "not on the roll",
        ),
        (lambda r: r.update(regulation="2000"), "取值须为", "1990"),
        (lambda r: r.update(colour="red"), "不认识的字段", "Extra inputs are not permitted"),
        (lambda r: r.pop("meeting_date"), "缺少必填项", "Field required"),
        (lambda r: r.update(id="Bad Id"), "格式不对", "String should match pattern"),
        (
            lambda r: _stage(r, "xuanju")["contests"][0]["candidates"].append({"name": "John"}),
            "笔画数据中没有",
            "no stroke data",
        ),
        (lambda r: _stage(r, "tuijian")["contests"][0].update(max_choices=9), "多于名单与空白行之和", "more choices"),
        (lambda r: _stage(r, "xuanju")["contests"][0].update(write_in_lines=2), "仅用于推荐票", "recommendation"),
        (lambda r: _stage(r, "ceping")["groups"][0].update(weight=0.9), "权重之和须为 1", "add up to 1"),
        (lambda r: r["stages"].append(copy.deepcopy(r["stages"][0])), "轮次编号重复", "duplicate stage ids"),
    ],
)
def test_validation_errors_are_bilingual(raw: dict[str, Any], mutate, zh: str, en: str) -> None:
    mutate(raw)
    err = _error(raw)
    assert zh in err.zh, err.zh
    assert en in err.en, err.en
    assert "test.yaml" in err.zh and "test.yaml" in err.en


def test_error_says_where(raw: dict[str, Any]) -> None:
    _stage(raw, "xuanju")["contests"][0].update(seats=0)
    err = _error(raw)
    assert "stages[3].contests[1].seats" in err.zh  # people count from 1


@pytest.mark.parametrize(("seats", "need"), [(1, 2), (3, 4), (5, 6), (6, 8), (7, 9), (10, 12)])
def test_competitive_margin_rounds_up(seats: int, need: int) -> None:
    assert min_competitive_candidates(seats) == need


def test_margin_below_20_percent_is_flagged(raw: dict[str, Any]) -> None:
    assert parse_election(raw).notices() == []
    _stage(raw, "xuanju")["contests"][1]["candidates"].pop()  # 5 seats, 5 candidates
    notices = parse_election(raw).notices()
    assert len(notices) == 1 and "差额" in notices[0].zh and "+20 %" in notices[0].en


def test_too_many_candidates_for_the_page(raw: dict[str, Any], tmp_path: Path) -> None:
    from station.strokes import _table

    chars = [c for c in list(_table())[2000:2400]]
    cands = [{"name": "王" + a + b} for a, b in zip(chars[0::2], chars[1::2], strict=False)][:150]
    _stage(raw, "xuanju")["contests"][1]["candidates"] = cands
    f = tmp_path / "big.yaml"
    f.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        load_election(f)
    assert "排不下" in err.value.zh and "too many candidates" in err.value.en


def test_a3_when_a4_is_too_small(raw: dict[str, Any], tmp_path: Path) -> None:
    from station.ballot_layout import build_sheets

    extra = ["马" + c for c in "一二三四五六七八九十"] + ["牛" + c for c in "一二三四五六七八九十"]
    _stage(raw, "xuanju")["contests"][1]["candidates"] += [{"name": n} for n in extra]
    e = parse_election(raw)
    sheets = build_sheets(e, e.stage("xuanju"))
    assert sheets[0].layout.paper == "A3"
    _stage(raw, "xuanju")["paper"] = "A4"
    with pytest.raises(DefinitionError):
        f = tmp_path / "a4.yaml"
        f.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        load_election(f)


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        ("id: [unclosed", "格式错误"),
        ("- just\n- a list\n", "须为键值结构"),
        ("\xff\xfe", None),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, zh: str | None) -> None:
    f = tmp_path / "bad.yaml"
    if zh is None:
        f.write_bytes(b"\xff\xfe\x00bad")
        zh = "无法读取"
    else:
        f.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        load_election(f)
    assert zh in err.value.zh


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as err:
        load_election(tmp_path / "nope.yaml")
    assert "找不到" in err.value.zh and "not found" in err.value.en


def test_schema_in_docs_is_current() -> None:
    committed = json.loads((ROOT / "docs" / "election.schema.json").read_text(encoding="utf-8"))
    assert committed == election_json_schema(), "run: ballot-station schema --out docs/election.schema.json"


def test_schema_validates_the_demo(raw: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.validate(json.loads(json.dumps(raw, default=str)), election_json_schema())
