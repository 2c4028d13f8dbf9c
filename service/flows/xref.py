"""The identity cross-reference: which id an entity has in another system (EHR patient <-> CRM customer ...).

A pair is linked the first time a flow sees it and kept for good, both ways; the first link wins, so two
workers linking one entity at once agree on the answer. A SQLite file in the state folder, or the flows'
Redis server for several machines.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..stores import SqliteFile, translated
from ..stores.locations import STATE_KEY

if TYPE_CHECKING:
    import redis

UNAVAILABLE = "the flows' identity cross-reference cannot be read or written"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS xref (kind TEXT NOT NULL, id TEXT NOT NULL, other TEXT NOT NULL,"
    " other_id TEXT NOT NULL, PRIMARY KEY (kind, id, other))",
)


class Xref(Protocol):
    def lookup(self, kind: str, id: str, other: str) -> str | None:
        """The id the entity kind:id has as an other, if linked."""

    def link(self, kind: str, id: str, other: str, other_id: str) -> str:
        """Link kind:id to other:other_id unless it is linked already; the id it is linked to either way."""


class SqliteXref:
    def __init__(self, path: Path, writing: AbstractContextManager[object] | None = None) -> None:
        self.file = SqliteFile(path, _SCHEMA, STATE_KEY, synchronous="NORMAL")
        #: Shared with the ledger in the same file, so that this process's threads write it one at a time.
        self._writing = writing or threading.Lock()

    def lookup(self, kind: str, id: str, other: str) -> str | None:
        with _translated():
            row = (
                self.file.db()
                .execute("SELECT other_id FROM xref WHERE kind = ? AND id = ? AND other = ?", (kind, id, other))
                .fetchone()
            )
        return str(row[0]) if row else None

    def link(self, kind: str, id: str, other: str, other_id: str) -> str:
        linked = self.lookup(kind, id, other)  # most links are made once and read ever after: no write then
        if linked is not None:
            return linked
        insert = "INSERT INTO xref (kind, id, other, other_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
        with self._writing, _translated(), self.file.immediate() as db:
            if db.execute(insert, (kind, id, other, other_id)).rowcount:
                db.execute(insert, (other, other_id, kind, id))
                return other_id
        return self.lookup(kind, id, other) or other_id


class RedisXref:
    """One hash per direction (soapbridge:flows:xref:<kind>><other>), written with HSETNX: the first link wins."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def lookup(self, kind: str, id: str, other: str) -> str | None:
        with _redis_translated():
            value = self.client.hget(_hash(kind, other), id)
        return value.decode() if isinstance(value, bytes) else None

    def link(self, kind: str, id: str, other: str, other_id: str) -> str:
        with _redis_translated():
            if self.client.hsetnx(_hash(kind, other), id, other_id):
                self.client.hsetnx(_hash(other, kind), other_id, id)
                return other_id
        return self.lookup(kind, id, other) or other_id


def _hash(kind: str, other: str) -> str:
    return f"soapbridge:flows:xref:{kind}>{other}"


def _translated() -> AbstractContextManager[None]:
    return translated("flows cross-reference", UNAVAILABLE, sqlite3.Error)


def _redis_translated() -> AbstractContextManager[None]:
    import redis

    return translated("flows cross-reference", UNAVAILABLE, redis.RedisError)
