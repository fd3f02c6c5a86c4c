"""`ballot-station demo`: what the README's run command starts.

Until the live service lands, it prints every ballot of the demo election and says
where they are, so a newcomer can look at (and print) real ballots at once.
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

from station.definition_io import load_election
from station.printing import print_stage


def demo_election_path() -> Path:
    return Path(str(resources.files("sample_ballots").joinpath("elections/demo-village.yaml")))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="示例选举：生成全部选票 / the demo election: print every ballot")
    p.add_argument("--out", type=Path, default=Path("out/demo-ballots"), help="输出文件夹 / output folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    election = load_election(demo_election_path())
    print(f"示例选举 demo election: {election.title}（{election.organisation}）")
    for stage in election.stages:
        for ps in print_stage(election, stage, args.out, png_dpi=150):
            print(f"  ✓ {stage.title} [{ps.style_id}] → {ps.pdf.resolve()}")
    print(f"选票已生成在 / ballots are in: {args.out.resolve()}")
    print("计票服务将在后续版本提供 / the live counting service comes in a later release.")
    return 0
