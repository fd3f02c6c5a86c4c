"""Uploads as captures, and the source thread's contract: clean stop, errors reported, never silent."""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Iterator

import pytest

from station.sources import (
    ErrorCode,
    Finished,
    FinishReason,
    SourceError,
    SourceKind,
    SourceThread,
    UploadRefused,
    capture_upload,
)
from station.sources.capture import CaptureMeta
from station.sources.upload import safe_name


def test_an_upload_keeps_its_bytes_and_a_safe_name(clock):
    data = b"not even an image: the reader will say so, after the station stored it"
    cap = capture_upload(data, "C:\\fakepath\\第1张 选票.png", "image/png", clock=clock.now)
    assert cap.data == data and cap.kind is SourceKind.UPLOAD and cap.received_at == clock.now()
    assert cap.name == "第1张 选票.png"
    assert cap.metadata.original_filename == "C:\\fakepath\\第1张 选票.png" and cap.metadata.size == len(data)
    assert cap.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("given", "safe"),
    [("../../etc/passwd", "passwd"), ("a\x00b\nc.png", "abc.png"), ("", "upload"), ("...", "upload"), ("/", "upload")],
)
def test_safe_names(given, safe):
    assert safe_name(given) == safe


def test_empty_and_oversized_uploads_are_refused_bilingually():
    with pytest.raises(UploadRefused) as err:
        capture_upload(b"", "x.png")
    assert err.value.zh == "上传的文件为空"
    with pytest.raises(UploadRefused, match="too large"):
        capture_upload(b"12345", "x.png", max_bytes=4)


def test_metadata_round_trips_as_json_for_the_store():
    from pydantic import TypeAdapter

    cap = capture_upload(b"x", "a.png")
    adapter = TypeAdapter(CaptureMeta)
    text = adapter.dump_json(cap.metadata)
    assert json.loads(text)["kind"] == "upload"
    assert adapter.validate_json(text) == cap.metadata


class Broken:
    """A source with a bug: the thread must report it, not die silently."""

    kind = SourceKind.UPLOAD

    def events(self, stop: threading.Event) -> Iterator:
        yield from ()
        raise RuntimeError("bug")


def test_a_source_bug_is_reported_as_an_internal_error():
    got: queue.Queue = queue.Queue()
    thread = SourceThread(Broken(), got.put).start()
    assert thread.wait(5)
    err, end = got.get(timeout=1), got.get(timeout=1)
    assert isinstance(err, SourceError) and err.code is ErrorCode.INTERNAL and "RuntimeError: bug" in err.detail
    assert end == Finished.of(FinishReason.FAILED, 0)


class Endless:
    """Runs until stopped, and records that its clean-up ran."""

    kind = SourceKind.HOT_FOLDER

    def __init__(self) -> None:
        self.cleaned = threading.Event()

    def events(self, stop: threading.Event) -> Iterator:
        try:
            while not stop.wait(0.01):
                pass
            yield Finished.of(FinishReason.STOPPED, 0)
        finally:
            self.cleaned.set()


def test_stop_joins_the_thread_and_runs_clean_up():
    src = Endless()
    got: queue.Queue = queue.Queue()
    thread = SourceThread(src, got.put).start()
    assert thread.running
    thread.stop(timeout=5)
    assert not thread.running and src.cleaned.is_set()
    assert got.get_nowait().reason is FinishReason.STOPPED
    SourceThread(Endless(), got.put).stop()  # stopping one never started is harmless
