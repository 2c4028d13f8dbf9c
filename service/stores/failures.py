"""A store's own failures (sqlite3.Error, OSError, redis.RedisError) as StoreError, at one boundary."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import StoreError

log = logging.getLogger("soapbridge.stores")


@contextmanager
def translated(store: str, told: str, *failures: type[Exception]) -> Iterator[None]:
    """failures raised inside as StoreError(told), logged by the store's name and the failure's type only:
    neither a key (a client's secret) nor a file or server reaches the client or the log from here."""
    try:
        yield
    except failures as exc:
        log.error("the %s failed: %s", store, type(exc).__name__)
        raise StoreError(told) from exc
