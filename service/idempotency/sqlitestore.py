"""The default store: one SQLite file that every worker process of an instance opens.

WAL mode lets readers poll while a writer claims; a claim is one IMMEDIATE transaction, so two
workers claiming the same key at once are serialised by SQLite and exactly one inserts the row.
Each thread of each process has its own connection: a connection must not cross fork() or threads.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from .store import Entry, scope_digest, translated

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS idempotency (scope TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,"
    " claimed REAL NOT NULL, expires REAL NOT NULL, outcome BLOB)",
    "CREATE INDEX IF NOT EXISTS idempotency_expires ON idempotency (expires)",
)
#: How long a worker waits for another's write lock before SQLite gives up, in seconds.
BUSY_TIMEOUT = 10.0


class SqliteStore:
    def __init__(self, path: Path, ttl: float, clock: Callable[[], float] = time.time) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.ttl = ttl
        self._clock = clock
        self._local = threading.local()
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            for statement in _SCHEMA:
                db.execute(statement)

    def claim(self, scope: str, fingerprint: str) -> Entry | None:
        with translated(sqlite3.Error):
            now = self._clock()
            db = self._db()
            with _immediate(db):
                db.execute("DELETE FROM idempotency WHERE expires < ?", (now,))  # purged while we hold the lock anyway
                inserted = db.execute(
                    "INSERT INTO idempotency (scope, fingerprint, claimed, expires) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (scope_digest(scope), fingerprint, now, now + self.ttl),
                ).rowcount
                return None if inserted else self._select(db, scope, now)

    def peek(self, scope: str) -> Entry | None:
        with translated(sqlite3.Error):
            return self._select(self._db(), scope, self._clock())

    def complete(self, scope: str, outcome: bytes) -> None:
        with translated(sqlite3.Error):
            self._db().execute(
                "UPDATE idempotency SET outcome = ?, expires = ? WHERE scope = ?",
                (outcome, self._clock() + self.ttl, scope_digest(scope)),
            )

    def release(self, scope: str) -> None:
        with translated(sqlite3.Error):
            self._db().execute("DELETE FROM idempotency WHERE scope = ?", (scope_digest(scope),))

    def _select(self, db: sqlite3.Connection, scope: str, now: float) -> Entry | None:
        row = db.execute(
            "SELECT fingerprint, claimed, outcome FROM idempotency WHERE scope = ? AND expires >= ?",
            (scope_digest(scope), now),
        ).fetchone()
        return Entry(row[0], row[1], row[2]) if row else None

    def _db(self) -> sqlite3.Connection:
        """This thread's connection, opened again in a forked child rather than shared with its parent."""
        if getattr(self._local, "pid", None) != os.getpid():
            self._local.db = self._connect()
            self._local.pid = os.getpid()
        db: sqlite3.Connection = self._local.db
        return db

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=True)


@contextmanager
def _immediate(db: sqlite3.Connection) -> Iterator[None]:
    """A write transaction taken at BEGIN, so that the read inside it cannot be overtaken by another claim."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
