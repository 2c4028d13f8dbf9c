"""The store for several instances: one Redis server that every instance's workers share.

A claim is one round-trip: a Lua script that checks the server's epoch and, when it is the one this
process knows, does SET NX PX, or else returns the entry already there. The epoch is a key without a
TTL, set by the first instance to restore its journal (see Keys): a server restarted empty has none, so
the next claim, completion or check raises StoreReset, and the instance writes back the outcomes it
journaled before it claims anything new. Claims then wait until the new epoch is SETTLING seconds
old, time for every other instance's flusher to notice and write back its own.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

import redis

from ..errors import StoreReset
from ..stores import translated
from .store import UNAVAILABLE, Entry, Kept

PREFIX = "soapbridge:idempotency:"
EPOCH = "soapbridge:idempotency-epoch"
#: Seconds claims wait after a reset, from the moment the new epoch was set: several flushes' worth.
SETTLING = 2.0
#: Entries written back per script call: one call blocks the server, so it stays short.
RESTORE_BATCH = 500

_CLAIM = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return {1} end
return {2, redis.call('GET', KEYS[2])}
"""
_COMPLETE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
"""
_RESTORE = """
for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[2 * i - 1], 'NX', 'PX', ARGV[2 * i]) end
return #KEYS
"""


class RedisStore:
    def __init__(self, client: redis.Redis, ttl: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.ttl = ttl
        self._redis = client
        self._sleep = sleep
        self._epoch = ""  # none yet: the first claim is a StoreReset, unless Keys restores first (it does)
        self._settled = 0.0
        self._claim = client.register_script(_CLAIM)
        self._complete = client.register_script(_COMPLETE)
        self._restore = client.register_script(_RESTORE)

    def claim(self, digest: str, fingerprint: str) -> Entry | None:
        self._wait_until_settled()
        claimed = _encode(Entry(fingerprint, time.time()))
        with _translated():
            answer = self._claim(keys=[EPOCH, PREFIX + digest], args=[self._epoch, claimed, self._ttl_ms()])
        if answer[0] == 0:
            raise StoreReset(UNAVAILABLE)
        return None if answer[0] == 1 else _decode(answer[1])

    def peek(self, digest: str) -> Entry | None:
        with _translated():
            value = self._redis.get(PREFIX + digest)
        return _decode(value) if isinstance(value, bytes) else None

    def complete(self, digest: str, entry: Entry) -> None:
        with _translated():
            done = self._complete(keys=[EPOCH, PREFIX + digest], args=[self._epoch, _encode(entry), self._ttl_ms()])
        if not done:
            raise StoreReset(UNAVAILABLE)

    def release(self, digest: str) -> None:
        with _translated():
            self._redis.delete(PREFIX + digest)

    def check(self) -> None:
        with _translated():
            epoch = self._redis.get(EPOCH)
        if not isinstance(epoch, bytes) or epoch.decode() != self._epoch:
            raise StoreReset(UNAVAILABLE)

    def restore(self, kept: Sequence[Kept]) -> None:
        now = time.time()
        live = [k for k in kept if k.expires > now]
        with _translated():
            self._redis.set(EPOCH, f"{secrets.token_hex(8)}@{now:.3f}", nx=True)  # the first to restore sets it
            for start in range(0, len(live), RESTORE_BATCH):
                batch = live[start : start + RESTORE_BATCH]
                args = [value for k in batch for value in (_encode(k.entry), max(1, int((k.expires - now) * 1000)))]
                self._restore(keys=[PREFIX + k.digest for k in batch], args=args)
            epoch = self._redis.get(EPOCH)
        self._epoch = epoch.decode() if isinstance(epoch, bytes) else ""
        self._settled = _born(self._epoch) + SETTLING

    def _wait_until_settled(self) -> None:
        wait = self._settled - time.time()
        if wait > 0:
            self._sleep(min(wait, SETTLING))

    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl * 1000))


def _born(epoch: str) -> float:
    """When epoch was set (its writer's clock): the part after its @."""
    try:
        return float(epoch.rpartition("@")[2])
    except ValueError:
        return 0.0


def _translated() -> AbstractContextManager[None]:
    return translated("idempotency store", UNAVAILABLE, redis.RedisError)


def _encode(entry: Entry) -> bytes:
    outcome = base64.b64encode(entry.outcome).decode() if entry.outcome is not None else None
    return json.dumps({"fingerprint": entry.fingerprint, "claimed": entry.claimed, "outcome": outcome}).encode()


def _decode(value: bytes) -> Entry:
    fields = json.loads(value)
    outcome = base64.b64decode(fields["outcome"]) if fields["outcome"] is not None else None
    return Entry(fields["fingerprint"], fields["claimed"], outcome)
