"""Schema and migrations. `PRAGMA user_version` is the schema version; each migration runs
in one transaction, after a backup copy of the database is taken."""

from __future__ import annotations

# Append-only tables refuse UPDATE and DELETE at the database level, so no code path can
# rewrite evidence, even by mistake.
_APPEND_ONLY = ("images", "readings", "decisions", "log", "stage_settings")


def _guards() -> str:
    out = []
    for t in _APPEND_ONLY:
        for op in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} "
                f"BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END;"
            )
    return "\n".join(out)


MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE images (
        sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        size INTEGER NOT NULL CHECK (size >= 0),
        path TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        name TEXT NOT NULL,
        received_at TEXT NOT NULL,
        seq INTEGER NOT NULL UNIQUE
    );
    CREATE TABLE readings (
        id INTEGER PRIMARY KEY,
        image_sha256 TEXT NOT NULL REFERENCES images(sha256),
        page_index INTEGER NOT NULL CHECK (page_index >= 0),
        outcome TEXT NOT NULL CHECK (outcome IN
            ('interpreted', 'needs_review', 'blank_page', 'not_a_ballot', 'wrong_election', 'unreadable')),
        stage_id TEXT,
        reader TEXT NOT NULL,
        reading_json TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX readings_by_image ON readings(image_sha256, page_index, id);
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        image_sha256 TEXT NOT NULL REFERENCES images(sha256),
        page_index INTEGER NOT NULL CHECK (page_index >= 0),
        decision_json TEXT NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('staff', 'scrutineer', 'auditor', 'system')),
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX decisions_by_image ON decisions(image_sha256, page_index, id);
    CREATE TABLE stage_settings (
        id INTEGER PRIMARY KEY,
        stage_id TEXT NOT NULL,
        issued INTEGER CHECK (issued IS NULL OR issued >= 0),
        present INTEGER CHECK (present IS NULL OR present >= 0),
        status TEXT NOT NULL CHECK (status IN ('open', 'paused', 'closed')),
        actor TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        action TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        reason TEXT NOT NULL,
        prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
        hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
    );
    CREATE TABLE tokens (
        role TEXT PRIMARY KEY CHECK (role IN ('staff', 'scrutineer', 'auditor')),
        token_sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    """
    + _guards(),
]
