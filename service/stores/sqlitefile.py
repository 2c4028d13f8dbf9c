"""One SQLite file that every thread of every worker process of an instance opens for itself.

WAL mode lets readers read while a writer writes; a write that reads first takes the lock at BEGIN
(immediate), so two workers are serialised by SQLite. A connection must not cross fork() or threads:
each thread of each process opens its own, again in a forked child.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Literal

from ..errors import ConfigError

#: How long a worker waits for another's write lock before SQLite gives up, in seconds.
BUSY_TIMEOUT = 10.0


class SqliteFile:
    """path made ready at start-up (schema applied): a failure then is a ConfigError naming setting."""

    def __init__(
        self, path: Path, schema: Sequence[str], setting: str, *, synchronous: Literal["FULL", "NORMAL"] = "FULL"
    ) -> None:
        self.path = path
        self.synchronous = synchronous
        self._local = threading.local()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db:
                db.execute("PRAGMA journal_mode=WAL")
                for statement in schema:
                    db.execute(statement)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot use {path} as a SQLite store: {_cause(exc, path)}", key=setting) from exc

    def db(self) -> sqlite3.Connection:
        """This thread's connection, opened again in a forked child rather than shared with its parent."""
        if getattr(self._local, "pid", None) != os.getpid():
            self._local.db = self._connect()
            self._local.pid = os.getpid()
        db: sqlite3.Connection = self._local.db
        return db

    @contextmanager
    def immediate(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken at BEGIN, so that a read inside it cannot be overtaken by another writer."""
        db = self.db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        db.execute(f"PRAGMA synchronous={self.synchronous}")
        return db


def _cause(exc: Exception, path: Path) -> str:
    """Why, in the operator's terms: SQLite says "unable to open database file" for several causes."""
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        return f"{folder} is not a folder"
    if folder.is_dir() and not os.access(folder, os.W_OK):
        return f"the folder {folder} is not writable"
    if path.is_dir():
        return "it is a folder"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is not writable"
    return exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)
