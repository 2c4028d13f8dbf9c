"""What outlives a request: the state folder, and the plumbing the SQLite and Redis stores share.

A leaf package: it knows folders, files, servers and the settings that name them, never SOAP, nor what a
store keeps (idempotency keys, nonces). redis is imported only by a store that is a Redis server.
"""

from .failures import translated
from .locations import is_redis, state_folder
from .sqlitefile import SqliteFile

__all__ = ["SqliteFile", "is_redis", "state_folder", "translated"]
