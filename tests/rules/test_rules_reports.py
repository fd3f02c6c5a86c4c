"""Reports: Chinese PDFs that render, whose numbers equal the JSON's; CSV; the tally command."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import numpy as np
import pypdfium2
import pytest

from station.ballot_pdf import render_pdf
from station.cli import main
from station.election import Election
from station.reports.files import write_reports
from station.rules.attendance import Attendance
from station.rules.tally import StageResult, StageStatus, count_stage
from tests.rules.ballots import Ballots

WY = ["张伟", "陈静", "赵敏", "丁一凡", "亓凤英", "上官文静"]
DPI = 100


def demo_ballots(b: Ballots, n: int = 34, seed: int = 1):
    """A plausible meeting: mixed ○ and ×, one written-in name, one overvoted ballot."""
    rnd = random.Random(seed)
    readings, decisions = [], []
    for i in range(n):
        agree = rnd.sample(WY, 6 if i == 5 else rnd.randint(3, 5))
        cross = [x for x in WY if x not in agree and rnd.random() < 0.5]
        marks = {b.sym("weiyuan", x): "circle" for x in agree} | {b.sym("weiyuan", x): "cross" for x in cross}
        marks[b.sym("shuji", rnd.choice(["王建国", "王建国", "欧阳晓燕"]))] = "circle"
        writing = {}
        if i == 3 and cross:
            sym, name = b.alt("weiyuan", cross[0])
            marks[sym], writing[name] = "circle", True
        r = b.read(marks, writing)
        if writing:
            decisions.append(b.name(r, name, "孙立新"))
        readings.append(r)
    return readings, decisions


@pytest.fixture(scope="module")
def counted(tmp_path_factory, demo: Election) -> tuple[StageResult, Path]:
    b = Ballots(demo, "xuanju")
    readings, decisions = demo_ballots(b)
    result = count_stage(demo, "xuanju", [*readings, b.blank_page()], Attendance(present=36, issued=36), decisions)
    out = tmp_path_factory.mktemp("reports")
    write_reports(result, out)
    return result, out


def pdf_text(path: Path) -> list[str]:
    doc = pypdfium2.PdfDocument(str(path))
    try:
        return [line for i in range(len(doc)) for line in doc[i].get_textpage().get_text_range().splitlines()]
    finally:
        doc.close()


def dash(v: int | None) -> str:
    return "—" if v is None else str(v)


def test_the_demo_count_is_as_expected(counted):
    r, _ = counted
    assert r.status is StageStatus.FINAL
    assert (r.totals.returned, r.totals.valid, r.totals.invalid, r.totals.blank_pages) == (34, 33, 1, 1)
    assert r.totals.invalid_by_reason == {"too_many": 1}
    assert "孙立新" in [p.name for c in r.contests for p in c.people]


def test_pdf_numbers_equal_the_json(counted):
    r, out = counted
    lines = pdf_text(out / "qingshi-2026-xuanju-count-report.pdf")
    a, t = r.attendance, r.totals
    numbers = [a.should_attend, a.excused, a.present, a.issued, t.returned, t.valid, t.invalid, t.pending]
    assert " ".join(map(str, numbers)) in lines
    for c in r.contests:
        for p in c.people:
            source = "候选人" if p.on_ballot else "另选"
            row = (f"{p.rank} {p.name} {source} {p.agree} {dash(p.disagree)} {dash(p.abstain)} "
                   f"{p.agree_by_write_in} {'是' if p.over_half else '否'}")
            assert row in lines, row
    text = "\n".join(lines)
    for needed in ("计票结果报告单", "计票人", "监票人", "总监票人", r.evidence_sha256, r.definition_sha256,
                   "2020 年《中国共产党基层组织选举工作条例》", "另选人姓名上方未画○：视为弃权"):
        assert needed in text, needed


def test_result_report_names_the_elected_ties_and_signatures(counted):
    r, out = counted
    text = "\n".join(pdf_text(out / "qingshi-2026-xuanju-result-report.pdf"))
    assert "选举结果报告表" in text and "总监票人" in text and "计票人" not in text
    for c in r.contests:
        assert c.outcome is not None
        for name in c.outcome.elected:
            agree = next(p.agree for p in c.people if p.name == name)
            assert f"{name}（{agree} 票）" in text
        if c.outcome.tie:
            assert c.outcome.tie.zh in text


def test_pdf_renders_chinese_text(counted):
    _, out = counted
    for name in ("count-report", "result-report"):
        page = render_pdf(out / f"qingshi-2026-xuanju-{name}.pdf", DPI)[0]
        mm = DPI / 25.4
        title = page[int(15 * mm):int(25 * mm), int(60 * mm):int(150 * mm)]
        table = page[int(40 * mm):int(60 * mm), int(15 * mm):int(195 * mm)]
        margin = page[:int(10 * mm), :]
        assert (title < 128).mean() > 0.03, name  # the title's glyphs are drawn, not blank
        assert (table < 128).mean() > 0.02, name
        assert (margin < 128).mean() == 0  # nothing spills into the top margin


def test_reports_are_reproducible(counted, tmp_path):
    r, out = counted
    write_reports(r, tmp_path)
    for f in out.iterdir():
        assert (tmp_path / f.name).read_bytes() == f.read_bytes(), f.name


def test_csv_and_json_agree(counted):
    r, out = counted
    data = json.loads((out / "qingshi-2026-xuanju-result.json").read_text(encoding="utf-8"))
    assert StageResult.model_validate(data) == r
    with (out / "qingshi-2026-xuanju-people.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    people = {(c.contest, p.name): p for c in r.contests for p in c.people}
    assert len(rows) == len(people)
    for row in rows:
        p = people[(row["职务 contest"], row["姓名 name"])]
        assert int(row["赞成 agree"]) == p.agree and int(row["名次 rank"]) == p.rank
    with (out / "qingshi-2026-xuanju-totals.csv").open(encoding="utf-8-sig") as f:
        totals = dict(csv.reader(f))
    assert int(totals["valid"]) == r.totals.valid and totals["evidence_sha256"] == r.evidence_sha256


def test_order_by_votes(counted, tmp_path):
    r, _ = counted
    w = write_reports(r, tmp_path, order="votes")
    with w.people_csv.open(encoding="utf-8-sig") as f:
        ranks = [int(row["名次 rank"]) for row in csv.DictReader(f) if row["职务 contest"] == "weiyuan"]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("stage", ["tuijian", "xinren", "ceping"])
def test_reports_of_the_other_stage_kinds(demo: Election, stage: str, tmp_path: Path):
    b = Ballots(demo, stage)
    style = next(iter(b.layouts))
    marks = {bx.id: "tick" for bx in b.layouts[style].boxes if bx.id.endswith(("c01.choose", "c01.trust", ".g1"))}
    r = count_stage(demo, stage, [b.read(marks, style=style) for _ in range(3)], Attendance(present=3, issued=3))
    w = write_reports(r, tmp_path)
    text = "\n".join(pdf_text(w.count_pdf) + pdf_text(w.result_pdf))
    assert "计票结果报告单" in text and "结果报告表" in text
    assert (w.grades_csv is not None) is (stage == "ceping")
    for img in render_pdf(w.count_pdf, 50):
        assert (np.asarray(img) < 128).any()


def test_pending_result_says_so(demo: Election, tmp_path: Path):
    b = Ballots(demo, "xuanju")
    r = count_stage(demo, "xuanju", [b.read({b.sym("shuji", "王建国"): "unclear"})], Attendance(present=36, issued=36))
    text = "\n".join(pdf_text(write_reports(r, tmp_path).result_pdf))
    assert "尚未完成" in text and "结果未定" in text


def test_tally_command_end_to_end(demo: Election, tmp_path: Path, capsys):
    b = Ballots(demo, "xuanju")
    readings, decisions = demo_ballots(b, n=12, seed=7)
    folder = tmp_path / "readings"
    folder.mkdir()
    for k, part in enumerate((readings[:5], readings[5:])):  # a folder of JSON-lines files
        (folder / f"part{k}.jsonl").write_text(
            "".join(r.model_dump_json(by_alias=True) + "\n" for r in part), encoding="utf-8")
    (tmp_path / "decisions.jsonl").write_text("".join(d.model_dump_json() + "\n" for d in decisions), "utf-8")
    code = main(["tally", "--election", "sample_ballots/elections/demo-village.yaml", "--stage", "xuanju",
                 "--present", "36", "--issued", "36", str(folder), "--decisions", str(tmp_path / "decisions.jsonl"),
                 "--report", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    got = StageResult.model_validate_json(captured.out)
    assert got == count_stage(demo, "xuanju", readings, Attendance(present=36, issued=36), decisions)
    assert "计票完成" in captured.err and "count complete" in captured.err
    assert (tmp_path / "out" / "qingshi-2026-xuanju-count-report.pdf").exists()


def test_tally_command_refuses_inconsistent_counts(tmp_path: Path, capsys):
    f = tmp_path / "r.jsonl"
    f.write_text("", encoding="utf-8")
    code = main(["tally", "--election", "sample_ballots/elections/demo-village.yaml", "--stage", "xuanju",
                 "--present", "41", "--issued", "41", str(f)])
    err = capsys.readouterr().err
    assert code == 2 and "实到人数（41）多于应到人数（40）" in err and "more than should attend" in err
