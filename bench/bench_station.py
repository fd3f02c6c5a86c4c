"""End-to-end station benchmark: the real server, fed through its hot folder.

    python bench/bench_station.py --ballots 200 --readers 1 --screens 100

1. Throughput: N synthetic ballots (scanner, 200 dpi) dropped into the hot folder at once;
   time until every one is stored, read and counted → ballots per second (store + read + count).
2. Observers: S screens connected to /api/events (SSE); ballots fed one at a time; for each
   `count` event, the delay from the server publishing it to each screen receiving it →
   p50 / p95 / max over all screens and updates.
Results as JSON; record them in docs/station.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _drop(inbox: Path, name: str, data: bytes) -> None:
    tmp = inbox / f"{name}.part"
    tmp.write_bytes(data)
    tmp.rename(inbox / name)


async def _screens(port: int, n: int, delays: list[float], ready: asyncio.Event, stop: asyncio.Event) -> None:
    import httpx

    connected = 0

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal connected
        async with client.stream("GET", f"http://127.0.0.1:{port}/api/events") as r:
            connected += 1
            if connected == n:
                ready.set()
            kind = None
            async for line in r.aiter_lines():
                if stop.is_set():
                    return
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "count":
                    data = json.loads(line[6:])
                    if "published_at" in data:
                        delays.append(time.time() - data["published_at"])

    limits = httpx.Limits(max_connections=n + 10, max_keepalive_connections=n + 10)
    async with httpx.AsyncClient(timeout=None, limits=limits) as client:
        tasks = [asyncio.create_task(one(client)) for _ in range(n)]
        await stop.wait()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ballots", type=int, default=200)
    ap.add_argument("--readers", type=int, default=1)
    ap.add_argument("--screens", type=int, default=100)
    ap.add_argument("--updates", type=int, default=20)
    a = ap.parse_args()
    from sample_ballots.synth.corpus import generate_ballot

    print(f"generating {a.ballots + a.updates} ballots…", file=sys.stderr)
    files = [generate_ballot("scanner", 3_000_000 + i, stage="xuanju", severity="mild", dpi=200).file_bytes()
             for i in range(a.ballots + a.updates)]
    with tempfile.TemporaryDirectory() as tmp:
        ws, inbox = Path(tmp) / "ws", Path(tmp) / "inbox"
        inbox.mkdir()
        from station.cmd_demo import demo_election_path
        from station.service.process import api, start_station

        p = start_station(ws, demo_election_path(), "--hot-folder", str(inbox), "--readers", str(a.readers),
                          read_tokens=True)
        tokens, port = p.tokens, p.port
        p.wait_up()
        try:
            api(port, "/api/stages/xuanju/start", tokens["staff"], {"present": 38, "issued": len(files)})
            t0 = time.monotonic()
            for i in range(a.ballots):
                _drop(inbox, f"b{i:05d}.png", files[i])
            while api(port, "/api/state")["counters"]["returned"] != a.ballots:
                time.sleep(0.2)
            elapsed = time.monotonic() - t0

            delays: list[float] = []

            async def observe() -> None:
                ready, stop = asyncio.Event(), asyncio.Event()
                task = asyncio.create_task(_screens(port, a.screens, delays, ready, stop))
                await asyncio.wait_for(ready.wait(), 60)
                await asyncio.sleep(1.0)
                delays.clear()  # only updates caused by the ballots below
                for j in range(a.updates):
                    _drop(inbox, f"u{j:05d}.png", files[a.ballots + j])
                    await asyncio.sleep(1.0)
                stop.set()
                await task

            asyncio.run(observe())
        finally:
            p.kill(signal.SIGTERM)
    d = sorted(delays)
    q = lambda f: round(1000 * d[min(len(d) - 1, int(f * len(d)))], 1) if d else None  # noqa: E731
    res = {"ballots": a.ballots, "readers": a.readers, "seconds": round(elapsed, 1),
           "ballots_per_second": round(a.ballots / elapsed, 2), "screens": a.screens,
           "count_events_received": len(d), "latency_ms_p50": q(0.5), "latency_ms_p95": q(0.95),
           "latency_ms_max": round(1000 * d[-1], 1) if d else None, "cpu_cores": os.cpu_count()}
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
