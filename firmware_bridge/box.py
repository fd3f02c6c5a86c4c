"""The device API: what the station uses to drive the ballot box.

The station *declares* what the box should show (`set_count`, `show_text`) and never waits for
it: a supervisor thread makes the box match, connects and reconnects, re-syncs after a power cut
or an unplug, pings it, and checks now and then that the box still shows what it should. So a
box that stops answering raises an alarm (`health()`, `BoxLost`) but never stops the count.
What the box reports (ballots through the slot, faults, restarts) arrives on `events`.

Layers below: transport.py (bytes) → framing.py (frames) → link.py (transactions).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from firmware_bridge.display import check_line_index, layout_line
from firmware_bridge.errors import BoxError, BoxIncompatible, BoxRefused, unavailable
from firmware_bridge.link import DEFAULT_RETRIES, DEFAULT_TIMEOUT, Link, LinkError, Refused
from firmware_bridge.protocol import (
    COUNT_MAX,
    LCD_LINES,
    PROTOCOL_VERSION,
    SLOT_COUNT_MAX,
    DeviceEvent,
    DeviceState,
    Fault,
    Frame,
    Heartbeat,
    HelloReply,
    MsgType,
    NakReason,
    ResetCause,
    SignalKind,
    count_body,
    hello_body,
    inject_slot_body,
    signal_body,
    text_body,
)
from firmware_bridge.transport import TracedTransport, Transport, TransportError, WireTrace, open_transport

SIGNAL_STALE_S = 2.0  # a beep for a ballot the box could not be told about in time is dropped


class LinkState(StrEnum):
    STARTING = "starting"
    UP = "up"
    DOWN = "down"
    CLOSED = "closed"


@dataclass(frozen=True)
class DeviceInfo:
    device_id: str
    protocol_version: int
    firmware_version: str
    test_build: bool
    boot_count: int
    reset_cause: ResetCause

    @classmethod
    def from_hello(cls, r: HelloReply) -> DeviceInfo:
        return cls(r.device_id, r.protocol_version, r.firmware_version, r.test_build, r.boot_count, r.reset_cause)


# ---- events (a tagged union: match on the class) ----


@dataclass(frozen=True)
class BoxConnected:
    device: DeviceInfo
    after_outage: bool  # False for the first connection


@dataclass(frozen=True)
class BoxRestarted:
    """The box rebooted (power cut, watchdog): it came back with its counts from EEPROM and was re-synced."""

    device: DeviceInfo


@dataclass(frozen=True)
class BoxLost:
    zh: str
    en: str


@dataclass(frozen=True)
class SlotCounted:
    """Ballots went through the slot: `slot_count` is the box's total, `new` how many since the last report."""

    slot_count: int
    new: int


@dataclass(frozen=True)
class FaultsChanged:
    faults: Fault
    raised: Fault
    cleared: Fault


BoxEvent = BoxConnected | BoxRestarted | BoxLost | SlotCounted | FaultsChanged


@dataclass(frozen=True)
class Alarm:
    zh: str
    en: str


FAULT_ALARMS = {
    Fault.SENSOR_BLOCKED: Alarm("投票口被挡住（卡票或有手伸入）",
                                "the slot's beam is blocked (a jam or a hand in the slot)"),
    Fault.DISPLAY: Alarm("投票箱计数显示器无响应", "the box's counter display does not respond"),
    Fault.STORAGE: Alarm("投票箱存储器写入失败", "the box's EEPROM write failed"),
}


@dataclass(frozen=True)
class BoxHealth:
    link: LinkState
    alarms: tuple[Alarm, ...]
    device: DeviceInfo | None
    station_count: int | None  # what the station asked the box to show
    box_count: int | None  # what the box last reported showing
    slot_count: int | None  # ballots the slot sensor counted (box's total)
    faults: Fault
    in_sync: bool  # the box shows everything the station asked for
    seconds_since_heard: float | None
    connects: int


@runtime_checkable
class BallotBoxDevice(Protocol):
    """The interface the station depends on (BallotBox implements it for sim://, emulator and hardware)."""

    events: queue.Queue[BoxEvent]

    def start(self) -> None: ...
    def close(self) -> None: ...
    def set_count(self, n: int) -> None: ...
    def set_slot_count(self, n: int) -> None: ...
    def show_text(self, line: int, text: str) -> None: ...
    def signal(self, kind: SignalKind) -> None: ...
    def wait_synced(self, timeout: float) -> bool: ...
    def health(self) -> BoxHealth: ...


@dataclass
class _Shown:
    """What the box shows, per item; None = not asked for (desired) or not known (confirmed)."""

    count: int | None = None
    lines: tuple[bytes | None, ...] = (None,) * LCD_LINES


class BallotBox:
    """A ballot box at a URL (a serial device, a pty, socket://…, or sim://)."""

    def __init__(self, url: str, *, wrap: Callable[[Transport], Transport] | None = None,
                 trace: WireTrace | None = None, opener: Callable[[str], Transport] = open_transport,
                 heartbeat_s: float = 1.0, silence_s: float = 3.5, reconnect_s: float = 0.5, verify_s: float = 5.0,
                 timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES) -> None:
        self.url = url
        self.events: queue.Queue[BoxEvent] = queue.Queue()
        self.trace = trace
        self._wrap = wrap
        self._opener = opener
        self.heartbeat_s = heartbeat_s
        self.silence_s = silence_s
        self.reconnect_s = reconnect_s
        self.verify_s = verify_s
        self._timeout = timeout
        self._retries = retries

        self._cond = threading.Condition()
        self._desired = _Shown()
        self._confirmed = _Shown()
        self._signal: tuple[SignalKind, float] | None = None
        self._slot_reset: int | None = None
        self._state = LinkState.STARTING
        self._device: DeviceInfo | None = None
        self._box_count: int | None = None
        self._slot_count: int | None = None
        self._faults = Fault.NONE
        self._rehello = False
        self._dirty = False  # something new to send since the supervisor last looked
        self._refused: tuple[MsgType, bytes, Alarm] | None = None
        self._connects = 0
        self._lost_reported = False
        self._link: Link | None = None
        self._closing = False
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----

    def start(self) -> None:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._supervise, name=f"box-supervisor[{self.url}]",
                                                daemon=True)
                self._thread.start()

    def connect(self, timeout: float = 5.0) -> DeviceInfo:
        """Start and wait for the first answer; raises BoxUnavailable (the box keeps being retried)."""
        self.start()
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._state != LinkState.UP:
                left = deadline - time.monotonic()
                if left <= 0 or self._closing:
                    raise unavailable(self.url, f"{timeout:g} 秒内没有回应", f"no answer within {timeout:g} s")
                self._cond.wait(left)
            assert self._device is not None
            return self._device

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5.0)
        with self._cond:
            self._state = LinkState.CLOSED

    def __enter__(self) -> BallotBox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- what the station declares ----

    def set_count(self, n: int) -> None:
        """The counter should show n (the station's count). Returns at once; the box follows."""
        if not 0 <= n <= COUNT_MAX:
            raise BoxError(f"计数器只能显示 0–{COUNT_MAX}", f"the counter shows 0–{COUNT_MAX} only")
        with self._cond:
            self._desired.count = n
            self._refused = None
            self._dirty = True
            self._cond.notify_all()

    def set_slot_count(self, n: int) -> None:
        """Set the slot sensor's total once, e.g. to 0 after the empty box was shown to the scrutineers.

        Not a declared state like the count: the box counts on from n, and n is sent once (kept
        until the box acknowledges it, across reconnects), never again to "correct" later ballots.
        """
        if not 0 <= n <= SLOT_COUNT_MAX:
            raise BoxError(f"投票口计数范围是 0–{SLOT_COUNT_MAX}", f"the slot count ranges 0–{SLOT_COUNT_MAX}")
        with self._cond:
            self._slot_reset = n
            self._dirty = True
            self._cond.notify_all()

    def show_text(self, line: int, text: str) -> None:
        """LCD line (0–3) should read `text` (GB2312, up to 8 Chinese characters). Raises BoxError if it can't."""
        check_line_index(line)
        laid_out = layout_line(text)
        with self._cond:
            lines = list(self._desired.lines)
            lines[line] = laid_out
            self._desired.lines = tuple(lines)
            self._refused = None
            self._dirty = True
            self._cond.notify_all()

    def signal(self, kind: SignalKind) -> None:
        """Light the accept/reject lamp and beep: best effort, dropped if the box cannot hear it soon."""
        with self._cond:
            self._signal = (SignalKind(kind), time.monotonic())
            self._dirty = True
            self._cond.notify_all()

    def signal_accept(self) -> None:
        self.signal(SignalKind.ACCEPT)

    def signal_reject(self) -> None:
        self.signal(SignalKind.REJECT)

    # ---- what the station reads ----

    def _in_sync_locked(self) -> bool:
        d, c = self._desired, self._confirmed
        if self._state != LinkState.UP or self._signal is not None:
            return False
        if d.count is not None and d.count != c.count:
            return False
        if self._slot_reset is not None:
            return False
        return all(want is None or want == have for want, have in zip(d.lines, c.lines, strict=True))

    def wait_synced(self, timeout: float) -> bool:
        """True once the box confirmed everything declared so far (False after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._in_sync_locked():
                left = deadline - time.monotonic()
                if left <= 0 or self._closing:
                    return False
                self._cond.wait(min(left, 0.1))
            return True

    def health(self) -> BoxHealth:
        with self._cond:
            alarms: list[Alarm] = []
            if self._state == LinkState.DOWN:
                alarms.append(Alarm("投票箱无响应", "the ballot box is not answering"))
            alarms += [alarm for fault, alarm in FAULT_ALARMS.items() if self._faults & fault]
            if self._refused is not None:
                alarms.append(self._refused[2])
            link = self._link
            heard = time.monotonic() - link.last_rx if link is not None and self._state == LinkState.UP else None
            return BoxHealth(self._state, tuple(alarms), self._device, self._desired.count, self._box_count,
                             self._slot_count, self._faults, self._in_sync_locked(), heard, self._connects)

    def query_state(self) -> DeviceState:
        """Ask the box what it shows and counts now (blocks; raises BoxUnavailable if it cannot)."""
        frame = self._call(MsgType.GET_STATE)
        return DeviceState.decode(frame.body)

    def inject_slot(self, n: int, blocked_ms: int = 40, gap_ms: int = 60) -> None:
        """Test builds only: break the slot's beam n times in the firmware, through its debouncer."""
        self._call(MsgType.TEST_SLOT, inject_slot_body(blocked_ms, gap_ms, n))

    def hang_for_test(self) -> None:
        """Test builds only: stop the firmware's main loop so its watchdog must reset it."""
        self._call(MsgType.TEST_HANG)

    def _call(self, msg_type: MsgType, body: bytes = b"") -> Frame:
        with self._cond:
            link = self._link if self._state == LinkState.UP else None
        if link is None:
            raise unavailable(self.url, "未连接", "not connected")
        try:
            return link.request(msg_type, body)
        except Refused as err:
            if err.reason == NakReason.UNKNOWN_TYPE:
                raise BoxRefused("投票箱固件不支持此命令（不是测试版固件？）",
                                 "the box's firmware does not know this command (not a test build?)",
                                 int(err.reason)) from None
            raise BoxRefused(f"投票箱拒绝了命令：{err.reason!r}", f"the box refused the command: {err.reason!r}",
                             int(err.reason)) from None
        except LinkError as err:
            raise unavailable(self.url, str(err)) from None

    # ---- the supervisor ----

    def _supervise(self) -> None:
        while True:
            with self._cond:
                if self._closing:
                    break
            link = None
            try:
                link = self._open()
                self._serve(link)
            except (LinkError, TransportError, BoxError) as err:
                self._went_down(err)
            finally:
                if link is not None:
                    link.close()
                with self._cond:
                    self._link = None
            with self._cond:
                if not self._closing:
                    self._cond.wait(self.reconnect_s)

    def _open(self) -> Link:
        transport = self._opener(self.url)
        if self._wrap is not None:
            transport = self._wrap(transport)
        if self.trace is not None:
            transport = TracedTransport(transport, self.trace)
        link = Link(transport, self._on_unsolicited, timeout=self._timeout, retries=self._retries).start()
        try:
            self._hello(link)
        except BaseException:
            link.close()
            raise
        return link

    def _hello(self, link: Link, *, new_connection: bool = True) -> None:
        reply = HelloReply.decode(link.request(MsgType.HELLO, hello_body()).body)
        if reply.protocol_version != PROTOCOL_VERSION:
            raise BoxIncompatible(f"投票箱协议版本 {reply.protocol_version}，本程序需要 {PROTOCOL_VERSION}",
                                  f"the box speaks protocol {reply.protocol_version}, we need {PROTOCOL_VERSION}")
        info = DeviceInfo.from_hello(reply)
        with self._cond:
            before = self._device
            restarted = before is not None and before.device_id == info.device_id and \
                before.boot_count != info.boot_count
            self._device = info
            self._rehello = False
            self._link = link
            self._state = LinkState.UP
            self._lost_reported = False
            self._connects += int(new_connection)
            # what the box has now: its counts from HELLO; its lines we don't know, so they get re-sent
            self._confirmed = _Shown(count=reply.count)
            self._box_count = reply.count
            counted = self._note_slot_count(reply.slot_count)  # ballots that came while we were away
            self._cond.notify_all()
        if new_connection:
            self.events.put(BoxConnected(info, after_outage=before is not None))
        if restarted:
            self.events.put(BoxRestarted(info))
        self._put(counted)

    def _went_down(self, err: Exception) -> None:
        why = err.en if isinstance(err, BoxError) else str(err) or type(err).__name__
        with self._cond:
            if self._closing:
                return
            self._state = LinkState.DOWN
            report = not self._lost_reported
            self._lost_reported = True
            self._cond.notify_all()
        if report:
            self.events.put(BoxLost(f"投票箱连接中断：{why}", f"lost the ballot box: {why}"))

    def _serve(self, link: Link) -> None:
        last_request = last_verify = time.monotonic()
        while True:
            with self._cond:
                if self._closing:
                    return
                rehello = self._rehello
                self._dirty = False  # whatever is declared from here on wakes the wait below
            if link.broken:
                raise LinkError(link.broken)
            now = time.monotonic()
            if now - link.last_rx > self.silence_s:
                raise LinkError(f"silent for {now - link.last_rx:.1f} s")
            if rehello:
                self._hello(link, new_connection=False)
                last_request = time.monotonic()
                continue
            if self._push_one(link):
                last_request = time.monotonic()
                continue
            if now - last_verify >= self.verify_s:
                self._verify(link)
                last_request = last_verify = time.monotonic()
                continue
            if now - last_request >= self.heartbeat_s:
                link.request(MsgType.PING)  # our heartbeat: the box shows "link lost" without it
                last_request = time.monotonic()
                continue
            with self._cond:
                if not self._closing and not self._dirty:
                    self._cond.wait(min(self.heartbeat_s - (now - last_request), 0.1))

    def _push_one(self, link: Link) -> bool:
        """Send the first thing the box does not show yet; False when nothing is left to send."""
        with self._cond:
            d, c = self._desired, self._confirmed
            refused = self._refused[:2] if self._refused else None
            job: tuple[MsgType, bytes, Callable[[], None]] | None = None
            if d.count is not None and d.count != c.count:
                n = d.count
                job = (MsgType.SET_COUNT, count_body(n), lambda: self._confirm(count=n))
            elif self._slot_reset is not None:
                s = self._slot_reset
                job = (MsgType.SET_SLOT_COUNT, count_body(s), lambda: self._confirm_slot(s))
            else:
                for i, (want, have) in enumerate(zip(d.lines, c.lines, strict=True)):
                    if want is not None and want != have:
                        job = (MsgType.SHOW_TEXT, text_body(i, want),
                               lambda i=i, want=want: self._confirm_line(i, want))
                        break
            if job is None and self._signal is not None:
                kind, at = self._signal
                self._signal = None
                if time.monotonic() - at <= SIGNAL_STALE_S:
                    job = (MsgType.SIGNAL, signal_body(kind), lambda: None)
                else:
                    self._cond.notify_all()
            if job is not None and job[:2] == refused:
                job = None  # refused as it stands; the alarm says so
        if job is None:
            return False
        msg_type, body, confirm = job
        try:
            link.request(msg_type, body)
        except Refused as err:
            with self._cond:
                # STORAGE: try again shortly, the next record goes to other cells (the box reports the
                # fault itself); anything else this firmware will never take: say so, stop asking
                if err.reason != NakReason.STORAGE:
                    self._refused = (msg_type, body, Alarm(f"投票箱拒绝了命令 {msg_type.name}（{err.reason!r}）",
                                                           f"the box refused {msg_type.name} ({err.reason!r})"))
                if not self._closing:
                    self._cond.wait(0.5)
            return True
        confirm()
        with self._cond:
            self._cond.notify_all()  # wake wait_synced: a signal has nothing to confirm but is done
        return True

    def _confirm(self, **values: int) -> None:
        with self._cond:
            for name, value in values.items():
                setattr(self._confirmed, name, value)
            if "count" in values:
                self._box_count = values["count"]
            self._cond.notify_all()

    def _confirm_slot(self, n: int) -> None:
        with self._cond:
            if self._slot_reset == n:
                self._slot_reset = None
            self._slot_count = n  # the box's new starting point: no event for it
            self._cond.notify_all()

    def _confirm_line(self, line: int, laid_out: bytes) -> None:
        with self._cond:
            lines = list(self._confirmed.lines)
            lines[line] = laid_out
            self._confirmed.lines = tuple(lines)
            self._cond.notify_all()

    def _verify(self, link: Link) -> None:
        """Read back what the box shows; anything different is marked unconfirmed and sent again."""
        state = DeviceState.decode(link.request(MsgType.GET_STATE).body)
        with self._cond:
            self._box_count = state.count
            self._confirmed = _Shown(count=state.count, lines=state.lcd_lines)
            counted = self._note_slot_count(state.slot_count)
            faults = self._note_faults(state.faults)
            self._cond.notify_all()
        self._put(counted, faults)

    # ---- what the box says unasked (reader thread) ----

    def _on_unsolicited(self, frame: Frame) -> None:
        try:
            report = Heartbeat.decode(frame.body) if frame.type == MsgType.HEARTBEAT else DeviceEvent.decode(frame.body)
        except ValueError:
            return  # a body this version cannot read: the next heartbeat will do
        with self._cond:
            if self._state != LinkState.UP:
                return  # before HELLO is answered: its reply brings the same totals, in order
            if isinstance(report, Heartbeat) and self._device is not None and \
                    report.boot_count != self._device.boot_count:
                self._rehello = True  # it rebooted behind our back: say hello again, then re-sync
                self._dirty = True
            if report.count != self._confirmed.count:
                self._confirmed.count = report.count  # so the supervisor sends ours again
                self._dirty = True
            self._box_count = report.count
            counted = self._note_slot_count(report.slot_count)
            faults = self._note_faults(report.faults)
            self._cond.notify_all()
        self._put(counted, faults)

    def _put(self, *events: BoxEvent | None) -> None:
        for event in events:
            if event is not None:
                self.events.put(event)

    def _note_slot_count(self, n: int) -> SlotCounted | None:
        """Under the lock. Each increase is reported once, whichever message brings it first."""
        before = self._slot_count
        self._slot_count = n
        return SlotCounted(n, n - before) if before is not None and n > before else None

    def _note_faults(self, faults: Fault) -> FaultsChanged | None:
        """Under the lock. The box's own "link lost" and overrun flags describe the wire, not the box."""
        faults &= ~(Fault.LINK_LOST | Fault.UART_OVERRUN)
        if faults == self._faults:
            return None
        raised, cleared = faults & ~self._faults, self._faults & ~faults
        self._faults = faults
        return FaultsChanged(faults, raised, cleared)


def describe_health(h: BoxHealth) -> list[str]:
    """Lines for a console: Chinese and English side by side."""
    lines = [f"连接 link: {h.link.value}"]
    if h.device is not None:
        d = h.device
        lines.append(f"设备 device: {d.device_id}  固件 firmware {d.firmware_version}  协议 protocol "
                     f"{d.protocol_version}  启动次数 boots {d.boot_count}  复位原因 reset {d.reset_cause.name}"
                     + ("  [测试版 test build]" if d.test_build else ""))
    def show(v: int | None) -> str:
        return "—" if v is None else str(v)

    lines.append(f"计数 count: 计票站 station {show(h.station_count)}  投票箱 box {show(h.box_count)}  "
                 f"投票口 slot {show(h.slot_count)}  同步 in sync: {'是 yes' if h.in_sync else '否 no'}")
    lines += [f"! {a.zh} / {a.en}" for a in h.alarms]
    return lines
