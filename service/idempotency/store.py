"""What every idempotency store does: claim a key atomically, complete it with an outcome, or release it."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from ..errors import StoreError

log = logging.getLogger("soapbridge.idempotency")
#: What a client is told when the store fails: whether its write ran is for a repeat of its key to tell.
UNAVAILABLE = "the idempotency store cannot be read or written; repeat the request with the same key"


@dataclass(frozen=True)
class Entry:
    """A claimed key: the fingerprint of the request that claimed it, when (epoch seconds), and its outcome once
    the call has finished (None while it is still in flight)."""

    fingerprint: str
    claimed: float
    outcome: bytes | None = None


class Store(Protocol):
    """Keys shared by every worker that opens the same store; each expires ttl seconds after its last write."""

    ttl: float

    def claim(self, scope: str, fingerprint: str) -> Entry | None:
        """None when this caller now owns scope (nobody held it); else the entry already there, left unchanged."""

    def peek(self, scope: str) -> Entry | None:
        """The entry for scope, None when there is none (never claimed, released or expired)."""

    def complete(self, scope: str, outcome: bytes) -> None:
        """Record the outcome of the call that claimed scope; it is kept for ttl seconds from now."""

    def release(self, scope: str) -> None:
        """Forget scope, so that the next claim runs the call again."""


def scope_digest(scope: str) -> str:
    """What a store keeps instead of the scope: a key may be a secret of the client's, so it is never stored."""
    return hashlib.sha256(scope.encode("utf-8")).hexdigest()


@contextmanager
def translated(*failures: type[Exception]) -> Iterator[None]:
    """The store's own failures (sqlite3.Error, redis.RedisError) as StoreError, logged without the scope."""
    try:
        yield
    except failures as exc:
        log.error("idempotency store failed: %s", type(exc).__name__)
        raise StoreError(UNAVAILABLE) from exc
