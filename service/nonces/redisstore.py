"""Nonces for several instances: one Redis server; SET NX PX keeps each for what is left of its window."""

from __future__ import annotations

import redis

from ..stores import translated
from .store import UNAVAILABLE, nonce_digest

PREFIX = "soapbridge:nonce:"


class RedisNonces:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def remember(self, client: str, nonce: bytes, expires: float, now: float) -> bool:
        lasts = max(1, int((expires - now) * 1000))
        with translated("nonce store", UNAVAILABLE, redis.RedisError):
            return bool(self._redis.set(PREFIX + nonce_digest(client, nonce), b"1", nx=True, px=lasts))
