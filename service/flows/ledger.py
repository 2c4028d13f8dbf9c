"""The ledger: every item a flow has queued, and where it stands. It is what makes the queue lose nothing.

huey hands a task to one worker and forgets it, so a worker killed mid-item would lose it; the ledger
keeps the item until a worker reports it done or dead. A worker takes an item by a lease, and an item
whose lease ran out (its worker died), or that sits queued with no task in huey, is handed to huey again
by the scheduler's sweep. A second task for one item is harmless: only one worker can hold the lease.
Items of one key go one at a time, in the order they were queued: an item is not taken while an older one
of its key is still open, and finishing an item hands the next one of its key to the queue.

    queued --take--> running --done--> done
       ^                |--retry (attempts left, or the target held)--> queued (due later)
       |                '--dead (attempts spent, bad data)--> dead --replay--> queued
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..stores import SqliteFile, translated
from ..stores.locations import STATE_KEY

UNAVAILABLE = "the flows' ledger cannot be read or written"
STATES = ("queued", "running", "done", "dead")
OPEN = ("queued", "running")


@dataclass(frozen=True)
class NewItem:
    id: str
    key: str
    version: str
    payload: bytes
    correlation: str
    #: When the source changed it (epoch seconds), else when it was queued.
    changed_at: float


@dataclass(frozen=True)
class Item:
    flow: str
    id: str
    key: str
    version: str
    payload: bytes
    correlation: str
    state: str
    attempts: int
    changed_at: float
    reason: str = ""
    finished: float = 0.0


@dataclass(frozen=True)
class Watermark:
    value: str
    #: When the flow last polled, and how many items that run queued.
    polled: float = 0.0
    queued: int = 0


class Ledger(Protocol):
    def add(self, flow: str, items: Sequence[NewItem]) -> list[str]:
        """Record items not seen before (by id), all or none; the ids that are new."""

    def take(self, flow: str, id: str, lease: float) -> Item | None:
        """Hold the item for lease seconds, if it is due, not held by a live worker, and first of its key."""

    def done(self, flow: str, id: str) -> str | None:
        """The item had its effect; the next open item of its key, to queue."""

    def retry(self, flow: str, id: str, delay: float, reason: str, counted: bool) -> None:
        """Back to queued, due after delay; counted adds one to its attempts."""

    def dead(self, flow: str, id: str, reason: str) -> str | None:
        """Given up with reason after one more attempt; the next open item of its key, to queue."""

    def sweep(self, flow: str, requeue_after: float) -> list[str]:
        """Open items that may have no task in the queue: leases run out, or due and untouched for a while."""

    def replay(self, flow: str, ids: Sequence[str]) -> list[str]:
        """Dead items (all of them when ids is empty) queued again with their attempts reset."""

    def get(self, flow: str, id: str) -> Item | None: ...

    def items(self, flow: str, state: str, limit: int = 1000) -> list[Item]:
        """Items in state, oldest first."""

    def counts(self, flow: str) -> dict[str, int]:
        """How many items are in each state."""

    def oldest_open(self, flow: str) -> float | None:
        """When the oldest open item changed at its source: what the lag is measured from."""

    def purge(self, flow: str, older: float) -> int:
        """Forget delivered items finished more than older seconds ago; how many."""

    def watermark(self, flow: str) -> Watermark | None: ...

    def advance(self, flow: str, mark: Watermark) -> None: ...


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS items (seq INTEGER PRIMARY KEY AUTOINCREMENT, flow TEXT NOT NULL, id TEXT NOT NULL,"
    " key TEXT NOT NULL, version TEXT NOT NULL, payload BLOB NOT NULL, correlation TEXT NOT NULL,"
    " state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, due REAL NOT NULL, lease REAL NOT NULL DEFAULT 0,"
    " touched REAL NOT NULL, changed_at REAL NOT NULL, reason TEXT NOT NULL DEFAULT '',"
    " finished REAL NOT NULL DEFAULT 0, UNIQUE (flow, id))",
    "CREATE INDEX IF NOT EXISTS items_key ON items (flow, key, seq) WHERE state IN ('queued', 'running')",
    "CREATE INDEX IF NOT EXISTS items_state ON items (flow, state, seq)",
    "CREATE TABLE IF NOT EXISTS watermarks (flow TEXT PRIMARY KEY, value TEXT NOT NULL, polled REAL NOT NULL,"
    " queued INTEGER NOT NULL)",
)
_COLUMNS = "flow, id, key, version, payload, correlation, state, attempts, changed_at, reason, finished"


class SqliteLedger:
    """One SQLite file every worker and the scheduler of the machine open. WAL with synchronous=NORMAL, as the
    idempotency journal: a transaction outlives the process that wrote it (kill -9 included); only the machine
    losing power or its OS crashing can lose the last ones, and then what they recorded is polled again."""

    def __init__(self, path: Path) -> None:
        self.file = SqliteFile(path, _SCHEMA, STATE_KEY, synchronous="NORMAL")
        # This process's threads write one at a time: waiting on a lock wakes at once, where SQLite's busy
        # handler sleeps in growing steps (1, 2, 5, 10... ms) and a few threads then spend their time asleep.
        self.writing = threading.Lock()

    def add(self, flow: str, items: Sequence[NewItem]) -> list[str]:
        now = time.time()
        insert = (
            "INSERT INTO items (flow, id, key, version, payload, correlation, state, due, touched, changed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) ON CONFLICT DO NOTHING"
        )
        new = []
        with self.writing, _translated(), self.file.immediate() as db:
            for item in items:
                row = (flow, item.id, item.key, item.version, item.payload, item.correlation, now, now)
                if db.execute(insert, (*row, item.changed_at)).rowcount:
                    new.append(item.id)
        return new

    def take(self, flow: str, id: str, lease: float) -> Item | None:
        now = time.time()
        with self.writing, _translated(), self.file.immediate() as db:
            row = db.execute(
                "SELECT seq, key, state, due, lease FROM items WHERE flow = ? AND id = ?", (flow, id)
            ).fetchone()
            if row is None or not _takeable(row[2], row[3], row[4], now):
                return None
            earlier = db.execute(
                "SELECT 1 FROM items WHERE flow = ? AND key = ? AND seq < ? AND state IN ('queued', 'running') LIMIT 1",
                (flow, row[1], row[0]),
            ).fetchone()
            if earlier:
                return None
            db.execute(
                "UPDATE items SET state = 'running', lease = ?, touched = ? WHERE seq = ?", (now + lease, now, row[0])
            )
            return _item(db.execute(f"SELECT {_COLUMNS} FROM items WHERE seq = ?", (row[0],)).fetchone())

    def done(self, flow: str, id: str) -> str | None:
        return self._finish(flow, id, "done", "")

    def dead(self, flow: str, id: str, reason: str) -> str | None:
        return self._finish(flow, id, "dead", reason)

    def retry(self, flow: str, id: str, delay: float, reason: str, counted: bool) -> None:
        now = time.time()
        with self.writing, _translated():
            self.file.db().execute(
                "UPDATE items SET state = 'queued', due = ?, touched = ?, reason = ?, attempts = attempts + ?"
                " WHERE flow = ? AND id = ? AND state = 'running'",
                (now + delay, now + delay, reason, int(counted), flow, id),
            )

    def sweep(self, flow: str, requeue_after: float) -> list[str]:
        now = time.time()
        with self.writing, _translated(), self.file.immediate() as db:
            rows = db.execute(
                "SELECT seq, id FROM items WHERE flow = ? AND ((state = 'running' AND lease < ?)"
                " OR (state = 'queued' AND due <= ? AND touched < ?)) ORDER BY seq LIMIT 10000",
                (flow, now, now, now - requeue_after),
            ).fetchall()
            db.executemany("UPDATE items SET touched = ? WHERE seq = ?", [(now, seq) for seq, _ in rows])
        return [id for _, id in rows]

    def replay(self, flow: str, ids: Sequence[str]) -> list[str]:
        now = time.time()
        chosen = " AND id IN (%s)" % ",".join("?" * len(ids)) if ids else ""  # noqa: UP031
        with self.writing, _translated(), self.file.immediate() as db:
            rows = db.execute(
                f"SELECT seq, id FROM items WHERE flow = ? AND state = 'dead'{chosen} ORDER BY seq", (flow, *ids)
            ).fetchall()
            db.executemany(
                "UPDATE items SET state = 'queued', attempts = 0, due = ?, touched = ?, reason = '' WHERE seq = ?",
                [(now, now, seq) for seq, _ in rows],
            )
        return [id for _, id in rows]

    def get(self, flow: str, id: str) -> Item | None:
        with _translated():
            row = (
                self.file.db().execute(f"SELECT {_COLUMNS} FROM items WHERE flow = ? AND id = ?", (flow, id)).fetchone()
            )
        return _item(row) if row else None

    def items(self, flow: str, state: str, limit: int = 1000) -> list[Item]:
        with _translated():
            rows = (
                self.file.db()
                .execute(
                    f"SELECT {_COLUMNS} FROM items WHERE flow = ? AND state = ? ORDER BY seq LIMIT ?",
                    (flow, state, limit),
                )
                .fetchall()
            )
        return [_item(row) for row in rows]

    def counts(self, flow: str) -> dict[str, int]:
        with _translated():
            rows = (
                self.file.db()
                .execute("SELECT state, COUNT(*) FROM items WHERE flow = ? GROUP BY state", (flow,))
                .fetchall()
            )
        return {state: 0 for state in STATES} | dict(rows)

    def oldest_open(self, flow: str) -> float | None:
        with _translated():
            row = (
                self.file.db()
                .execute("SELECT MIN(changed_at) FROM items WHERE flow = ? AND state IN ('queued', 'running')", (flow,))
                .fetchone()
            )
        return float(row[0]) if row and row[0] is not None else None

    def purge(self, flow: str, older: float) -> int:
        with self.writing, _translated():
            deleted: int = (
                self.file.db()
                .execute(
                    "DELETE FROM items WHERE flow = ? AND state = 'done' AND finished < ?", (flow, time.time() - older)
                )
                .rowcount
            )
        return deleted

    def watermark(self, flow: str) -> Watermark | None:
        with _translated():
            row = (
                self.file.db()
                .execute("SELECT value, polled, queued FROM watermarks WHERE flow = ?", (flow,))
                .fetchone()
            )
        return Watermark(row[0], row[1], row[2]) if row else None

    def advance(self, flow: str, mark: Watermark) -> None:
        with _translated():
            self.file.db().execute(
                "INSERT INTO watermarks (flow, value, polled, queued) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE"
                " SET value = excluded.value, polled = excluded.polled, queued = excluded.queued",
                (flow, mark.value, mark.polled, mark.queued),
            )

    def _finish(self, flow: str, id: str, state: str, reason: str) -> str | None:
        now = time.time()
        with self.writing, _translated(), self.file.immediate() as db:
            row = db.execute("SELECT seq, key FROM items WHERE flow = ? AND id = ?", (flow, id)).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE items SET state = ?, reason = ?, finished = ?, touched = ?, attempts = attempts + ?"
                " WHERE seq = ?",
                (state, reason, now, now, int(state == "dead"), row[0]),
            )
            following = db.execute(
                "SELECT id FROM items WHERE flow = ? AND key = ? AND seq > ? AND state = 'queued' ORDER BY seq LIMIT 1",
                (flow, row[1], row[0]),
            ).fetchone()
        return str(following[0]) if following else None


def _takeable(state: str, due: float, lease: float, now: float) -> bool:
    return (state == "queued" and due <= now + 0.05) or (state == "running" and lease < now)


def _item(row: Sequence[Any]) -> Item:
    flow, id, key, version, payload, correlation, state, attempts, changed_at, reason, finished = row
    return Item(flow, id, key, version, bytes(payload), correlation, state, attempts, changed_at, reason, finished)


def _translated() -> AbstractContextManager[None]:
    return translated("flows ledger", UNAVAILABLE, sqlite3.Error)


def chunks(ids: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
