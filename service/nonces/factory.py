"""The nonce store the settings name; with none named, the idempotency store's Redis if it is one, else a
SQLite file in the state folder that every worker of the instance shares."""

from __future__ import annotations

from pathlib import Path

from ..settings import Settings
from ..stores import is_redis
from ..stores.locations import STATE_KEY
from .sqlitestore import SqliteNonces
from .store import NonceStore

KEY = "SOAPBRIDGE_NONCE_STORE"
FILE_NAME = "nonces.sqlite3"


def open_nonce_store(settings: Settings, state: Path) -> NonceStore:
    """Opened once, before gunicorn forks its workers; a store that cannot be used is a ConfigError."""
    shared = settings.idempotency.store if is_redis(settings.idempotency.store) else None
    location = settings.nonce_store or shared
    if location is not None and is_redis(location):
        from ..stores.redisserver import connect, warn_unless_durable  # imports redis: only for a store that is one
        from .redisstore import RedisNonces

        client = connect(location, KEY if settings.nonce_store else "SOAPBRIDGE_IDEMPOTENCY_STORE")
        if location != shared:  # else the idempotency store has said what it had to about the same server
            warn_unless_durable(client, location, KEY)
        return RedisNonces(client)
    if location is not None:
        return SqliteNonces(Path(location), KEY)
    return SqliteNonces(state / FILE_NAME, STATE_KEY)
