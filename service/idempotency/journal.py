"""This instance's journal: every key it claimed and every outcome it had, kept as long as the store keeps them.

It is what makes an outcome never lost. An outcome is journaled before the store is told of it, and
stays pending until the store has it; a repeat of a journaled key gets the journal's entry without the
store being asked; and a store that lost its keys (StoreReset) gets the journal's entries back. A
SQLite file in the state folder, so it outlives a restart; every worker of the instance opens it.
synchronous=NORMAL in WAL mode survives the gateway's process dying; only an OS crash or a power cut
can lose the last writes.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from ..stores import SqliteFile, translated
from ..stores.locations import STATE_KEY
from .store import Entry, Kept

FILE_NAME = "idempotency-journal.sqlite3"
#: What a client is told when neither the store nor the journal can be used before its call runs.
UNAVAILABLE = "the idempotency journal cannot be read or written; repeat the request with the same key"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS journal (digest TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, claimed REAL NOT NULL,"
    " expires REAL NOT NULL, outcome BLOB, pending INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS journal_pending ON journal (pending) WHERE pending = 1",
    "CREATE INDEX IF NOT EXISTS journal_expires ON journal (expires)",
)
_WRITE = (
    "INSERT INTO journal (digest, fingerprint, claimed, expires, outcome, pending) VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT DO UPDATE SET fingerprint = excluded.fingerprint, claimed = excluded.claimed,"
    " expires = excluded.expires, outcome = excluded.outcome, pending = excluded.pending"
)
_KEPT = "SELECT digest, fingerprint, claimed, outcome, expires FROM journal WHERE expires >= ?"


class Journal:
    def __init__(self, path: Path, ttl: float, clock: Callable[[], float] = time.time) -> None:
        self.file = SqliteFile(path, _SCHEMA, STATE_KEY, synchronous="NORMAL")
        self.ttl = ttl
        self._clock = clock

    def find(self, digest: str) -> Entry | None:
        with _translated():
            row = (
                self.file.db()
                .execute(
                    "SELECT fingerprint, claimed, outcome FROM journal WHERE digest = ? AND expires >= ?",
                    (digest, self._clock()),
                )
                .fetchone()
            )
        return Entry(row[0], row[1], row[2]) if row else None

    def claimed(self, digest: str, entry: Entry) -> None:
        """This instance holds digest, its call about to run."""
        self._write(digest, entry, pending=False)

    def settled(self, digest: str, entry: Entry) -> None:
        """The call for digest has its outcome, not yet in the store."""
        self._write(digest, entry, pending=True)

    def stored(self, digest: str) -> None:
        """The store has digest's outcome."""
        with _translated():
            self.file.db().execute("UPDATE journal SET pending = 0 WHERE digest = ?", (digest,))

    def forget(self, digest: str) -> None:
        with _translated():
            self.file.db().execute("DELETE FROM journal WHERE digest = ?", (digest,))

    def pending(self) -> list[Kept]:
        """The outcomes the store does not have yet, oldest first."""
        return self._select(_KEPT + " AND pending = 1 ORDER BY claimed")

    def kept(self) -> list[Kept]:
        """Every entry not yet expired: what a store that lost its keys gets back."""
        return self._select(_KEPT)

    def purge(self) -> None:
        with _translated():
            self.file.db().execute("DELETE FROM journal WHERE expires < ?", (self._clock(),))

    def _write(self, digest: str, entry: Entry, *, pending: bool) -> None:
        row = (digest, entry.fingerprint, entry.claimed, self._clock() + self.ttl, entry.outcome, int(pending))
        with _translated():
            self.file.db().execute(_WRITE, row)

    def _select(self, query: str) -> list[Kept]:
        with _translated():
            rows: Sequence[tuple[str, str, float, bytes | None, float]] = (
                self.file.db().execute(query, (self._clock(),)).fetchall()
            )
        return [
            Kept(digest, Entry(fingerprint, claimed, outcome), expires)
            for digest, fingerprint, claimed, outcome, expires in rows
        ]


def _translated() -> AbstractContextManager[None]:
    return translated("idempotency journal", UNAVAILABLE, sqlite3.Error)
