"""The default store: one SQLite file that every worker process of an instance opens.

A claim is one IMMEDIATE transaction, so two workers claiming the same key at once are serialised by
SQLite and exactly one inserts the row. A file is not emptied behind our back, so check() finds nothing.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from ..stores import SqliteFile, translated
from ..stores.locations import STATE_KEY
from .store import UNAVAILABLE, Entry, Kept

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS idempotency (scope TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,"
    " claimed REAL NOT NULL, expires REAL NOT NULL, outcome BLOB)",
    "CREATE INDEX IF NOT EXISTS idempotency_expires ON idempotency (expires)",
)
_SETTLE = " ON CONFLICT DO UPDATE SET outcome = excluded.outcome, expires = excluded.expires"
_INSERT = "INSERT INTO idempotency (scope, fingerprint, claimed, expires, outcome) VALUES (?, ?, ?, ?, ?)"


class SqliteStore:
    def __init__(
        self, path: Path, ttl: float, clock: Callable[[], float] = time.time, setting: str = STATE_KEY
    ) -> None:
        self.file = SqliteFile(path, _SCHEMA, setting)
        self.ttl = ttl
        self._clock = clock

    @property
    def path(self) -> Path:
        return self.file.path

    def claim(self, digest: str, fingerprint: str) -> Entry | None:
        with _translated(), self.file.immediate() as db:
            now = self._clock()
            db.execute("DELETE FROM idempotency WHERE expires < ?", (now,))  # purged while we hold the lock anyway
            inserted = db.execute(
                _INSERT + " ON CONFLICT DO NOTHING", (digest, fingerprint, now, now + self.ttl, None)
            ).rowcount
            return None if inserted else self._select(db, digest, now)

    def peek(self, digest: str) -> Entry | None:
        with _translated():
            return self._select(self.file.db(), digest, self._clock())

    def complete(self, digest: str, entry: Entry) -> None:
        row = (digest, entry.fingerprint, entry.claimed, self._clock() + self.ttl, entry.outcome)
        with _translated():
            self.file.db().execute(_INSERT + _SETTLE, row)

    def release(self, digest: str) -> None:
        with _translated():
            self.file.db().execute("DELETE FROM idempotency WHERE scope = ?", (digest,))

    def check(self) -> None:
        """A file keeps its rows: nothing to find."""

    def restore(self, kept: Sequence[Kept]) -> None:
        rows = [(k.digest, k.entry.fingerprint, k.entry.claimed, k.expires, k.entry.outcome) for k in kept]
        with _translated(), self.file.immediate() as db:
            db.executemany(_INSERT + " ON CONFLICT DO NOTHING", rows)

    def _select(self, db: sqlite3.Connection, digest: str, now: float) -> Entry | None:
        row = db.execute(
            "SELECT fingerprint, claimed, outcome FROM idempotency WHERE scope = ? AND expires >= ?", (digest, now)
        ).fetchone()
        return Entry(row[0], row[1], row[2]) if row else None


def _translated() -> AbstractContextManager[None]:
    return translated("idempotency store", UNAVAILABLE, sqlite3.Error)
