"""The workspace store: images on disk named by hash, everything else in SQLite.

Crash safety, in order of events for one received image:
1. bytes written to a temp file in the workspace, flushed and fsynced;
2. renamed to images/ab/<sha256>.<ext> and the folder fsynced (the rename is atomic);
3. one row inserted in `images` (SQLite WAL, synchronous=FULL: durable at commit);
4. only then is the image read; the reading is a new row that refers to the hash.
A crash between 2 and 3 leaves a file without a row: `recover()` at start adopts it. A
crash before 2 leaves a temp file: discarded, and the source still holds the image (a hot
folder file is moved only after step 3). The same bytes received twice are the same
image: stored once, counted once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from station.errors import StationError
from station.store.schema import MIGRATIONS

GENESIS = "0" * 64
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",  # a committed row survives a power cut, not just a crash
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA temp_store = MEMORY",
)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _ext(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpg"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tif"
    if data.startswith(b"%PDF-"):
        return "pdf"
    return "bin"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class StoredImage:
    sha256: str
    path: Path
    seq: int
    new: bool  # False: these exact bytes were stored before


@dataclass(frozen=True)
class LogEntry:
    seq: int
    at: str
    actor: str
    role: str
    action: str
    payload: dict[str, Any]
    reason: str
    prev_hash: str
    hash: str


def entry_hash(
    prev_hash: str, seq: int, at: str, actor: str, role: str, action: str, payload_json: str, reason: str
) -> str:
    body = json.dumps([seq, at, actor, role, action, payload_json, reason], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


class Store:
    def __init__(self, root: Path, conn: sqlite3.Connection, clock: Clock) -> None:
        self.root = root
        self.images_dir = root / "images"
        self._conn = conn
        self._clock = clock
        self._lock = threading.RLock()

    # opening ----------------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path, clock: Clock = utc_now) -> Store:
        root = Path(root)
        try:
            (root / "images" / ".tmp").mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StationError(
                f"无法创建工作目录 {root}：{err.strerror}", f"cannot create the workspace {root}: {err.strerror}"
            ) from None
        db = root / "station.sqlite3"
        _backup_before_migrating(db)
        conn = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
        for p in PRAGMAS:
            conn.execute(p)
        _migrate(conn)
        store = cls(root, conn, clock)
        store.recover()
        return store

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _now(self) -> str:
        return self._clock().astimezone(dt.UTC).isoformat(timespec="milliseconds")

    # images -----------------------------------------------------------------------------
    def _image_path(self, sha: str, ext: str) -> Path:
        return self.images_dir / sha[:2] / f"{sha}.{ext}"

    def put_image(self, data: bytes, source: str, name: str) -> StoredImage:
        """Store the bytes durably (if new) and record them; idempotent for equal bytes."""
        sha = hashlib.sha256(data).hexdigest()
        path = self._image_path(sha, _ext(data))
        with self._lock:
            row = self._conn.execute("SELECT seq, path FROM images WHERE sha256 = ?", (sha,)).fetchone()
            if row is not None:
                return StoredImage(sha, self.root / row[1], row[0], new=False)
            if not path.exists():
                self._write_atomically(path, data)
            return self._insert_image(sha, len(data), path, source, name)

    def _write_atomically(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.images_dir / ".tmp" / f"{path.name}.{os.getpid()}.{threading.get_ident()}"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)

    def _insert_image(self, sha: str, size: int, path: Path, source: str, name: str) -> StoredImage:
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            seq = c.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM images").fetchone()[0]
            c.execute(
                "INSERT INTO images (sha256, size, path, source, name, received_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sha, size, str(path.relative_to(self.root)), source, name, self._now(), seq),
            )
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return StoredImage(sha, path, seq, new=True)

    def recover(self) -> list[str]:
        """Adopt image files a crash left without a row; drop unfinished temp files."""
        adopted = []
        with self._lock:
            for tmp in (self.images_dir / ".tmp").iterdir():
                tmp.unlink(missing_ok=True)
            known = {r[0] for r in self._conn.execute("SELECT sha256 FROM images")}
            for f in sorted(self.images_dir.glob("??/*.*")):
                sha = f.name.split(".")[0]
                if sha in known:
                    continue
                data = f.read_bytes()
                if hashlib.sha256(data).hexdigest() != sha:
                    continue  # not ours to adopt; `verify` reports it
                self._insert_image(sha, len(data), f, "recovered", f.name)
                adopted.append(sha)
        return adopted

    def __contains__(self, sha: object) -> bool:
        """`sha256 in store`: was this image received before? (How a hot folder never takes
        the same file twice, even across restarts: the store is the only record.)"""
        with self._lock:
            return self._conn.execute("SELECT 1 FROM images WHERE sha256 = ?", (sha,)).fetchone() is not None

    def image_bytes(self, sha: str) -> bytes:
        row = self._conn.execute("SELECT path FROM images WHERE sha256 = ?", (sha,)).fetchone()
        if row is None:
            raise KeyError(sha)
        return (self.root / row[0]).read_bytes()

    def images(self) -> list[tuple[str, int, str, str, str]]:
        """(sha256, seq, source, name, received_at) in arrival order."""
        with self._lock:
            return list(self._conn.execute("SELECT sha256, seq, source, name, received_at FROM images ORDER BY seq"))

    def unread_images(self) -> list[str]:
        with self._lock:
            return [
                r[0]
                for r in self._conn.execute(
                    "SELECT sha256 FROM images i WHERE NOT EXISTS "
                    "(SELECT 1 FROM readings r WHERE r.image_sha256 = i.sha256) ORDER BY seq"
                )
            ]

    # readings and decisions ---------------------------------------------------------------
    def add_readings(self, sha: str, readings: list[tuple[int, str, str | None, str]], reader: str) -> None:
        """All pages of one image at once: (page_index, outcome, stage_id, reading_json)."""
        with self._lock:
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                for page, outcome, stage, js in readings:
                    c.execute(
                        "INSERT INTO readings (image_sha256, page_index, outcome, stage_id, reader, reading_json,"
                        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (sha, page, outcome, stage, reader, js, self._now()),
                    )
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise

    def latest_readings(self) -> Iterator[tuple[str, int, str]]:
        """(sha256, page_index, reading_json): the newest reading of every page."""
        with self._lock:
            rows = list(
                self._conn.execute(
                    "SELECT r.image_sha256, r.page_index, r.reading_json FROM readings r "
                    "JOIN images i ON i.sha256 = r.image_sha256 "
                    "WHERE r.id = (SELECT MAX(id) FROM readings x WHERE x.image_sha256 = r.image_sha256 "
                    "AND x.page_index = r.page_index) ORDER BY i.seq, r.page_index"
                )
            )
        yield from rows

    def add_decision(self, sha: str, page: int, decision_json: str, actor: str, role: str, reason: str) -> int:
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO decisions (image_sha256, page_index, decision_json, actor, role, reason, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sha, page, decision_json, actor, role, reason, self._now()),
            )
            return int(cur.lastrowid or 0)

    def decisions(self) -> list[tuple[str, int, str, str, str, str, str]]:
        """(sha256, page, decision_json, actor, role, reason, created_at) in order made."""
        with self._lock:
            return list(
                self._conn.execute(
                    "SELECT image_sha256, page_index, decision_json, actor, role, reason, created_at "
                    "FROM decisions ORDER BY id"
                )
            )

    # the action log ---------------------------------------------------------------------
    def log(self, actor: str, role: str, action: str, payload: dict[str, Any], reason: str = "") -> LogEntry:
        payload_json = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        with self._lock:
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                last = c.execute("SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1").fetchone()
                seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
                at = self._now()
                h = entry_hash(prev, seq, at, actor, role, action, payload_json, reason)
                c.execute(
                    "INSERT INTO log (seq, at, actor, role, action, payload_json, reason, prev_hash, hash)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (seq, at, actor, role, action, payload_json, reason, prev, h),
                )
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        return LogEntry(seq, at, actor, role, action, payload, reason, prev, h)

    def log_entries(self, after: int = 0) -> list[LogEntry]:
        with self._lock:
            rows = list(
                self._conn.execute(
                    "SELECT seq, at, actor, role, action, payload_json, reason, prev_hash, hash FROM log "
                    "WHERE seq > ? ORDER BY seq",
                    (after,),
                )
            )
        return [LogEntry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7], r[8]) for r in rows]

    # settings and tokens ----------------------------------------------------------------
    def add_stage_setting(
        self, stage_id: str, issued: int | None, present: int | None, status: str, actor: str, reason: str
    ) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO stage_settings (stage_id, issued, present, status, actor, reason, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (stage_id, issued, present, status, actor, reason, self._now()),
            )

    def stage_setting(self, stage_id: str) -> tuple[int | None, int | None, str] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT issued, present, status FROM stage_settings WHERE stage_id = ? ORDER BY id DESC LIMIT 1",
                (stage_id,),
            ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def set_token_hash(self, role: str, token_sha256: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO tokens (role, token_sha256, created_at) VALUES (?, ?, ?)",
                (role, token_sha256, self._now()),
            )

    def token_hashes(self) -> dict[str, str]:
        with self._lock:
            return dict(self._conn.execute("SELECT role, token_sha256 FROM tokens"))

    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def raw(self) -> sqlite3.Connection:
        """The connection, for read-only reports and tests; writes go through methods."""
        return self._conn


def _backup_before_migrating(db: Path) -> None:
    if not db.exists():
        return
    conn = sqlite3.connect(db)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    if version < len(MIGRATIONS):
        shutil.copy2(db, db.with_name(f"{db.name}.before-v{len(MIGRATIONS)}.bak"))


def _migrate(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StationError(
            f"工作目录的数据库版本（{version}）比本程序新，请升级程序",
            f"the workspace database (version {version}) is newer than this program; upgrade it",
        )
    for i in range(version, len(MIGRATIONS)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for stmt in _split(MIGRATIONS[i]):
                conn.execute(stmt)
            conn.execute(f"PRAGMA user_version = {i + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _split(script: str) -> list[str]:
    """Statements of a migration; triggers hold ';' inside BEGIN … END."""
    out, buf = [], ""
    for part in script.split(";"):
        buf += part + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                out.append(buf.strip())
            buf = ""
    return out
