"""The transaction layer: sequence numbers, retries, NAK-driven resends, a broken pipe."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from firmware_bridge.link import Link, LinkDown, LinkTimeout
from firmware_bridge.protocol import MsgType, hello_body
from firmware_bridge.sim import forget_sim_device, sim_device
from firmware_bridge.transport import Transport, open_transport


@pytest.fixture
def sim_url() -> Iterator[str]:
    name = f"link-{uuid.uuid4().hex[:8]}"
    yield f"sim://{name}"
    forget_sim_device(name)


class GarbleFirstWrite:
    """A fake wire fault, named as such: flips one bit in the first frame written, then behaves."""

    def __init__(self, inner: Transport) -> None:
        self._inner = inner
        self.garbled = False

    @property
    def name(self) -> str:
        return self._inner.name

    def write(self, data: bytes) -> None:
        if not self.garbled and len(data) > 3:
            self.garbled = True
            data = data[:3] + bytes([data[3] ^ 0x10]) + data[4:]
        self._inner.write(data)

    def read(self, max_bytes: int, timeout: float) -> bytes:
        return self._inner.read(max_bytes, timeout)

    def close(self) -> None:
        self._inner.close()


def test_sequence_numbers_run_1_to_255_and_wrap(sim_url: str) -> None:
    link = Link(open_transport(sim_url)).start()
    try:
        seqs = [link._next_seq() for _ in range(600)]  # the counter itself, without 600 round trips
        assert min(seqs) == 1 and max(seqs) == 255 and seqs[254:256] == [255, 1]
        for _ in range(300):  # and real requests keep matching across the wrap
            link.request(MsgType.PING)
        assert link.stats.retries == 0 and link.stats.requests == 300
    finally:
        link.close()


def test_no_answer_means_retries_then_timeout() -> None:
    link = Link(open_transport("loop://"), timeout=0.05, retries=2).start()  # hears only its own frames
    try:
        started = time.monotonic()
        with pytest.raises(LinkTimeout):
            link.request(MsgType.HELLO, hello_body())
        assert 0.14 < time.monotonic() - started < 1.0
        assert (link.stats.retries, link.stats.timeouts) == (2, 1)
    finally:
        link.close()


def test_a_garbled_request_is_resent_at_the_device_s_nak(sim_url: str) -> None:
    wire = GarbleFirstWrite(open_transport(sim_url))
    link = Link(wire, timeout=2.0).start()
    try:
        started = time.monotonic()
        link.request(MsgType.HELLO, hello_body())
        assert time.monotonic() - started < 0.5  # not the 2 s timeout: the NAK said "resend"
        assert wire.garbled and link.stats.retries == 1
    finally:
        link.close()


def test_a_broken_pipe_fails_the_request_at_once(sim_url: str) -> None:
    link = Link(open_transport(sim_url), timeout=5.0).start()
    try:
        link.request(MsgType.HELLO, hello_body())
        sim_device(sim_url.removeprefix("sim://")).unplug()
        started = time.monotonic()
        with pytest.raises(LinkDown):
            link.request(MsgType.PING)
        assert time.monotonic() - started < 0.5
        assert link.broken
    finally:
        link.close()
