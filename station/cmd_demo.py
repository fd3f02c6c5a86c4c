"""`ballot-station demo`: the station on embedded defaults, for a newcomer.

Starts the real service with the demo election, a workspace under out/, a hot folder and
the simulated ballot box (sim://demo, the real protocol); prints every ballot of the demo
election for people to look at; and, unless --no-feed, a demo feeder drops synthetic filled
ballots of the 选举 stage into the hot folder one a second (and through the box's slot),
so a count happens on the pages within a minute.
"""

from __future__ import annotations

import argparse
import threading
from importlib import resources
from pathlib import Path

from station.definition_io import load_election
from station.printing import print_stage

DEMO_STAGE = "xuanju"


def demo_election_path() -> Path:
    return Path(str(resources.files("sample_ballots").joinpath("elections/demo-village.yaml")))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="示例：启动计票站并自动投放示例选票 / the demo station with a ballot feeder")
    p.add_argument("--workspace", type=Path, default=Path("out/demo-workspace"), help="工作目录 / workspace")
    p.add_argument("--port", type=int, default=8470)
    p.add_argument("--feed", type=int, default=30, help="投放的示例选票张数 / ballots the feeder drops")
    p.add_argument("--no-feed", action="store_true", help="不自动投放 / no feeder")
    p.add_argument("--print-only", action="store_true", help="只生成选票 PDF / only print the ballots")
    p.set_defaults(func=run)


def _print_ballots(out: Path) -> None:
    election = load_election(demo_election_path())
    for stage in election.stages:
        print_stage(election, stage, out, png_dpi=150)
    print(f"示例选票（PDF、版面、PNG）/ demo ballots: {out.resolve()}")


def _feeder(station, inbox: Path, count: int, stop: threading.Event) -> None:
    from firmware_bridge.sim import sim_device
    from sample_ballots.synth.corpus import generate_ballot

    device = sim_device("demo")
    for i in range(count):
        if stop.wait(1.0):
            return
        ballot = generate_ballot("scanner", 10_000 + i, stage=DEMO_STAGE, severity="mild", dpi=150)
        device.drop_ballots(1)  # the ballot goes through the box's slot, then to the scanner
        tmp = inbox / f"demo-{i:03d}.png.part"
        tmp.write_bytes(ballot.file_bytes())
        tmp.rename(inbox / f"demo-{i:03d}.png")


def run(args: argparse.Namespace) -> int:
    if args.print_only:
        _print_ballots(args.workspace / "ballots")
        return 0
    from station.cmd_serve import serve
    from station.service.config import ServiceConfig

    args.workspace.mkdir(parents=True, exist_ok=True)
    _print_ballots(args.workspace / "ballots")
    inbox = args.workspace / "inbox"
    cfg = ServiceConfig(workspace=args.workspace, election=demo_election_path(), port=args.port,
                        hot_folder=inbox, box_url="sim://demo")
    stop = threading.Event()

    def started(station) -> None:
        status = station.count.stage_status(DEMO_STAGE)
        if status.status == "not_started":
            from station.service.auth import Role
            from station.service.station import Actor

            station.store.set_meta("current_stage", DEMO_STAGE)
            station.store.add_stage_setting(DEMO_STAGE, args.feed, 38, "open", "demo", "demo start")
            station.log(Actor(Role.STAFF, "demo"), "stage_started", {"stage": DEMO_STAGE, "present": 38,
                                                                    "issued": args.feed}, "demo start")
            if station.box:
                station.box.new_vote(station.election.stage(DEMO_STAGE).title)
        if not args.no_feed:
            print(f"示例投放：每秒一张，共 {args.feed} 张 → {inbox.resolve()}\n"
                  f"demo feeder: one ballot a second, {args.feed} in all → the hot folder", flush=True)
            threading.Thread(target=_feeder, args=(station, inbox, args.feed, stop), daemon=True).start()

    try:
        return serve(cfg, started)
    finally:
        stop.set()
