"""Nonces for one instance: a SQLite file that every worker process opens, in the state folder by default."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..stores import SqliteFile, translated
from .store import UNAVAILABLE, nonce_digest

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS nonce (key TEXT PRIMARY KEY, expires REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS nonce_expires ON nonce (expires)",
)


class SqliteNonces:
    def __init__(self, path: Path, setting: str) -> None:
        self.file = SqliteFile(path, _SCHEMA, setting)

    @property
    def path(self) -> Path:
        return self.file.path

    def remember(self, client: str, nonce: bytes, expires: float, now: float) -> bool:
        with translated("nonce store", UNAVAILABLE, sqlite3.Error), self.file.immediate() as db:
            db.execute("DELETE FROM nonce WHERE expires < ?", (now,))  # purged while we hold the lock anyway
            inserted = db.execute(
                "INSERT INTO nonce (key, expires) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (nonce_digest(client, nonce), expires),
            ).rowcount
            return bool(inserted)
