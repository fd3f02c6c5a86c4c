"""Live events for pages: a broadcast hub feeding Server-Sent Events.

Producers are threads (the reading pipeline, the ballot box); consumers are asyncio
streams, one per connected screen. Each screen has a bounded queue: a screen that stops
reading loses old events, never blocks the count. Every event has a sequence number, so a
screen that reconnects (EventSource does so by itself) asks for what it missed with
Last-Event-ID and gets a fresh snapshot instead.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    seq: int
    kind: str
    data: dict[str, Any]

    def sse(self) -> str:
        body = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        return f"id: {self.seq}\nevent: {self.kind}\ndata: {body}\n\n"


class Hub:
    def __init__(self, per_client: int = 256) -> None:
        self._lock = threading.Lock()
        self._clients: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Event]]] = set()
        self._seq = 0
        self._per_client = per_client

    def publish(self, kind: str, data: dict[str, Any]) -> Event:
        with self._lock:
            self._seq += 1
            ev = Event(self._seq, kind, data)
            clients = list(self._clients)
        for loop, q in clients:
            try:
                loop.call_soon_threadsafe(_offer, q, ev)
            except RuntimeError:  # the loop is closed: the client is gone
                self.unsubscribe(loop, q)
        return ev

    def subscribe(self) -> tuple[asyncio.AbstractEventLoop, asyncio.Queue[Event]]:
        loop = asyncio.get_running_loop()
        q: asyncio.Queue[Event] = asyncio.Queue(maxsize=self._per_client)
        with self._lock:
            self._clients.add((loop, q))
        return loop, q

    def unsubscribe(self, loop: asyncio.AbstractEventLoop, q: asyncio.Queue[Event]) -> None:
        with self._lock:
            self._clients.discard((loop, q))

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._clients)


def _offer(q: asyncio.Queue[Event], ev: Event) -> None:
    if q.full():
        q.get_nowait()  # drop the oldest: a slow screen must never hold up the count
    q.put_nowait(ev)
