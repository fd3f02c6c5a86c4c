"""`ballot-station ballots ELECTION [--stage S] --out DIR [--png --dpi N]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from station.definition_io import load_election
from station.errors import StationError
from station.printing import print_stage


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ballots", help="生成可打印的选票 PDF 与版面文件 / print-ready ballots and layouts")
    p.add_argument("election", type=Path, help="选举定义文件 (YAML/JSON)")
    p.add_argument("--stage", help="只生成该轮次 / only this stage (default: every stage)")
    p.add_argument("--out", type=Path, required=True, help="输出文件夹 / output folder")
    p.add_argument("--png", action="store_true", help="同时输出 PNG 图像 / also render PNG pages")
    p.add_argument("--dpi", type=int, default=150, help="PNG 分辨率 / PNG resolution (default 150)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 50 <= args.dpi <= 1200:
        raise StationError("--dpi 须在 50 到 1200 之间", "--dpi must be between 50 and 1200")
    election = load_election(args.election)
    stages = [election.stage(args.stage)] if args.stage else election.stages
    for stage in stages:
        for ps in print_stage(election, stage, args.out, args.dpi if args.png else None):
            print(f"✓ {stage.title} [{ps.style_id}, {ps.paper}] → {ps.pdf}")
            print(f"    版面 layout: {ps.layout}")
            for png in ps.pngs:
                print(f"    图像 image: {png}")
    return 0
