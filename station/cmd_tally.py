"""`ballot-station tally --election E --stage S --present N --issued M READINGS [--report DIR]`.

READINGS is the JSON-lines output of `ballot-station read` (one PageReading per line), or a
folder of such files (*.jsonl, read in name order). Scrutineer decisions, when there are
any, come as JSON lines too (--decisions). The result is printed as JSON on stdout; a short
bilingual summary goes to stderr; --report DIR writes the PDF, CSV and JSON reports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError

from station.definition_io import load_election
from station.errors import StationError
from station.rules.attendance import Attendance
from station.rules.decisions import Decision
from station.rules.tally import StageResult, count_stage
from vision.reading import PageReading

T = TypeVar("T")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tally", help="计票：按规则统计一轮的读票结果 / count a stage from ballot readings")
    p.add_argument("readings", type=Path, help="读票结果 JSON lines 文件或文件夹 / readings (.jsonl file or folder)")
    p.add_argument("--election", type=Path, required=True, help="选举定义文件 / election definition (YAML/JSON)")
    p.add_argument("--stage", required=True, help="轮次编号 / stage id")
    p.add_argument("--present", type=int, required=True, help="实到人数（选举：到会有表决权的党员）/ present")
    p.add_argument("--issued", type=int, required=True, help="发出选票数 / ballots issued")
    p.add_argument("--decisions", type=Path, help="监票人裁定 JSON lines / scrutineer decisions")
    p.add_argument("--report", type=Path, help="报告输出文件夹 / write PDF, CSV and JSON reports here")
    p.add_argument("--order", choices=["strokes", "votes"], default="strokes",
                   help="报告中人员顺序：姓氏笔画 / 得票多少 (default strokes)")
    p.set_defaults(func=run)


def _lines(path: Path, adapter: TypeAdapter[T], what: tuple[str, str]) -> list[T]:
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if path.is_dir() and not files:
        raise StationError(f"文件夹 {path} 中没有 .jsonl 文件", f"no .jsonl files in folder {path}")
    out: list[T] = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise StationError(f"无法读取{what[0]} {f}：{err}", f"cannot read {what[1]} {f}: {err}") from None
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                out.append(adapter.validate_json(line))
            except ValidationError as err:
                first = err.errors()[0]
                where = ".".join(str(x) for x in first["loc"])
                raise StationError(
                    f"{what[0]}格式错误：{f} 第 {n} 行（{where}）：{first['msg']}",
                    f"malformed {what[1]}: {f} line {n} ({where}): {first['msg']}",
                ) from None
    return out


def read_readings(path: Path) -> list[PageReading]:
    return _lines(path, TypeAdapter(PageReading), ("读票结果", "reading"))


def read_decisions(path: Path) -> list[Decision]:
    return _lines(path, TypeAdapter(Decision), ("裁定记录", "decision"))


def summary(r: StageResult) -> str:
    t = r.totals
    zh = f"{r.stage_title}：{r.zh}。收回 {t.returned}，有效 {t.valid}，无效 {t.invalid}，待定 {t.pending}"
    en = f"{r.stage_id}: {r.en}. returned {t.returned}, valid {t.valid}, invalid {t.invalid}, pending {t.pending}"
    return f"{zh}\n{en}"


def run(args: argparse.Namespace) -> int:
    if args.present < 0 or args.issued < 0:
        raise StationError("到会人数和发出选票数不能为负数", "--present and --issued cannot be negative")
    election = load_election(args.election)
    if not args.readings.exists():
        raise StationError(f"找不到读票结果：{args.readings}", f"readings not found: {args.readings}")
    readings = read_readings(args.readings)
    decisions = read_decisions(args.decisions) if args.decisions else []
    result = count_stage(election, args.stage, readings, Attendance(present=args.present, issued=args.issued),
                         decisions)
    print(result.model_dump_json(indent=1))
    print(summary(result), file=sys.stderr)
    if args.report:
        from station.reports.files import write_reports  # fpdf2 only when reports are asked for

        written = write_reports(result, args.report, args.order)
        for path in vars(written).values():
            if path:
                print(f"✓ {path}", file=sys.stderr)
    return 0


