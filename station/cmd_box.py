"""`ballot-station box ...`: talk to the ballot box (hardware, the emulated firmware, or sim://).

  ballot-station box status [--url URL]        what the box shows and counts
  ballot-station box count N                   set the counter
  ballot-station box text LINE TEXT            write a line (0-3) of the LCD
  ballot-station box signal accept|reject      lamp and buzzer
  ballot-station box watch [--seconds S]       print what the box reports (slot, faults, link)
  ballot-station box emulate [--tcp]           run the real firmware under simavr; prints its URL

URL is a serial device (/dev/ttyACM0), a pty path, socket://host:port, or sim://NAME (default
sim://demo, a simulated box). --trace FILE records every byte both ways, decoded.
"""

from __future__ import annotations

import argparse
import contextlib
import queue
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from firmware_bridge.box import (
    BallotBox,
    BoxConnected,
    BoxEvent,
    BoxLost,
    BoxRestarted,
    FaultsChanged,
    SlotCounted,
    describe_health,
)
from firmware_bridge.display import counter_text, line_text
from firmware_bridge.emulator import Emulator, build_firmware
from firmware_bridge.errors import BoxUnavailable
from firmware_bridge.protocol import SignalKind
from firmware_bridge.transport import WireTrace
from station.errors import cannot_write

DEFAULT_URL = "sim://demo"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("box", help="投票箱：状态、计数、显示、信号 / the ballot box: status, count, display, signals")
    box_sub = p.add_subparsers(dest="box_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        a = box_sub.add_parser(name, help=help_text)
        a.add_argument("--url", default=DEFAULT_URL, help=f"投票箱地址 / the box's URL (default {DEFAULT_URL})")
        a.add_argument("--timeout", type=float, default=5.0, help="连接超时（秒）/ connect timeout, seconds")
        a.add_argument("--trace", type=Path, help="记录线路字节 / write a wire trace to this file")
        a.set_defaults(func=func)
        return a

    action("status", "显示投票箱状态 / show what the box shows and counts", run_status)
    a = action("count", "设置计数器 / set the counter", run_count)
    a.add_argument("n", type=int)
    a = action("text", "写一行显示屏文字 / write a line of the LCD", run_text)
    a.add_argument("line", type=int, help="0–3")
    a.add_argument("text")
    a = action("signal", "亮灯鸣响 / lamp and buzzer", run_signal)
    a.add_argument("kind", choices=["accept", "reject", "off"])
    a = action("watch", "打印投票箱事件 / print what the box reports", run_watch)
    a.add_argument("--seconds", type=float, default=0.0, help="0 = 直到 Ctrl-C / until Ctrl-C")

    e = box_sub.add_parser("emulate", help="在 simavr 中运行真实固件 / run the real firmware under simavr")
    e.add_argument("--workdir", type=Path, help="EEPROM 与串口链接所在目录 / folder for the EEPROM file and the link")
    e.add_argument("--production", action="store_true", help="不含测试命令的固件 / the build without test commands")
    e.add_argument("--tcp", action="store_true",
                   help="用 TCP（socket://）代替伪终端 / serve socket:// instead of a pty")
    e.set_defaults(func=run_emulate)


@contextlib.contextmanager
def _connected(args: argparse.Namespace) -> Iterator[BallotBox]:
    with contextlib.ExitStack() as stack:
        trace = None
        if args.trace is not None:
            try:
                sink = stack.enter_context(args.trace.open("w", encoding="utf-8"))
            except OSError as err:
                raise cannot_write(args.trace, err) from None
            trace = WireTrace(sink)
        box = BallotBox(args.url, trace=trace)
        stack.callback(box.close)
        box.connect(args.timeout)
        yield box


def _finish(box: BallotBox, timeout: float) -> int:
    if not box.wait_synced(timeout):
        raise BoxUnavailable("投票箱未确认 / the box did not confirm", "the box did not confirm in time")
    return run_status_of(box)


def run_status(args: argparse.Namespace) -> int:
    with _connected(args) as box:
        return run_status_of(box)


def run_status_of(box: BallotBox) -> int:
    state = box.query_state()
    for line in describe_health(box.health()):
        print(line)
    print(f"计数器 counter: [{counter_text(state.segments)}]   投票口 slot: {state.slot_count}   "
          f"故障 faults: {state.faults!r}   灯 outputs: {state.outputs!r}")
    print("显示屏 LCD:")
    for i, raw in enumerate(state.lcd_lines):
        print(f"  {i}│{line_text(raw)}")
    print(f"运行 uptime: {state.uptime_ms / 1000:.1f} s   EEPROM 写入 writes: {state.eeprom_writes}   "
          f"收帧 frames in: {state.rx_frames}   坏帧 bad: {state.rx_bad}")
    return 0


def run_count(args: argparse.Namespace) -> int:
    with _connected(args) as box:
        box.set_count(args.n)
        return _finish(box, args.timeout)


def run_text(args: argparse.Namespace) -> int:
    with _connected(args) as box:
        box.show_text(args.line, args.text)
        return _finish(box, args.timeout)


def run_signal(args: argparse.Namespace) -> int:
    with _connected(args) as box:
        box.signal({"accept": SignalKind.ACCEPT, "reject": SignalKind.REJECT, "off": SignalKind.OFF}[args.kind])
        return _finish(box, args.timeout)


def describe_event(event: BoxEvent) -> str:
    match event:
        case BoxConnected(device=d, after_outage=again):
            zh, en = ("重新连接", "reconnected") if again else ("连接", "connected")
            return f"{zh} {en}: {d.device_id} 固件 firmware {d.firmware_version}"
        case BoxRestarted(device=d):
            return f"投票箱重启 box restarted (boot {d.boot_count}, {d.reset_cause.name})"
        case BoxLost(zh=zh, en=en):
            return f"! {zh} / {en}"
        case SlotCounted(slot_count=n, new=new):
            return f"投票口 +{new} 张，共 {n} 张 / slot: +{new}, total {n}"
        case FaultsChanged(faults=f, raised=r, cleared=c):
            return f"故障 faults: {f!r} (新 raised {r!r}, 清除 cleared {c!r})"
    return repr(event)


def run_watch(args: argparse.Namespace) -> int:
    with _connected(args) as box:
        deadline = time.monotonic() + args.seconds if args.seconds > 0 else None
        while deadline is None or time.monotonic() < deadline:
            try:
                event = box.events.get(timeout=0.2)
            except queue.Empty:
                continue
            print(f"{time.strftime('%H:%M:%S')} {describe_event(event)}", flush=True)
    return 0


def run_emulate(args: argparse.Namespace) -> int:
    build = build_firmware()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ballot-box-"))
    with Emulator(build, workdir, test_build=not args.production, tcp=args.tcp) as emu:
        print(f"固件 firmware: {emu.firmware}")
        print(f"EEPROM: {emu.eeprom}")
        print(f"投票箱地址 box URL: {emu.url}")
        print(f"  例 e.g.: ballot-station box status --url {emu.url}")
        print("Ctrl-C 结束 / to stop", flush=True)
        try:
            while emu.running():
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    return 0
