"""Hot folder: complete files only, each once (also across a restart), moved after the consumer took them."""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

import pytest

from station.sources import (
    AfterPickup,
    Captured,
    ErrorCode,
    Finished,
    FinishReason,
    HotFolder,
    HotFolderConfig,
    SkipReason,
    SourceError,
    SourceKind,
    SourceThread,
)
from station.sources.hot_folder import is_partial_name

BALLOT = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # the source never decodes: any bytes will do


def _folder(tmp_path: Path, clock, **kw) -> tuple[HotFolder, Path]:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    taken = kw.pop("taken", frozenset())
    cfg = HotFolderConfig(**{"folder": inbox, "settle_s": 1.0, "poll_s": 0.05, **kw})
    return HotFolder(cfg, taken=taken, clock=clock.now, monotonic=clock.monotonic), inbox


def _settled(hf: HotFolder, clock) -> list:
    """Look (files are first seen), let settle_s pass, look again: the events of the second look."""
    first = list(hf.scan_once())
    clock.advance(2)
    return first + list(hf.scan_once())


def _captures(events) -> list:
    return [e.capture for e in events if isinstance(e, Captured)]


def test_a_file_is_taken_once_when_complete_bytes_unchanged_then_moved(tmp_path, clock):
    hf, inbox = _folder(tmp_path, clock)
    (inbox / "b1.png").write_bytes(BALLOT)
    assert list(hf.scan_once()) == []  # just seen: not yet known to be complete
    clock.advance(0.5)
    assert list(hf.scan_once()) == []
    clock.advance(0.6)
    [cap] = _captures(hf.scan_once())
    assert cap.data == BALLOT  # exactly the bytes written, never re-encoded
    assert cap.kind is SourceKind.HOT_FOLDER and cap.name == "b1.png"
    assert cap.metadata.size == len(BALLOT) and cap.received_at == clock.now()
    assert not (inbox / "b1.png").exists()
    assert (inbox / "done" / "b1.png").read_bytes() == BALLOT
    clock.advance(5)
    assert list(hf.scan_once()) == []


def test_a_growing_file_waits_until_its_size_has_been_stable(tmp_path, clock):
    hf, inbox = _folder(tmp_path, clock)
    f = inbox / "slow.tif"
    with open(f, "wb") as out:
        for chunk in range(5):
            out.write(BALLOT[chunk * 100 : (chunk + 1) * 100])
            out.flush()
            assert list(hf.scan_once()) == []
            clock.advance(0.9)  # under settle_s between writes
        out.write(BALLOT[500:])
    clock.advance(0.9)
    assert list(hf.scan_once()) == []  # changed since last look
    clock.advance(1.0)
    [cap] = _captures(hf.scan_once())
    assert cap.data == BALLOT


@pytest.mark.parametrize(
    "name", ["b.png.part", "b.tmp", "~b.png", ".b.png", "b.png.crdownload", "b.png~", "B.PNG.PART"]
)
def test_names_used_while_writing_are_never_taken(name):
    assert is_partial_name(name)


def test_partial_names_ignored_and_rename_into_place_taken(tmp_path, clock):
    hf, inbox = _folder(tmp_path, clock, settle_s=0.0)
    (inbox / "scan-1.png.part").write_bytes(BALLOT[:100])
    (inbox / "~scan-2.png").write_bytes(BALLOT)
    (inbox / ".scan-3.png").write_bytes(BALLOT)
    assert list(hf.scan_once()) == []
    os.replace(inbox / "scan-1.png.part", inbox / "scan-1.png")  # the writer is done
    [cap] = _captures(hf.scan_once())
    assert cap.name == "scan-1.png" and cap.data == BALLOT[:100]


def test_the_file_stays_when_the_consumer_did_not_take_it(tmp_path, clock):
    """The consumer stores, then asks for the next event. If it fails before that, the file is not moved."""
    hf, inbox = _folder(tmp_path, clock)
    (inbox / "b2.png").write_bytes(BALLOT + b"2")
    assert list(hf.scan_once()) == []
    clock.advance(2)
    gen = hf.scan_once()
    first = next(gen)
    assert isinstance(first, Captured) and first.capture.name == "b2.png"
    gen.close()  # the station crashed while storing it
    assert (inbox / "b2.png").exists()


def test_restart_skips_what_the_store_already_has(tmp_path, clock):
    hf, inbox = _folder(tmp_path, clock, after=AfterPickup.LEAVE)
    (inbox / "b1.png").write_bytes(BALLOT)
    (inbox / "b2.png").write_bytes(BALLOT + b"x")
    taken = {c.sha256 for c in _captures(_settled(hf, clock))}
    assert len(taken) == 2 and (inbox / "b1.png").exists()
    clock.advance(2)
    assert list(hf.scan_once()) == []  # left in place, not read again this run
    # A new run: the station passes what its store holds.
    again, _ = _folder(tmp_path, clock, after=AfterPickup.LEAVE, taken=taken)
    events = _settled(again, clock)
    assert _captures(events) == []
    assert sorted(e.reason for e in events) == [SkipReason.ALREADY_TAKEN] * 2
    clock.advance(2)
    assert list(again.scan_once()) == []  # reported once


def test_same_bytes_under_two_names_taken_once(tmp_path, clock):
    hf, inbox = _folder(tmp_path, clock)
    (inbox / "a.png").write_bytes(BALLOT)
    (inbox / "copy of a.png").write_bytes(BALLOT)
    events = _settled(hf, clock)
    assert len(_captures(events)) == 1
    [skip] = [e for e in events if e.type == "skipped"]
    assert skip.reason is SkipReason.ALREADY_TAKEN and skip.zh.startswith("同一图像")
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["a.png", "copy of a.png"]


def test_oldest_first_and_done_names_never_overwritten(tmp_path, clock):
    hf, inbox = _folder(tmp_path, clock)
    for i, name in enumerate(["c.png", "a.png", "b.png"]):
        (inbox / name).write_bytes(BALLOT + bytes([i]))
        os.utime(inbox / name, ns=(10**18 + i, 10**18 + i))
    (inbox / "done").mkdir()
    (inbox / "done" / "a.png").write_bytes(b"earlier batch")
    assert [c.name for c in _captures(_settled(hf, clock))] == ["c.png", "a.png", "b.png"]
    assert (inbox / "done" / "a.png").read_bytes() == b"earlier batch"
    assert (inbox / "done" / "a-2.png").read_bytes() == BALLOT + bytes([1])


def test_other_names_reported_once_too_large_refused_missing_folder_reported(tmp_path, clock):
    hf, inbox = _folder(tmp_path, clock, max_bytes=1000)
    (inbox / "notes.txt").write_text("hello")
    (inbox / "huge.png").write_bytes(BALLOT)  # > 1000 bytes
    events = list(hf.scan_once())
    clock.advance(2)
    events += list(hf.scan_once())
    clock.advance(2)
    events += list(hf.scan_once())
    kinds = sorted((e.type, getattr(e, "reason", None) or getattr(e, "code", None)) for e in events)
    assert kinds == [("error", ErrorCode.FILE_TOO_LARGE), ("skipped", SkipReason.NOT_AN_IMAGE_NAME)]
    assert (inbox / "huge.png").exists()

    gone, _ = _folder(tmp_path, clock)
    gone.config.folder.rename(tmp_path / "elsewhere")
    [err] = list(gone.scan_once())
    assert isinstance(err, SourceError) and err.code is ErrorCode.FOLDER_MISSING
    assert err.zh.startswith("找不到监视文件夹") and "inbox" in err.en
    assert list(gone.scan_once()) == []  # once, not at every poll
    (tmp_path / "elsewhere").rename(gone.config.folder)  # the USB disk is back
    assert [c.name for c in _captures(_settled(gone, clock))] == ["huge.png"]  # default size limit here


def test_runs_in_a_thread_with_real_time_and_stops_cleanly(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    got: queue.Queue = queue.Queue()
    cfg = HotFolderConfig(folder=inbox, settle_s=0.05, poll_s=0.01)
    with SourceThread(HotFolder(cfg), sink=got.put) as thread:
        for i in range(5):
            (inbox / f"b{i}.png.part").write_bytes(BALLOT + bytes([i]))
            os.replace(inbox / f"b{i}.png.part", inbox / f"b{i}.png")
        caps = [got.get(timeout=10).capture for _ in range(5)]
        assert thread.running
    assert not thread.running
    assert sorted(c.name for c in caps) == [f"b{i}.png" for i in range(5)]
    assert all(c.data == BALLOT + bytes([int(c.name[1])]) for c in caps)
    end = got.get(timeout=1)
    assert isinstance(end, Finished) and end.reason is FinishReason.STOPPED and end.captured == 5


def test_a_failing_sink_stops_the_source_and_keeps_the_cause(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "b.png").write_bytes(BALLOT)
    failed = threading.Event()

    def sink(event):
        if isinstance(event, Captured):
            failed.set()
            raise OSError("disk full")

    thread = SourceThread(HotFolder(HotFolderConfig(folder=inbox, settle_s=0.0, poll_s=0.01)), sink).start()
    assert failed.wait(10)
    assert thread.wait(10)
    thread.stop()
    assert isinstance(thread.sink_error, OSError)
    assert (inbox / "b.png").exists()  # not stored, so not moved
