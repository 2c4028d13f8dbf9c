"""What every idempotency store does: claim a key atomically, complete it with an outcome, or release it;
and, for a store that can lose its keys (a Redis server restarted empty), say so and take them back."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

#: What a client is told when the store fails before its call ran: a repeat of its key is safe.
UNAVAILABLE = "the idempotency store cannot be read or written; repeat the request with the same key"


@dataclass(frozen=True)
class Entry:
    """A claimed key: the fingerprint of the request that claimed it, when (epoch seconds), and its outcome once
    the call has finished (None while it is still in flight)."""

    fingerprint: str
    claimed: float
    outcome: bytes | None = None


@dataclass(frozen=True)
class Kept:
    """An entry as this instance's journal keeps it: by digest, until expires (epoch seconds)."""

    digest: str
    entry: Entry
    expires: float


class Store(Protocol):
    """Keys shared by every worker that opens the same store, by digest (see scope_digest); each expires ttl
    seconds after its last write. Failures are StoreError; StoreReset when the store lost its keys."""

    ttl: float

    def claim(self, digest: str, fingerprint: str) -> Entry | None:
        """None when this caller now owns digest (nobody held it); else the entry already there, left unchanged."""

    def peek(self, digest: str) -> Entry | None:
        """The entry for digest, None when there is none (never claimed, released or expired)."""

    def complete(self, digest: str, entry: Entry) -> None:
        """Record entry (its outcome set) for digest, whoever holds it now; kept for ttl seconds from now."""

    def release(self, digest: str) -> None:
        """Forget digest, so that the next claim runs the call again."""

    def check(self) -> None:
        """Raise StoreReset when the store lost its keys since this process last looked; else nothing."""

    def restore(self, kept: Sequence[Kept]) -> None:
        """Write back what this instance journaled, after a StoreReset; a key held again meanwhile is left alone.
        Claims in this process proceed afterwards, once every instance has had its turn to restore."""


def scope_digest(scope: str) -> str:
    """What a store keeps instead of the scope: a key may be a secret of the client's, so it is never stored."""
    return hashlib.sha256(scope.encode("utf-8")).hexdigest()
