"""`ballot-station check ELECTION` and `ballot-station schema`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from station.definition_io import election_json_schema, load_election
from station.errors import cannot_write


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="检查选举定义文件 / validate an election definition")
    p.add_argument("election", type=Path, help="选举定义文件 (YAML/JSON)")
    p.set_defaults(func=run_check)

    s = sub.add_parser("schema", help="输出选举定义的 JSON Schema / print the definition's JSON Schema")
    s.add_argument("--out", type=Path, help="写入文件而非标准输出 / write to a file")
    s.set_defaults(func=run_schema)


def run_check(args: argparse.Namespace) -> int:
    e = load_election(args.election)
    print(f"✓ {e.title}（{e.organisation}，{e.meeting_date}，{e.regulation.value} 年条例）")
    print(f"  应到 should attend: {e.roll.should_attend}  （党员 {len(e.roll.members)}，"
          f"有表决权 {e.roll.voting_members}，除外 {len(e.roll.excused)}）")
    for s in e.stages:
        posts = "，".join(f"{c.post} {c.seats}/{len(c.candidates)}" for c in s.contests)
        print(f"  [{s.id}] {s.title}（{s.kind.value}）：{posts}")
    for n in e.notices():
        print(f"  ! {n.where}: {n.zh} / {n.en}", file=sys.stderr)
    return 0


def run_schema(args: argparse.Namespace) -> int:
    text = json.dumps(election_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.out:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as err:
            raise cannot_write(args.out, err) from None
    else:
        sys.stdout.write(text)
    return 0
