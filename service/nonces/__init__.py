"""Accepted UsernameToken nonces: a PasswordDigest token is accepted once by every instance sharing the store.

A leaf package: it knows clients' names, nonces and their expiry, never SOAP or WS-Security.
SQLite keeps them for one instance (every worker opens the same file); Redis for several.
"""

from typing import TYPE_CHECKING

from .factory import open_nonce_store
from .sqlitestore import SqliteNonces
from .store import NonceStore

if TYPE_CHECKING:
    from .redisstore import RedisNonces

__all__ = ["NonceStore", "RedisNonces", "SqliteNonces", "open_nonce_store"]


def __getattr__(name: str) -> object:
    """RedisNonces on first use: it imports redis, which the default (SQLite) store never needs."""
    if name == "RedisNonces":
        from .redisstore import RedisNonces

        return RedisNonces
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
