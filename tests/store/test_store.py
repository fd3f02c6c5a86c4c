"""The evidence store on real SQLite files: durable, append-only, deduplicated, auditable."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from station.store.store import Store
from station.store.verify import verify


def _clock():
    t = [dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)]

    def now() -> dt.datetime:
        t[0] += dt.timedelta(seconds=1)
        return t[0]

    return now


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "ws", clock=_clock())
    yield s
    s.close()


def test_pragmas_and_schema_version(store: Store) -> None:
    c = store.raw()
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert c.execute("PRAGMA user_version").fetchone()[0] == 1


def test_image_stored_once_by_hash(store: Store) -> None:
    a = store.put_image(b"\x89PNG first", "hot-folder", "0001.png")
    b = store.put_image(b"\x89PNG first", "upload", "copy.png")
    c = store.put_image(b"\xff\xd8 second", "upload", "x.jpg")
    assert a.new and not b.new and c.new
    assert a.sha256 == b.sha256 and a.seq == b.seq == 1 and c.seq == 2
    assert a.path.read_bytes() == b"\x89PNG first" and a.path.suffix == ".png" and c.path.suffix == ".jpg"
    assert [r[3] for r in store.images()] == ["0001.png", "x.jpg"]


@pytest.mark.parametrize("table", ["images", "readings", "decisions", "log", "stage_settings"])
def test_evidence_tables_are_append_only(store: Store, table: str) -> None:
    img = store.put_image(b"data", "upload", "a")
    store.add_readings(img.sha256, [(0, "unreadable", None, "{}")], "test")
    store.add_decision(img.sha256, 0, "{}", "监票人甲", "scrutineer", "why")
    store.log("staff-1", "staff", "start", {})
    store.add_stage_setting("xuanju", 10, 9, "open", "staff", "start")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.raw().execute(f"UPDATE {table} SET rowid = rowid")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.raw().execute(f"DELETE FROM {table}")


def test_check_constraints(store: Store) -> None:
    img = store.put_image(b"data", "upload", "a")
    with pytest.raises(sqlite3.IntegrityError):
        store.add_readings(img.sha256, [(0, "maybe", None, "{}")], "test")
    with pytest.raises(sqlite3.IntegrityError):
        store.add_readings("f" * 64, [(0, "unreadable", None, "{}")], "test")  # no such image


def test_latest_reading_wins_and_old_ones_stay(store: Store) -> None:
    img = store.put_image(b"data", "upload", "a")
    store.add_readings(img.sha256, [(0, "needs_review", "xuanju", '{"v": 1}')], "reader-1")
    store.add_readings(img.sha256, [(0, "interpreted", "xuanju", '{"v": 2}')], "reader-2")
    assert list(store.latest_readings()) == [(img.sha256, 0, '{"v": 2}')]
    assert store.raw().execute("SELECT COUNT(*) FROM readings").fetchone()[0] == 2
    assert store.unread_images() == []


def test_log_chain_verifies_and_detects_tampering(store: Store, tmp_path: Path) -> None:
    for i in range(5):
        store.log("staff-1", "staff", "feed", {"n": i}, "batch 1")
    rep = verify(store)
    assert rep.ok and rep.log_entries == 5
    store.close()
    # Tamper behind the station's back, as an attacker with the file would.
    conn = sqlite3.connect(tmp_path / "ws" / "station.sqlite3")
    conn.execute("DROP TRIGGER log_no_update")
    conn.execute("UPDATE log SET payload_json = '{\"n\":99}' WHERE seq = 3")
    conn.commit()
    conn.close()
    again = Store.open(tmp_path / "ws")
    rep = verify(again)
    assert not rep.ok and rep.log_broken_at == 3
    again.close()


def test_altered_and_missing_images_are_reported(store: Store) -> None:
    a = store.put_image(b"\x89PNG one", "upload", "a.png")
    b = store.put_image(b"\x89PNG two", "upload", "b.png")
    a.path.write_bytes(b"\x89PNG one, altered")
    b.path.unlink()
    rep = verify(store)
    assert sorted(rep.images_bad) == sorted([(a.sha256, "altered"), (b.sha256, "missing")])


def test_recover_adopts_a_file_written_before_a_crash(tmp_path: Path) -> None:
    s = Store.open(tmp_path / "ws")
    data = b"\x89PNG written, then the power went"
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    path = s._image_path(sha, "png")
    s._write_atomically(path, data)  # step 2 done, step 3 (the row) never happened
    (s.images_dir / ".tmp" / "half-written").write_bytes(b"junk")
    s.close()
    s = Store.open(tmp_path / "ws")
    assert [r[0] for r in s.images()] == [sha]
    assert not any((s.images_dir / ".tmp").iterdir())
    assert s.put_image(data, "hot-folder", "0001.png").new is False  # redelivery is not a new ballot
    s.close()


def test_migration_takes_a_backup(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    db = ws / "station.sqlite3"
    sqlite3.connect(db).close()  # an empty database at version 0
    Store.open(ws).close()
    assert (ws / "station.sqlite3.before-v1.bak").exists()


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    from station.errors import StationError

    ws = tmp_path / "ws"
    Store.open(ws).close()
    conn = sqlite3.connect(ws / "station.sqlite3")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StationError, match="newer"):
        Store.open(ws)
