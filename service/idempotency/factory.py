"""The store the settings name: Redis for a redis:// URL, else a SQLite file every worker of the instance shares."""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path

from ..settings import Settings
from .redisstore import RedisStore
from .sqlitestore import SqliteStore
from .store import Store

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
FILE_NAME = "idempotency.sqlite3"


def open_store(settings: Settings) -> Store:
    """Opened once, before gunicorn forks its workers, so that they all share the same file or server."""
    configured = settings.idempotency.store
    ttl = float(settings.idempotency.ttl)
    if configured and configured.startswith(REDIS_SCHEMES):
        return RedisStore(configured, ttl)
    if configured:
        return SqliteStore(Path(configured), ttl)
    if settings.auth.runtime_dir is not None:
        return SqliteStore(settings.auth.runtime_dir / FILE_NAME, ttl)
    folder = Path(tempfile.mkdtemp(prefix="soapbridge-idempotency-"))
    store = SqliteStore(folder / FILE_NAME, ttl)
    # Removed when the process that made it exits; forked workers inherit the finalizer, not the right.
    weakref.finalize(store, _remove_if_owner, folder, os.getpid())
    return store


def _remove_if_owner(folder: Path, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)
