"""The store for several instances: one Redis server that every instance's workers share.

A claim is SET NX PX: Redis gives the key to exactly one caller and expires it by itself.
"""

from __future__ import annotations

import base64
import json
import time

import redis

from ..errors import ConfigError
from .store import Entry, scope_digest, translated

PREFIX = "soapbridge:idempotency:"


class RedisStore:
    def __init__(self, url: str, ttl: float) -> None:
        self.ttl = ttl
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        try:
            self._redis.ping()
        except redis.RedisError as exc:
            raise ConfigError(f"cannot reach the Redis server: {exc}", key="SOAPBRIDGE_IDEMPOTENCY_STORE") from exc

    def claim(self, scope: str, fingerprint: str) -> Entry | None:
        with translated(redis.RedisError):
            claimed = _encode(Entry(fingerprint, time.time()))
            while not self._redis.set(self._key(scope), claimed, nx=True, px=self._ttl_ms()):
                entry = self.peek(scope)
                if entry is not None:  # else it expired or was released between the two calls: claim again
                    return entry
            return None

    def peek(self, scope: str) -> Entry | None:
        with translated(redis.RedisError):
            value = self._redis.get(self._key(scope))
            return _decode(value) if isinstance(value, bytes) else None

    def complete(self, scope: str, outcome: bytes) -> None:
        with translated(redis.RedisError):
            entry = self.peek(scope)
            if entry is not None:
                done = Entry(entry.fingerprint, entry.claimed, outcome)
                self._redis.set(self._key(scope), _encode(done), xx=True, px=self._ttl_ms())

    def release(self, scope: str) -> None:
        with translated(redis.RedisError):
            self._redis.delete(self._key(scope))

    def _key(self, scope: str) -> str:
        return PREFIX + scope_digest(scope)

    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl * 1000))


def _encode(entry: Entry) -> bytes:
    outcome = base64.b64encode(entry.outcome).decode() if entry.outcome is not None else None
    return json.dumps({"fingerprint": entry.fingerprint, "claimed": entry.claimed, "outcome": outcome}).encode()


def _decode(value: bytes) -> Entry:
    fields = json.loads(value)
    outcome = base64.b64decode(fields["outcome"]) if fields["outcome"] is not None else None
    return Entry(fields["fingerprint"], fields["claimed"], outcome)
