"""`ballot-station read --election E [--stage S] [--profile P] [--json] IMAGE|FOLDER ...`"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from calibration.profile import load_profile
from station.definition_io import load_election
from station.errors import StationError
from vision.read_files import expand_inputs, read_bytes
from vision.reading import PageReading, reading_json_schema
from vision.shape_model import check_available
from vision.templates import build_templates

_OUTCOME_ZH = {
    "interpreted": "已识别",
    "needs_review": "需审核",
    "blank_page": "空白页",
    "not_a_ballot": "非选票",
    "wrong_election": "非本次选票",
    "unreadable": "无法识别",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("read", help="识别选票图像 / read ballot images")
    p.add_argument("images", nargs="*", type=Path, help="图像文件或文件夹 / images or folders (PNG JPEG TIFF PDF)")
    p.add_argument("--election", type=Path, help="选举定义文件 / election definition")
    p.add_argument("--stage", help="只接受该轮次的选票 / accept only this stage's ballots")
    p.add_argument("--profile", default="scanner", help="校准：scanner、camera 或文件路径 / calibration profile")
    p.add_argument("--json", action="store_true", help="每页输出一行 JSON / one JSON object per page")
    p.add_argument("--schema", action="store_true", help="输出结果的 JSON Schema / print the output's JSON Schema")
    p.set_defaults(func=run)


class Progress:
    """A progress bar on stderr for long batches; silent for a single file."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.start = time.monotonic()
        self.live = total > 1
        self.tty = sys.stderr.isatty()

    def step(self) -> None:
        self.done += 1
        if not self.live:
            return
        if not self.tty and self.done not in (self.total,) and self.done % 50:
            return
        width = 30
        filled = int(width * self.done / self.total)
        rate = self.done / max(time.monotonic() - self.start, 1e-6)
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if (self.done == self.total or not self.tty) else ""
        print(f"\r[{bar}] {self.done}/{self.total} 张 · {rate:.1f}/s 读取中 / reading", end=end, file=sys.stderr)


def _summary(r: PageReading) -> str:
    res = r.result
    head = f"{r.source} p{r.page_index + 1}: {_OUTCOME_ZH[res.outcome]} / {res.outcome}"
    if res.outcome in ("interpreted", "needs_review"):
        marks = [b for b in res.boxes if b.mark_class.value != "empty"]
        head += f" — {res.identity.stage_id}/{res.identity.style_id}, {len(marks)} 个符号 marks"
        if res.outcome == "needs_review":
            head += "".join(f"\n    · {x.box_id or ''} {x.zh} / {x.en}" for x in res.reasons)
    elif hasattr(res, "zh"):
        head += f" — {res.zh} / {res.en}"
    return head


def run(args: argparse.Namespace) -> int:
    if args.schema:
        print(json.dumps(reading_json_schema(), ensure_ascii=False, indent=2))
        return 0
    if args.election is None or not args.images:
        raise StationError("需要 --election 和至少一个图像", "--election and at least one image are required")
    election = load_election(args.election)
    if args.stage:
        election.stage(args.stage)  # a clear error for an unknown stage
    profile = load_profile(args.profile)
    check_available(profile.second_opinion)
    files = list(expand_inputs(args.images))
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise StationError(f"找不到图像文件：{'、'.join(missing)}", f"image files not found: {', '.join(missing)}")
    if not files:
        raise StationError("没有找到图像文件", "no image files found")
    templates = build_templates(election)
    progress = Progress(len(files))
    for f in files:
        for reading in read_bytes(f.read_bytes(), str(f), templates, profile, args.stage):
            if args.json:
                print(reading.model_dump_json(by_alias=True), flush=True)
            else:
                print(_summary(reading), flush=True)
        progress.step()
    return 0
