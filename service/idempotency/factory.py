"""The store the settings name: Redis for a redis:// URL, else a SQLite file every worker of the instance shares;
and the instance's journal in front of it, in the state folder."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, StoreError
from ..settings import Settings
from ..stores import is_redis
from ..stores.locations import STATE_KEY
from .journal import FILE_NAME as JOURNAL_FILE
from .journal import Journal
from .keys import Keys
from .sqlitestore import SqliteStore
from .store import Store

KEY = "SOAPBRIDGE_IDEMPOTENCY_STORE"
FILE_NAME = "idempotency.sqlite3"


def open_keys(settings: Settings, state: Path) -> Keys:
    """Opened once, before gunicorn forks its workers; a store that cannot be used is a ConfigError."""
    store = open_store(settings, state)
    journal = Journal(state / JOURNAL_FILE, store.ttl)
    try:
        return Keys(store, journal)
    except StoreError as exc:  # the first write back of the journal: the store failed between ping and now
        raise ConfigError(f"the store cannot be written: {exc.__cause__ or exc}", key=KEY) from exc


def open_store(settings: Settings, state: Path) -> Store:
    """The shared store alone; the default SQLite file lives in the state folder."""
    configured = settings.idempotency.store
    ttl = float(settings.idempotency.ttl)
    if configured is not None and is_redis(configured):
        from ..stores.redisserver import connect, warn_unless_durable  # imports redis: only for a store that is one
        from .redisstore import RedisStore

        client = connect(configured, KEY)
        warn_unless_durable(client, configured, KEY)
        return RedisStore(client, ttl)
    if configured is not None:
        return SqliteStore(Path(configured), ttl, setting=KEY)
    return SqliteStore(state / FILE_NAME, ttl, setting=STATE_KEY)
