"""Idempotency keys: where the first call with a key claims it, and where its outcome waits for repeats.

A leaf package: it knows keys, fingerprints and opaque outcomes, never SOAP or the engine.
"""

from .factory import open_store
from .redisstore import RedisStore
from .sqlitestore import SqliteStore
from .store import Entry, Store

__all__ = ["Entry", "RedisStore", "SqliteStore", "Store", "open_store"]
