"""Audit: every stored image against its hash, and the action log's hash chain."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from station.store.store import GENESIS, Store, entry_hash


@dataclass
class VerifyReport:
    images_checked: int = 0
    images_bad: list[tuple[str, str]] = field(default_factory=list)  # (sha256, what is wrong)
    log_entries: int = 0
    log_broken_at: int | None = None  # first seq whose link does not hold
    log_problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.images_bad and self.log_broken_at is None


def verify(store: Store) -> VerifyReport:
    rep = VerifyReport()
    conn = store.raw()
    for sha, path in conn.execute("SELECT sha256, path FROM images ORDER BY seq"):
        rep.images_checked += 1
        try:
            data = (store.root / path).read_bytes()
        except OSError:
            rep.images_bad.append((sha, "missing"))
            continue
        if hashlib.sha256(data).hexdigest() != sha:
            rep.images_bad.append((sha, "altered"))
    prev = GENESIS
    expected_seq = 1
    for e in store.log_entries():
        rep.log_entries += 1
        payload_json = conn.execute("SELECT payload_json FROM log WHERE seq = ?", (e.seq,)).fetchone()[0]
        if e.seq != expected_seq:
            rep.log_broken_at, rep.log_problem = e.seq, f"entry {expected_seq} is missing"
            break
        if e.prev_hash != prev:
            rep.log_broken_at, rep.log_problem = e.seq, "does not link to the entry before it"
            break
        if entry_hash(prev, e.seq, e.at, e.actor, e.role, e.action, payload_json, e.reason) != e.hash:
            rep.log_broken_at, rep.log_problem = e.seq, "its content does not match its hash"
            break
        prev = e.hash
        expected_seq += 1
    return rep
