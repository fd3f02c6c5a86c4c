"""`python -m sample_ballots.synth`: write a corpus of synthetic ballots, or time the generator.

    python -m sample_ballots.synth --profile scanner --count 200 --seed 1000000 --out out/corpus-scan
    python -m sample_ballots.synth --profile scanner --count 200 --dpi 200      # no --out: timing only

Ballot i of a corpus has seed S + i; its image is `PROFILE-SEED.png|jpg` and its truth one
line of `truth.jsonl` in the same folder.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import cv2

from sample_ballots.synth import camera, scanner
from sample_ballots.synth.corpus import CorpusWriter, Profile, generate_ballot
from sample_ballots.synth.templates import Templates, demo_templates
from sample_ballots.synth.truth import FillMix, Severity
from station.cli import run_guarded
from station.definition_io import load_election
from station.errors import StationError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m sample_ballots.synth",
        description="生成带标准答案的模拟填写选票图像 / synthetic filled ballot images with ground truth",
    )
    p.add_argument("--profile", required=True, choices=[x.value for x in Profile],
                   help="扫描仪或摄像头 / scanner or camera")
    p.add_argument("--count", type=int, default=10, help="张数 / number of ballots (default 10)")
    p.add_argument("--seed", type=int, default=0, help="第一张的种子 / seed of the first ballot (default 0)")
    p.add_argument("--out", type=Path, help="输出文件夹；省略则只计时 / output folder; without it, only timing")
    p.add_argument("--stage", help="只生成该轮次 / only this stage id (default: drawn per ballot)")
    p.add_argument("--dpi", type=int, help="扫描分辨率 / scanner dpi, 100–600 (default: 150–300 drawn per ballot)")
    p.add_argument("--colour", action="store_true", help="彩色扫描 / colour scans (camera frames are always colour)")
    p.add_argument("--severity", default=Severity.FULL.value, choices=[s.value for s in Severity],
                   help="图像劣化程度 / how much degradation (default full)")
    p.add_argument("--mix", default="default", choices=["default", "clean"],
                   help="clean = 无存疑标记、无框外笔迹 / no doubtful marks, no stray ink")
    p.add_argument("--election", type=Path, help="选举定义文件 / election definition (default: the demo election)")
    p.add_argument("--threads", type=int, default=1, help="OpenCV 线程数 / OpenCV threads (default 1)")
    return p


def _check(args: argparse.Namespace) -> None:
    if args.count < 1:
        raise StationError("张数须至少为 1", "--count must be at least 1")
    if args.dpi is not None and not 100 <= args.dpi <= 600:
        raise StationError(f"分辨率须在 100–600 之间（现为 {args.dpi}）", f"--dpi must be 100–600, not {args.dpi}")
    if args.profile == Profile.CAMERA and (args.dpi is not None or args.colour):
        raise StationError("摄像头模式不用 --dpi 和 --colour（画面尺寸和彩色是固定的）",
                           "--dpi and --colour are for the scanner profile (camera frames are sized and colour)")


def run(args: argparse.Namespace) -> int:
    _check(args)
    cv2.setNumThreads(args.threads)
    templates = Templates(load_election(args.election)) if args.election else demo_templates()
    kwargs = dict(stage=args.stage, templates=templates, severity=Severity(args.severity), dpi=args.dpi,
                  colour=args.colour, mix=FillMix.clean() if args.mix == "clean" else FillMix())
    times: list[float] = []
    cpu: list[float] = []  # CPU time: what the work costs when other processes share the cores
    review = 0
    writer = CorpusWriter(args.out) if args.out else None
    with writer or contextlib.nullcontext():  # open the folder first: a bad --out fails at once
        # render the blank styles first, so the timing is of the generator alone
        dpis = [args.dpi] if args.dpi else scanner.DPIS if args.profile == Profile.SCANNER else camera.SOURCE_DPIS
        templates.prerender(dpis, args.stage)
        for seed in range(args.seed, args.seed + args.count):
            t0, c0 = time.perf_counter(), time.process_time()
            ballot = generate_ballot(args.profile, seed, **kwargs)  # type: ignore[arg-type]
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            review += ballot.truth.review_expected
            if writer:
                writer.add(ballot)
            done = seed - args.seed + 1
            if done % 100 == 0 or done == args.count:
                print(f"\r{done}/{args.count}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print(f"{args.count} 张 ballots ({args.profile}, severity {args.severity}), "
          f"{review} 张应交人工复核 expect review")
    print(f"生成耗时 generation per ballot: median {statistics.median(times):.1f} ms wall, "
          f"{statistics.median(cpu):.1f} ms CPU; mean {statistics.mean(times):.1f} ms wall, "
          f"{statistics.mean(cpu):.1f} ms CPU ({args.threads} OpenCV thread{'s' if args.threads > 1 else ''}, "
          "file writing excluded)")
    if args.out:
        print(f"已写入 written to: {args.out.resolve()} (truth.jsonl + images)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_guarded(run, build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
