"""Document scanners through SANE's `scanimage --batch`: a feeder (ADF) full of ballots, simplex or duplex.

scanimage scans page after page into a private batch folder, writing each page to
`NAME.part` and renaming it when complete; `--batch-print` prints the finished name on
stdout. Each page is handed over as its name arrives, byte for byte as the scanner's
driver wrote it (PNG or TIFF), and deleted from the batch folder only after the consumer
has taken it. The process is run with LC_ALL=C (its messages are matched to typed errors)
in a new session (a Ctrl-C at the console reaches the station, which stops it cleanly);
on stop it gets SIGTERM (scanimage cancels the scan and exits), then SIGKILL if it must;
it is always reaped and the batch folder removed.

Duplex: pages come front, back, front, back … A blank side whose other side is not blank
is dropped (the sheet's unprinted back, or its front when the sheet was fed upside down);
its SHA-256 and ink share go into the kept side's metadata. When both sides are blank the
front is kept, marked blank, so the station reports a blank sheet rather than losing it.
Blankness is vision.blank.ink_share against a calibrated threshold. Simplex pages are
never dropped and not measured.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from station.sources.capture import Capture, Clock, OtherSide, ScanMeta, Side, SourceKind, utc_now
from station.sources.events import (
    Captured,
    ErrorCode,
    Finished,
    FinishReason,
    Progress,
    SourceEvent,
    failed,
)
from vision.blank import ink_share
from vision.image_io import ImageInputError, load_pages
from vision.reader import to_gray


class ScanMode(StrEnum):
    GRAY = "Gray"
    COLOR = "Color"


class ScanFormat(StrEnum):
    PNG = "png"
    TIFF = "tiff"


class SaneConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    device: str | None = Field(None, description="SANE device name (`scanimage -L`); None: the first found")
    source: str | None = Field(
        None, description="the device's --source value, e.g. 'ADF Duplex' (names differ per driver; see docs)"
    )
    duplex: bool = Field(False, description="pages alternate front and back (set with a duplex source)")
    resolution: int = Field(200, ge=75, le=1200, description="dpi; 200 reads ballots well and scans fast")
    mode: ScanMode = ScanMode.GRAY
    format: ScanFormat = ScanFormat.PNG
    page_count: int | None = Field(
        None, ge=1, description="stop after this many pages; None: until the feeder is empty"
    )
    extra_args: tuple[str, ...] = Field((), description="device-specific options, e.g. ('--page-height', '297')")
    drop_blank_backs: bool = Field(True, description="in duplex, drop a blank side whose other side is not blank")
    blank_max_ink_share: float = Field(0.002, ge=0, lt=1, description="calibration: profile.quality value")
    scanimage: str = Field("scanimage", description="the scanimage program")
    sane_config_dir: Path | None = Field(None, description="SANE_CONFIG_DIR for scanimage (tests: the test backend)")
    spool_dir: Path | None = Field(None, description="where the private batch folder is made; None: system temp")
    page_timeout_s: float = Field(120.0, gt=0, description="no page and no message this long: not responding")
    stop_grace_s: float = Field(5.0, gt=0, description="after SIGTERM, wait this long before SIGKILL")

    @field_validator("extra_args")
    @classmethod
    def _options_only(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        # Batch and output options are ours: a second --batch would write pages where nobody looks.
        for a in v:
            if a.split("=", 1)[0] in {"--batch", "-b", "--batch-print", "--format", "-o", "--output-file"}:
                raise ValueError(f"{a} is set by the station")
        return v

    @property
    def suffix(self) -> str:
        return "png" if self.format is ScanFormat.PNG else "tif"


def scanimage_command(config: SaneConfig, batch_dir: Path) -> list[str]:
    cmd = [config.scanimage]
    if config.device:
        cmd += ["--device-name", config.device]
    if config.source:
        cmd += ["--source", config.source]
    cmd += [
        "--resolution",
        str(config.resolution),
        "--mode",
        config.mode.value,
        f"--format={config.format.value}",
        f"--batch={batch_dir}/page-%04d.{config.suffix}",
        "--batch-print",
    ]
    if config.page_count is not None:
        cmd.append(f"--batch-count={config.page_count}")
    return cmd + list(config.extra_args)


# scanimage's messages (sane_strstatus, LC_ALL=C), most specific first.
_FAILURES: tuple[tuple[str, ErrorCode], ...] = (
    ("Access to resource has been denied", ErrorCode.ACCESS_DENIED),
    ("Device busy", ErrorCode.SCANNER_BUSY),
    ("Document feeder jammed", ErrorCode.JAMMED),
    ("Scanner cover is open", ErrorCode.COVER_OPEN),
    ("Error during device I/O", ErrorCode.SCANNER_IO),
    ("open of device", ErrorCode.SCANNER_NOT_FOUND),
    ("no SANE devices found", ErrorCode.SCANNER_NOT_FOUND),
)


def classify_failure(stderr: str, returncode: int, pages: int) -> ErrorCode | None:
    """What went wrong in a batch, from scanimage's messages; None for a normal end.

    An empty feeder ends every ADF batch: it is an error only when no page came at all.
    """
    for text, code in _FAILURES:
        if text in stderr:
            return code
    if "Document feeder out of documents" in stderr:
        return ErrorCode.NO_PAPER if pages == 0 else None
    if returncode != 0:
        return ErrorCode.SCANNER_FAILED
    return None


@dataclass(frozen=True)
class ScannedPage:
    page: int
    path: Path
    data: bytes
    ink_share: float | None  # None: not measured (simplex) or not decodable

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class KeptPage:
    page: ScannedPage
    sheet: int
    side: Side
    blank: bool | None
    other_side: OtherSide
    other: ScannedPage | None = None  # the dropped blank side, for its hash


class SheetPairer:
    """Pages in scan order → the pages to deliver, with what became of each sheet's other side. Pure."""

    def __init__(self, duplex: bool, drop_blank: bool, max_ink_share: float) -> None:
        self.duplex = duplex
        self.drop_blank = drop_blank
        self.max_ink_share = max_ink_share
        self._front: ScannedPage | None = None

    def measure(self) -> bool:
        return self.duplex and self.drop_blank

    def _blank(self, p: ScannedPage) -> bool | None:
        return None if p.ink_share is None else p.ink_share <= self.max_ink_share

    def add(self, p: ScannedPage) -> list[KeptPage]:
        if not self.duplex:
            return [KeptPage(p, p.page, Side.SIMPLEX, self._blank(p), OtherSide.NONE)]
        sheet = (p.page + 1) // 2
        if p.page % 2 == 1:
            self._front = p
            return []  # wait for its back: what to keep depends on both
        front, self._front = self._front, None
        if front is None:  # cannot happen with scanimage's numbering; keep the page rather than lose it
            return [KeptPage(p, sheet, Side.BACK, self._blank(p), OtherSide.MISSING)]
        fb, bb = self._blank(front), self._blank(p)
        if self.drop_blank and bb and fb is False:
            return [KeptPage(front, sheet, Side.FRONT, False, OtherSide.BLANK_DROPPED, p)]
        if self.drop_blank and fb and bb is False:
            return [KeptPage(p, sheet, Side.BACK, False, OtherSide.BLANK_DROPPED, front)]
        if self.drop_blank and fb and bb:
            return [KeptPage(front, sheet, Side.FRONT, True, OtherSide.BLANK_DROPPED, p)]
        return [
            KeptPage(front, sheet, Side.FRONT, fb, OtherSide.KEPT),
            KeptPage(p, sheet, Side.BACK, bb, OtherSide.KEPT),
        ]

    def flush(self) -> list[KeptPage]:
        """At the end of a batch: a front whose back never came (jam, stop) is still delivered."""
        front, self._front = self._front, None
        if front is None:
            return []
        return [KeptPage(front, (front.page + 1) // 2, Side.FRONT, self._blank(front), OtherSide.MISSING)]

    def dropped(self, kept: list[KeptPage]) -> list[ScannedPage]:
        return [k.other for k in kept if k.other is not None]


def _measure_ink(data: bytes) -> float | None:
    try:
        pages = load_pages(data)
    except ImageInputError:
        return None  # the station stores it and the reader says why it is unreadable
    return round(ink_share(to_gray(pages[0])), 6) if pages else None


class SaneScanner:
    """One batch per `events()` run: scans until the feeder is empty (or page_count), then Finished."""

    kind = SourceKind.SCANNER

    def __init__(self, config: SaneConfig, clock: Clock = utc_now, monotonic: Callable[[], float] = time.monotonic):
        self.config = config
        self.clock = clock
        self.monotonic = monotonic
        self.last_pid: int | None = None  # for the log and for tests that check the process is gone

    def _env(self) -> dict[str, str]:
        env = dict(os.environ, LC_ALL="C", LANG="C")
        if self.config.sane_config_dir is not None:
            env["SANE_CONFIG_DIR"] = str(self.config.sane_config_dir)
        return env

    def events(self, stop: threading.Event) -> Iterator[SourceEvent]:
        cfg = self.config
        device = cfg.device or "默认扫描仪 default scanner"
        if cfg.spool_dir is not None:
            cfg.spool_dir.mkdir(parents=True, exist_ok=True)
        batch_dir = Path(tempfile.mkdtemp(prefix="ballot-scan-", dir=cfg.spool_dir)).resolve()
        try:
            try:
                proc = subprocess.Popen(
                    scanimage_command(cfg, batch_dir),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=self._env(),
                    start_new_session=True,
                )
            except FileNotFoundError as err:
                yield from failed(ErrorCode.SCANIMAGE_MISSING, 0, str(err))
                return
            self.last_pid = proc.pid
            try:
                yield from self._batch(proc, batch_dir, device, stop)
            finally:
                _end_process(proc, cfg.stop_grace_s)
        finally:
            shutil.rmtree(batch_dir, ignore_errors=True)

    def _batch(
        self, proc: subprocess.Popen[bytes], batch_dir: Path, device: str, stop: threading.Event
    ) -> Iterator[SourceEvent]:
        cfg = self.config
        started = self.clock()
        pairer = SheetPairer(cfg.duplex, cfg.drop_blank_backs, cfg.blank_max_ink_share)
        pages = delivered = 0
        stopped = not_responding = False
        term_at: float | None = None
        stderr = bytearray()
        out = bytearray()
        assert proc.stdout is not None and proc.stderr is not None
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ, "out")
        sel.register(proc.stderr, selectors.EVENT_READ, "err")
        last_activity = self.monotonic()
        try:
            while sel.get_map():
                now = self.monotonic()
                if term_at is None and (stop.is_set() or now - last_activity > cfg.page_timeout_s):
                    stopped, not_responding = stop.is_set(), not stop.is_set()
                    term_at = now
                    _signal(proc, signal.SIGTERM)  # scanimage cancels the page in progress and exits
                elif term_at is not None and now - term_at > cfg.stop_grace_s:
                    _signal(proc, signal.SIGKILL)
                for key, _ in sel.select(timeout=0.1):
                    chunk = os.read(key.fileobj.fileno(), 65536)  # type: ignore[union-attr]
                    if not chunk:
                        sel.unregister(key.fileobj)
                        continue
                    last_activity = self.monotonic()
                    if key.data == "err":
                        stderr += chunk
                        del stderr[:-65536]
                        continue
                    out += chunk
                    while b"\n" in out:
                        line, _, rest = bytes(out).partition(b"\n")
                        out[:] = rest
                        page = self._read_page(Path(line.decode(errors="replace").strip()), pages + 1, pairer)
                        if page is None:
                            continue
                        pages += 1
                        kept = pairer.add(page)
                        yield from self._deliver(kept, pairer, started, device)
                        delivered += len(kept)
                        yield Progress(pages, cfg.page_count, f"已扫描 {pages} 页", f"{pages} pages scanned")
        finally:
            sel.close()
        kept = pairer.flush()
        yield from self._deliver(kept, pairer, started, device)
        delivered += len(kept)
        returncode = proc.wait()
        err_text = stderr.decode(errors="replace")
        tail = err_text.strip()[-2000:]
        if not_responding:
            yield from failed(ErrorCode.SCANNER_NOT_RESPONDING, delivered, tail, device)
            return
        if stopped:
            yield Finished.of(FinishReason.STOPPED, delivered)
            return
        code = classify_failure(err_text, returncode, pages)
        if code is not None:
            note = (f"（已扫描 {pages} 页）", f" (after {pages} pages)") if pages else ("", "")
            yield from failed(code, delivered, tail, device, note)
            return
        yield Finished.of(FinishReason.DONE, delivered)

    def _read_page(self, path: Path, number: int, pairer: SheetPairer) -> ScannedPage | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None  # not a page name (scanimage prints nothing else on stdout in batch mode)
        return ScannedPage(number, path, data, _measure_ink(data) if pairer.measure() else None)

    def _deliver(
        self, kept: list[KeptPage], pairer: SheetPairer, started: datetime, device: str
    ) -> Iterator[SourceEvent]:
        cfg = self.config
        for k in kept:
            p, other = k.page, k.other
            meta = ScanMeta(
                device=cfg.device or "",
                batch_started=started,
                page=p.page,
                sheet=k.sheet,
                side=k.side,
                resolution_dpi=cfg.resolution,
                mode=cfg.mode.value,
                format=cfg.format.value,
                blank=k.blank,
                ink_share=p.ink_share,
                other_side=k.other_side,
                other_side_sha256=other.sha256 if other else None,
                other_side_ink_share=other.ink_share if other else None,
            )
            name = f"scan-{started:%Y%m%d-%H%M%S}-p{p.page:04d}.{cfg.suffix}"
            yield Captured(Capture(p.data, name, SourceKind.SCANNER, self.clock(), meta))
        # The consumer has taken them: now the batch folder may forget them.
        for p in [k.page for k in kept] + pairer.dropped(kept):
            p.path.unlink(missing_ok=True)


def _signal(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it has just ended by itself
        proc.send_signal(sig)


def _end_process(proc: subprocess.Popen[bytes], grace_s: float) -> None:
    """Whatever happened (the consumer raised, the generator was closed early), leave no process behind."""
    if proc.poll() is None:
        _signal(proc, signal.SIGTERM)
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for f in (proc.stdout, proc.stderr):
        if f is not None:
            f.close()
