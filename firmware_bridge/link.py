"""The transaction layer: one request at a time, matched by sequence number, retried on silence.

`Link.request` sends a frame and waits for the answer with the same seq (ACK, NAK or the
command's reply). No answer within `timeout` → the same frame (same seq) is sent again, up to
`retries` times; the device recognises a repeat and acknowledges without doing it twice, and every
command that changes state is idempotent anyway (set the count to N, never "add one"). A NAK for
an unreadable frame, or an unreadable frame from the device while we wait, triggers the resend at
once instead of after the timeout. A reader thread decodes everything that comes
in; device EVENTs are acknowledged here and handed up with HEARTBEATs through `on_unsolicited`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from firmware_bridge.framing import Decoded, Framer, encode_frame
from firmware_bridge.protocol import Frame, MsgType, NakReason, nak_reason
from firmware_bridge.transport import Transport, TransportError

DEFAULT_TIMEOUT = 0.3
DEFAULT_RETRIES = 4

# what may answer each request (besides NAK)
REPLIES: dict[MsgType, MsgType] = {
    MsgType.HELLO: MsgType.HELLO_REPLY,
    MsgType.GET_STATE: MsgType.STATE,
}


class LinkError(Exception):
    """Base of the transaction layer's failures (translated to BoxError by the device API)."""


class LinkDown(LinkError):
    """The transport broke."""


class LinkTimeout(LinkError):
    """No answer after every retry."""


class Refused(LinkError):
    def __init__(self, request: Frame, reason: NakReason | int) -> None:
        super().__init__(f"{request.describe()} refused: {reason!r}")
        self.request = request
        self.reason = reason


@dataclass
class LinkStats:
    requests: int = 0
    retries: int = 0
    timeouts: int = 0
    naks: int = 0
    bad_frames: int = 0
    frames_in: int = 0
    events_acked: int = 0
    round_trips: list[float] = field(default_factory=list)  # seconds, last 1000 successful requests


@dataclass
class _Pending:
    frame: Frame
    expect: int
    answer: Frame | None = None
    resend: bool = False


class Link:
    def __init__(self, transport: Transport, on_unsolicited: Callable[[Frame], None] | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES) -> None:
        self._transport = transport
        self._on_unsolicited = on_unsolicited or (lambda frame: None)
        self.timeout = timeout
        self.retries = retries
        self.stats = LinkStats()
        self._framer = Framer()
        self._request_lock = threading.Lock()  # one transaction at a time
        self._cond = threading.Condition()
        self._pending: _Pending | None = None
        self._seq = 0
        self._stopping = threading.Event()
        self._broken: str | None = None
        self._last_rx = time.monotonic()
        self._thread = threading.Thread(target=self._reader, name=f"box-link-reader[{transport.name}]", daemon=True)

    # ---- lifecycle ----

    def start(self) -> Link:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stopping.set()
        self._transport.close()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        with self._cond:
            self._broken = self._broken or "closed"
            self._cond.notify_all()

    @property
    def broken(self) -> str | None:
        """Why the transport failed, or None while it works."""
        return self._broken

    @property
    def last_rx(self) -> float:
        """time.monotonic() of the last good frame from the device."""
        return self._last_rx

    # ---- requests ----

    def _next_seq(self) -> int:
        self._seq = self._seq % 255 + 1  # 1..255; 0 is for frames that answer nothing
        return self._seq

    def request(self, msg_type: MsgType, body: bytes = b"", *, timeout: float | None = None,
                retries: int | None = None) -> Frame:
        """Send and wait for the answer; returns the ACK or reply frame. Raises LinkError subclasses."""
        timeout = self.timeout if timeout is None else timeout
        retries = self.retries if retries is None else retries
        with self._request_lock:
            frame = Frame(msg_type, self._next_seq(), body)
            wire = encode_frame(frame)
            pending = _Pending(frame, REPLIES.get(msg_type, MsgType.ACK))
            self.stats.requests += 1
            started = time.monotonic()
            try:
                for attempt in range(retries + 1):
                    if attempt:
                        self.stats.retries += 1
                    with self._cond:
                        if self._broken:
                            raise LinkDown(self._broken)
                        self._pending = pending
                        pending.resend = False
                    self._write(wire)
                    answer = self._wait(pending, timeout)
                    if answer is None:
                        continue
                    if answer.type == MsgType.NAK:
                        self.stats.naks += 1
                        raise Refused(frame, nak_reason(answer.body))
                    self.stats.round_trips.append(time.monotonic() - started)
                    del self.stats.round_trips[:-1000]
                    return answer
            finally:
                with self._cond:
                    self._pending = None
            self.stats.timeouts += 1
            raise LinkTimeout(f"{frame.describe()}: no answer after {retries + 1} tries")

    def _wait(self, pending: _Pending, timeout: float) -> Frame | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while pending.answer is None and not pending.resend:
                if self._broken:
                    raise LinkDown(self._broken)
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            return pending.answer

    def _write(self, data: bytes) -> None:
        try:
            self._transport.write(data)
        except TransportError as err:
            self._fail(str(err))
            raise LinkDown(str(err)) from err

    def _resend_now(self) -> None:
        with self._cond:
            if self._pending is not None and self._pending.answer is None:
                self._pending.resend = True
                self._cond.notify_all()

    def _fail(self, why: str) -> None:
        with self._cond:
            self._broken = self._broken or why
            self._cond.notify_all()

    # ---- the reader ----

    def _reader(self) -> None:
        while not self._stopping.is_set():
            try:
                data = self._transport.read(512, 0.05)
            except TransportError as err:
                if not self._stopping.is_set():
                    self._fail(str(err))
                return
            for result in self._framer.feed(data) if data else ():
                if isinstance(result, Decoded):
                    self._on_frame(result.frame)
                else:
                    self.stats.bad_frames += 1
                    self._resend_now()  # it may have been our answer: don't sit out the timeout

    def _on_frame(self, frame: Frame) -> None:
        self.stats.frames_in += 1
        self._last_rx = time.monotonic()
        if frame.type in (MsgType.EVENT, MsgType.HEARTBEAT):
            if frame.type == MsgType.EVENT:
                # acknowledge at once, even a repeat: our earlier ACK may be the one that got lost
                try:
                    self._transport.write(encode_frame(Frame(MsgType.EVENT_ACK, frame.seq)))
                    self.stats.events_acked += 1
                except TransportError as err:
                    self._fail(str(err))
            self._on_unsolicited(frame)
            return
        if frame.type == MsgType.NAK and frame.seq == 0 and frame.body == bytes([NakReason.BAD_FRAME]):
            self._resend_now()  # the device could not read something: likely our request
            return
        with self._cond:
            p = self._pending
            if p is None:
                return  # a late answer to a request we gave up on
            if frame.seq == p.frame.seq and frame.type in (p.expect, MsgType.NAK):
                p.answer = frame
            else:
                return
            self._cond.notify_all()
