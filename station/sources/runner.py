"""Run a source: as an iterator in the caller's thread, or in a thread of its own with a sink.

Every source has `events(stop) -> Iterator[SourceEvent]`. Iterating it drives the source;
setting `stop` makes it wind down and end with `Finished`; closing the generator early
(or an exception in the consumer) runs its clean-up (`finally`): the scanner process is
terminated and reaped, the camera released, temporary files removed.

Evidence first: a source does its after-work on an image (moving a hot-folder file into
`done/`) only when the consumer asks for the next event, i.e. after the sink returned.
So the sink must store the capture durably before it returns; if it raises, the file
stays where it was and is taken again at the next start.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Protocol

from station.sources.capture import SourceKind
from station.sources.events import ErrorCode, SourceEvent, failed


class Source(Protocol):
    kind: SourceKind

    def events(self, stop: threading.Event) -> Iterator[SourceEvent]: ...


Sink = Callable[[SourceEvent], None]


class SourceThread:
    """A source in its own (non-daemon) thread, feeding `sink`; `stop()` ends and joins it.

    with SourceThread(HotFolder(cfg, taken=store), sink=queue.put):
        ...  # the station runs
    # here the thread has ended and the source has cleaned up
    """

    def __init__(self, source: Source, sink: Sink, name: str | None = None) -> None:
        self.source = source
        self.sink = sink
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name or f"source-{source.kind}", daemon=False)
        self.sink_error: BaseException | None = None

    def start(self) -> SourceThread:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the source to stop and wait for it. Raises TimeoutError if it does not end."""
        self._stop.set()
        if self._thread.ident is None:
            return
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"source thread {self._thread.name} did not stop within {timeout} s")

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the source to end by itself (a scanner batch); True when it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def __enter__(self) -> SourceThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        events = self.source.events(self._stop)
        try:
            for event in events:
                try:
                    self.sink(event)
                except BaseException as err:  # the station's own failure: stop the source, keep the cause
                    self.sink_error = err
                    self._stop.set()
                    return
        except Exception as err:  # a bug in a source must not die silently in its thread
            detail = "".join(traceback.format_exception(err))
            for event in failed(ErrorCode.INTERNAL, 0, detail):
                self._deliver(event)
        finally:
            events.close()  # runs the source's clean-up now, in this thread

    def _deliver(self, event: SourceEvent) -> None:
        try:
            self.sink(event)
        except BaseException as err:
            self.sink_error = err
