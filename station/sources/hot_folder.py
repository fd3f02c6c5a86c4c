"""A hot folder: the folder that scanner software (or a person) writes ballot images into.

A file is taken when it is complete: its size and modification time have not changed for
`settle_s` (writers that rename a finished file into place are complete at once; set
`settle_s` to 0 for them). Names that writers use while writing are never taken:
`*.part`, `*.tmp`, `*.crdownload`, `~*`, `.*`. Only image names (vision's suffixes) are
taken; others are reported once and left alone. Sub-folders are not looked into.

Never twice, also across a restart: the caller passes `taken`, anything that answers
`sha256 in taken` (a set, or the store itself): the store is the one record of what was
received, so there is no second log to drift from it. A file whose bytes are already
taken is reported as `Skipped` and handled like a taken one (moved or left).

After the consumer has stored a capture (see station.sources.runner), the file is moved
into `done_folder` (`after = "move"`, the default: the folder shows what is left to do)
or left where it is (`after = "leave"`; then it is remembered for this run, and after a
restart it is re-read once and skipped by its hash).

Polling, no inotify: `poll_s` between looks. The clock is injected for tests.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from station.sources.capture import Capture, Clock, FolderMeta, SourceKind, utc_now
from station.sources.events import (
    Captured,
    ErrorCode,
    Finished,
    FinishReason,
    Skipped,
    SkipReason,
    SourceError,
    SourceEvent,
)
from vision.read_files import IMAGE_SUFFIXES

TEMP_SUFFIXES = (".part", ".tmp", ".temp", ".crdownload", ".partial", ".swp", ".download", "~")
TEMP_PREFIXES = (".", "~")


class AfterPickup(StrEnum):
    MOVE = "move"
    LEAVE = "leave"


class HotFolderConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    folder: Path = Field(description="the folder the scanner software writes into")
    settle_s: float = Field(1.0, ge=0, description="a file is complete when unchanged this long")
    poll_s: float = Field(0.5, gt=0, le=60, description="seconds between looks at the folder")
    after: AfterPickup = Field(AfterPickup.MOVE, description="move taken files into done_folder, or leave them")
    done_folder: Path | None = Field(None, description="where taken files go; default: <folder>/done")
    max_bytes: int = Field(200 * 1024 * 1024, gt=0, description="larger files are refused (not a ballot image)")

    @property
    def done_path(self) -> Path:
        return self.done_folder if self.done_folder is not None else self.folder / "done"


def is_partial_name(name: str) -> bool:
    low = name.lower()
    return low.startswith(TEMP_PREFIXES) or low.endswith(TEMP_SUFFIXES)


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float  # monotonic time from which it has been unchanged


class HotFolder:
    kind = SourceKind.HOT_FOLDER

    def __init__(
        self,
        config: HotFolderConfig,
        taken: Container[str] = frozenset(),
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.taken = taken
        self.clock = clock
        self.monotonic = monotonic
        self._seen: dict[str, _Seen] = {}
        self._handled: dict[str, tuple[int, int]] = {}  # name → (size, mtime_ns) already dealt with
        self._taken_here: set[str] = set()  # hashes delivered by this run
        self._reported: set[tuple[str, str]] = set()  # (what, name) reported once
        self.captured = 0

    def events(self, stop: threading.Event) -> Iterator[SourceEvent]:
        while not stop.is_set():
            yield from self.scan_once()
            stop.wait(self.config.poll_s)
        yield Finished.of(FinishReason.STOPPED, self.captured)

    def scan_once(self) -> Iterator[SourceEvent]:
        """One look at the folder: every file complete now, oldest first."""
        folder = self.config.folder
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            yield from self._once("folder", str(folder), SourceError.of(ErrorCode.FOLDER_MISSING, what=str(folder)))
            return
        except OSError as err:
            yield from self._once(
                "folder", str(folder), SourceError.of(ErrorCode.FOLDER_UNREADABLE, str(err), what=str(folder))
            )
            return
        self._reported.discard(("folder", str(folder)))
        now = self.monotonic()
        ready: list[tuple[int, str, os.stat_result]] = []
        present: set[str] = set()
        for entry in entries:
            name = entry.name
            if is_partial_name(name):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone between listing and stat: a writer renaming it
            present.add(name)
            if Path(name).suffix.lower() not in IMAGE_SUFFIXES:
                yield from self._once(
                    "suffix",
                    name,
                    Skipped(name, SkipReason.NOT_AN_IMAGE_NAME, "不是图像文件名，未接收", "not an image file name"),
                )
                continue
            if self._handled.get(name) == (st.st_size, st.st_mtime_ns):
                continue
            seen = self._seen.get(name)
            if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
                self._seen[name] = seen = _Seen(st.st_size, st.st_mtime_ns, now)
            if now - seen.since >= self.config.settle_s:
                ready.append((st.st_mtime_ns, name, st))
        for name in set(self._seen) - present:
            del self._seen[name]
        for name in set(self._handled) - present:
            del self._handled[name]
        for _, name, st in sorted(ready):
            yield from self._take(name, st)

    def _take(self, name: str, st: os.stat_result) -> Iterator[SourceEvent]:
        path = self.config.folder / name
        if st.st_size > self.config.max_bytes:
            yield from self._once(
                "size", name, SourceError.of(ErrorCode.FILE_TOO_LARGE, f"{st.st_size} bytes", what=name)
            )
            return
        try:
            with open(path, "rb") as f:
                data = f.read(self.config.max_bytes + 1)
                after = os.fstat(f.fileno())
        except FileNotFoundError:
            self._seen.pop(name, None)
            return
        except OSError as err:
            yield from self._once("read", name, SourceError.of(ErrorCode.FILE_UNREADABLE, str(err), what=name))
            return
        if (after.st_size, after.st_mtime_ns) != (st.st_size, st.st_mtime_ns) or len(data) != st.st_size:
            self._seen.pop(name, None)  # still being written after all: wait for it to settle again
            return
        self._seen.pop(name, None)
        capture = Capture(
            data=data,
            name=name,
            kind=SourceKind.HOT_FOLDER,
            received_at=self.clock(),
            metadata=FolderMeta(
                folder=str(self.config.folder), file_name=name, size=st.st_size, mtime_ns=st.st_mtime_ns
            ),
        )
        digest = capture.sha256
        if digest in self._taken_here or digest in self.taken:
            zh, en = "同一图像已接收过，不重复计入", "the same image was taken before"
            yield Skipped(name, SkipReason.ALREADY_TAKEN, zh, en, digest)
        else:
            yield Captured(capture)
            # Here the consumer has stored it (it asked for the next event).
            self._taken_here.add(digest)
            self.captured += 1
        yield from self._after(name, st)

    def _after(self, name: str, st: os.stat_result) -> Iterator[SourceEvent]:
        self._handled[name] = (st.st_size, st.st_mtime_ns)
        if self.config.after is AfterPickup.LEAVE:
            return
        done = self.config.done_path
        try:
            done.mkdir(parents=True, exist_ok=True)
            os.replace(self.config.folder / name, _free_name(done, name))
        except OSError as err:
            yield SourceError.of(ErrorCode.MOVE_FAILED, str(err), what=name)

    def _once(self, what: str, name: str, event: SourceEvent) -> Iterator[SourceEvent]:
        """Report a lasting condition once, not at every poll."""
        if (what, name) not in self._reported:
            self._reported.add((what, name))
            yield event


def _free_name(folder: Path, name: str) -> Path:
    """`name` in `folder`, or `stem-2.ext`, `stem-3.ext` … if taken: never overwrite a done file."""
    target = folder / name
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
    return target
