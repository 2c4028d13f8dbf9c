"""The store the settings name: Redis for a redis:// URL, else a SQLite file every worker of the instance shares."""

from __future__ import annotations

from pathlib import Path

from ..settings import Settings
from .sqlitestore import SqliteStore
from .store import Store

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
FILE_NAME = "idempotency.sqlite3"


def open_store(settings: Settings, runtime: Path) -> Store:
    """Opened once, before gunicorn forks its workers, so that they all share the same file or server;
    the default SQLite file lives in the runtime folder."""
    configured = settings.idempotency.store
    ttl = float(settings.idempotency.ttl)
    if configured and configured.startswith(REDIS_SCHEMES):
        from .redisstore import RedisStore  # imports redis (about 0.1 s): only for a store that is one

        return RedisStore(configured, ttl)
    return SqliteStore(Path(configured) if configured else runtime / FILE_NAME, ttl)
