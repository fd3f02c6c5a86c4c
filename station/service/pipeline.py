"""Intake and reading: store first, read in other processes, record the reading.

    source ─► intake() ─► Store.put_image (durable, hashed) ─► queue ─► process pool
                                                                 └──► Store.add_readings ─► listeners

The web stays responsive because reading (≈ 50–100 ms of CPU per page) happens in worker
processes. Anything stored but not yet read is queued again at start, which is how a crash
at any moment ends in a consistent count after restart.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from station.store.store import Store, StoredImage

READER_ID = "vision-1"  # recorded with every reading, so a re-read with newer code is told apart

# --- worker process side --------------------------------------------------------------
_worker: dict[str, object] = {}


def _init_worker(election_path: str, profile: str) -> None:
    from calibration.profile import load_profile
    from station.definition_io import load_election
    from vision.templates import build_templates

    election = load_election(Path(election_path))
    _worker["templates"] = build_templates(election)
    _worker["profile"] = load_profile(profile)


def _read_job(image_path: str, source: str) -> list[tuple[int, str, str | None, str]]:
    from vision.read_files import read_bytes

    data = Path(image_path).read_bytes()
    out = []
    for r in read_bytes(data, source, _worker["templates"], _worker["profile"]):  # type: ignore[arg-type]
        stage = getattr(r.result, "identity", None)
        out.append(
            (r.page_index, r.result.outcome, stage.stage_id if stage else None, r.model_dump_json(by_alias=True))
        )
    return out


# --- station side -----------------------------------------------------------------------
@dataclass(frozen=True)
class ReadDone:
    sha256: str
    pages: list[tuple[int, str, str | None, str]]


@dataclass(frozen=True)
class ReadFailed:
    sha256: str
    error: str


Listener = Callable[[ReadDone | ReadFailed], None]


class Pipeline:
    def __init__(self, store: Store, election_path: Path, profile: str, workers: int = 1) -> None:
        self.store = store
        self._election_path = election_path
        self._profile = profile
        self._workers = workers
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._in_flight = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._listeners: list[Listener] = []
        self._pool: ProcessPoolExecutor | None = None
        self._thread: threading.Thread | None = None

    # lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        import multiprocessing

        # 'spawn': worker processes share nothing with the web server's threads.
        self._pool = ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(str(self._election_path), self._profile),
        )
        self._thread = threading.Thread(target=self._dispatch, name="reading-dispatch", daemon=True)
        self._thread.start()
        for sha in self.store.unread_images():
            self._enqueue(sha)

    def stop(self) -> None:
        self._queue.put(None)
        if self._thread:
            self._thread.join(timeout=30)
        if self._pool:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def add_listener(self, fn: Listener) -> None:
        self._listeners.append(fn)

    # intake -----------------------------------------------------------------------------
    def intake(self, data: bytes, source: str, name: str) -> StoredImage:
        """Store durably, then queue for reading. Equal bytes are recognised, not re-read."""
        stored = self.store.put_image(data, source, name)
        if stored.new:
            self._enqueue(stored.sha256)
        return stored

    def reread(self, sha: str) -> None:
        self._enqueue(sha)

    def _enqueue(self, sha: str) -> None:
        with self._lock:
            self._in_flight += 1
        self._queue.put(sha)

    @property
    def depth(self) -> int:
        """Images stored and not yet read."""
        with self._lock:
            return self._in_flight

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)

    # reading ------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        assert self._pool is not None
        while True:
            sha = self._queue.get()
            if sha is None:
                return
            path = self._path_of(sha)
            fut = self._pool.submit(_read_job, str(path), path.name)
            fut.add_done_callback(lambda f, s=sha: self._done(s, f))

    def _path_of(self, sha: str) -> Path:
        row = self.store.raw().execute("SELECT path FROM images WHERE sha256 = ?", (sha,)).fetchone()
        return self.store.root / row[0]

    def _done(self, sha: str, fut: Future) -> None:
        try:
            pages = fut.result()
            self.store.add_readings(sha, pages, READER_ID)
            event: ReadDone | ReadFailed = ReadDone(sha, pages)
        except Exception as err:  # a worker crash must not stop the count; it is reported
            event = ReadFailed(sha, f"{type(err).__name__}: {err}")
        for fn in self._listeners:
            fn(event)
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()
