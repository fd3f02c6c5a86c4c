"""Command round trip over the emulated link: the real firmware under simavr, through the real host stack.

    .venv/bin/python bench/bench_box.py            # 500 of each command, prints a Markdown table
    .venv/bin/python bench/bench_box.py --n 2000

A round trip is Link.request(): encode, write to the pty, the harness feeds the UART at wire pace,
the firmware answers (after storing and showing, for SET_COUNT), the reply is decoded and matched.
simavr is paced to wall-clock time, so firmware timings are the chip's; the pty and Python add
the host side. The same commands against sim:// show how much of that is the host stack alone.
Results are recorded in docs/ballot-box.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from firmware_bridge.display import layout_line
from firmware_bridge.emulator import Emulator, build_firmware
from firmware_bridge.faults import FaultRates, FaultyTransport
from firmware_bridge.link import Link, LinkTimeout
from firmware_bridge.protocol import MsgType, count_body, hello_body, text_body
from firmware_bridge.sim import forget_sim_device
from firmware_bridge.transport import Transport, open_transport


def percentile(sorted_ms: list[float], p: float) -> float:
    k = (len(sorted_ms) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(sorted_ms) - 1)
    return sorted_ms[lo] + (sorted_ms[hi] - sorted_ms[lo]) * (k - lo)


def measure(link: Link, n: int, make: Callable[[int], tuple[MsgType, bytes]]) -> tuple[list[float], int]:
    """Sorted round trips in ms, and how many requests failed after every retry."""
    times, failed = [], 0
    for i in range(n):
        msg_type, body = make(i)
        t0 = time.perf_counter()
        try:
            link.request(msg_type, body, timeout=0.3, retries=6)
        except LinkTimeout:
            failed += 1
            continue
        times.append((time.perf_counter() - t0) * 1000)
    return sorted(times), failed


COMMANDS: list[tuple[str, Callable[[int], tuple[MsgType, bytes]]]] = [
    ("PING", lambda i: (MsgType.PING, b"")),
    ("GET_STATE (89-byte reply)", lambda i: (MsgType.GET_STATE, b"")),
    ("SET_COUNT (EEPROM + counter + LCD line)", lambda i: (MsgType.SET_COUNT, count_body(i % 9000 + 1))),
    ("SHOW_TEXT (16 GB2312 bytes)",
     lambda i: (MsgType.SHOW_TEXT, text_body(2, layout_line("请重新放入" if i % 2 else "已计票")))),
]


def run(label: str, transport: Transport, n: int) -> list[str]:
    link = Link(transport).start()
    rows = []
    try:
        link.request(MsgType.HELLO, hello_body())
        for name, make in COMMANDS:
            ms, failed = measure(link, n, make)
            rows.append(f"| {label} | {name} | {n} | {statistics.median(ms):.2f} | {percentile(ms, 99):.2f} | "
                        f"{ms[-1]:.2f} | {failed} |")
        rows.append(f"| {label} | all: {link.stats.retries} resends, {link.stats.bad_frames} bad frames in | | | | | |")
    finally:
        link.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500, help="requests per command")
    args = parser.parse_args()
    build = build_firmware()
    rows = ["| link | command | n | p50 ms | p99 ms | max ms | failed |", "|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp, Emulator(build, Path(tmp)) as emu:
        rows += run("emulated firmware (pty, 115200)", open_transport(emu.url), args.n)
        noise = FaultRates(corrupt=0.002, drop=0.001)
        rows += run("emulated firmware, noise 0.3 %/byte both ways",
                    FaultyTransport(open_transport(emu.url), to_device=noise, to_host=noise, seed=1), args.n)
    name = f"bench-{uuid.uuid4().hex[:6]}"
    rows += run("sim:// (host stack only)", open_transport(f"sim://{name}"), args.n)
    forget_sim_device(name)
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
          f"{time.strftime('%Y-%m-%d')}")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
