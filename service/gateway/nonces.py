"""Accepted UsernameToken nonces, shared by every worker process: a replay is refused by any of them.

gunicorn runs several worker processes, so a per-process set would let a token replayed to
another worker through. The store is one small SQLite file in a runtime folder; each check
opens its own connection, so nothing is shared across fork() and threads need no lock.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

_SCHEMA = "CREATE TABLE IF NOT EXISTS nonce (key BLOB PRIMARY KEY, expires REAL NOT NULL)"


class NonceStore:
    """remember(client, nonce, expires) is True the first time, False for a replay until expires."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "nonces.sqlite3"
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    def remember(self, client: str, nonce: bytes, expires: float, now: float) -> bool:
        key = hashlib.sha256(client.encode() + b"\0" + nonce).digest()
        with closing(self._connect()) as db:
            db.execute("DELETE FROM nonce WHERE expires < ?", (now,))
            try:
                db.execute("INSERT INTO nonce (key, expires) VALUES (?, ?)", (key, expires))
            except sqlite3.IntegrityError:
                return False
        return True

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)
