"""Idempotency keys: where the first call with a key claims it, and where its outcome waits for repeats.

A leaf package: it knows keys, fingerprints and opaque outcomes, never SOAP or the engine.
"""

from typing import TYPE_CHECKING

from .factory import open_keys, open_store
from .journal import Journal
from .keys import Keys
from .sqlitestore import SqliteStore
from .store import Entry, Kept, Store, scope_digest

if TYPE_CHECKING:
    from .redisstore import RedisStore

__all__ = [
    "Entry",
    "Journal",
    "Kept",
    "Keys",
    "RedisStore",
    "SqliteStore",
    "Store",
    "open_keys",
    "open_store",
    "scope_digest",
]


def __getattr__(name: str) -> object:
    """RedisStore on first use: it imports redis, which the default (SQLite) store never needs."""
    if name == "RedisStore":
        from .redisstore import RedisStore

        return RedisStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
