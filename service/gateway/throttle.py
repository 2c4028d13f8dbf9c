"""Failed sign-ins counted per client name and per peer address; past the limit, attempts are refused unchecked.

A failure is a secret that was checked and did not match: a wrong password or digest, or an unknown user (whose
decoy check fails). Missing credentials, an expired token and a replayed nonce are not guesses and are not
counted. After SOAPBRIDGE_AUTH_FAILURES failures within SOAPBRIDGE_AUTH_FAILURE_WINDOW seconds (a moving
window), a name or an address gets TooManyRequests, with the seconds until its oldest failure leaves the window,
and its attempts run no password check at all, the right password's included: otherwise a cached right password
would answer while wrong ones do not, and the throttle would be an oracle.

Any name is counted, configured or not, so the throttle tells nothing about which users exist. IPv6 peers are
counted per /64, the block one subscriber is usually given. The counts live in each worker's memory (the `limits`
library's moving window), or in Redis when the instance shares one (SOAPBRIDGE_NONCE_STORE, else
SOAPBRIDGE_IDEMPOTENCY_STORE), so that every instance sees every failure. Should Redis fail while the gateway
runs, the throttle lets attempts through and says so in the log: the hash budget (credentials.py) still bounds
what they cost.

A name or peer found clear is not read again for CLEAR_FOR seconds, unless this process counts a failure against
it: a client calling many times a second then costs Redis one read a second, not two round trips per call. The
price is that failures counted by another instance reach this one up to that late.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import os
import re
import time
from collections.abc import Callable

from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from ..settings import Auth, Settings
from ..stores import is_redis

log = logging.getLogger("soapbridge.auth")

#: Keys in Redis begin with this, beside the stores' own.
KEY_PREFIX = "soapbridge:signin"
#: A configured client's name is used as it is (clients.py allows no other); anything else is hashed.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: The IPv6 prefix counted as one peer.
IPV6_PEER_PREFIX = 64
#: How long a name or peer found clear is believed clear without reading the store again, in seconds.
CLEAR_FOR = 1.0
#: Names and peers remembered as clear at most; past it the memory starts over (it only saves reads).
CLEAR_SIZE = 4096

Key = tuple[str, str]


class FailureThrottle:
    """Failures per client name and per peer, in a store every worker (memory) or instance (Redis) counts in."""

    def __init__(self, failures: int, window: int, open_storage: Callable[[], Storage], where: str) -> None:
        self.limit = RateLimitItemPerSecond(failures, window, namespace="failures")
        #: Says in the log where the counts live (never a password or a server's credentials).
        self.where = where
        self._open_storage = open_storage
        self._limiter: MovingWindowRateLimiter | None = None
        self._pid = 0
        self._clear_until: dict[Key, float] = {}

    def retry_after(self, username: str, peer: str) -> int | None:
        """Seconds until username and peer may try again; None when both may try now."""
        waits = [self._wait(key) for key in (_name_key(username), _peer_key(peer))]
        throttled = [wait for wait in waits if wait is not None]
        return max(throttled) if throttled else None

    def failed(self, username: str, peer: str) -> None:
        """Count one failure against both."""
        for key in (_name_key(username), _peer_key(peer)):
            self._clear_until.pop(key, None)
            try:
                self._limits().hit(self.limit, *key)
            except StorageError as exc:
                log.warning("failed sign-ins cannot be counted in %s: %s", self.where, type(exc.storage_error).__name__)

    def _wait(self, key: Key) -> int | None:
        now = time.monotonic()
        if self._clear_until.get(key, 0.0) > now:
            return None
        try:
            stats = self._limits().get_window_stats(self.limit, *key)
        except StorageError as exc:
            log.warning("failed sign-ins cannot be read from %s: %s", self.where, type(exc.storage_error).__name__)
            return None
        if stats.remaining > 0:
            self._remember_clear(key, now + CLEAR_FOR)
            return None
        return max(1, math.ceil(stats.reset_time - time.time()))

    def _remember_clear(self, key: Key, until: float) -> None:
        if len(self._clear_until) >= CLEAR_SIZE:
            self._clear_until.clear()
        self._clear_until[key] = until

    def _limits(self) -> MovingWindowRateLimiter:
        """The limiter of this process: made after fork, so that no worker inherits another's locks or timer."""
        if self._limiter is None or self._pid != os.getpid():
            self._limiter = MovingWindowRateLimiter(self._open_storage())
            self._pid = os.getpid()
        return self._limiter


def open_throttle(settings: Settings) -> FailureThrottle:
    """In each worker's memory, or in the Redis server the nonces (else the idempotency keys) are kept in;
    an unreachable server is a ConfigError naming that setting."""
    url, setting = _shared_redis(settings)
    if url is None:
        return memory_throttle(settings.auth)
    from limits.storage import RedisStorage

    from ..stores.redisserver import connect, where  # imports redis: only for a store that is one

    pool = connect(url, setting).connection_pool
    return FailureThrottle(
        settings.auth.failures,
        settings.auth.failure_window,
        lambda: RedisStorage(url, connection_pool=pool, key_prefix=KEY_PREFIX, wrap_exceptions=True),
        f"the Redis server at {where(url)} ({setting})",
    )


def memory_throttle(auth: Auth) -> FailureThrottle:
    """Counts in each worker's own memory: one instance's workers each allow the limit."""
    return FailureThrottle(auth.failures, auth.failure_window, MemoryStorage, "each worker's memory")


def _shared_redis(settings: Settings) -> tuple[str | None, str]:
    if settings.nonce_store is not None and is_redis(settings.nonce_store):
        return settings.nonce_store, "SOAPBRIDGE_NONCE_STORE"
    if is_redis(settings.idempotency.store):
        return settings.idempotency.store, "SOAPBRIDGE_IDEMPOTENCY_STORE"
    return None, ""


def _name_key(username: str) -> Key:
    """A short key for any name: a hostile one (up to kilobytes, any characters) is hashed."""
    if _PLAIN_NAME.fullmatch(username):
        return ("client", username)
    return ("client", "~" + hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32])


def _peer_key(peer: str) -> Key:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return ("peer", "unknown")  # every unreadable peer shares one count: never a way around it
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return ("peer", str(address.ipv4_mapped))
        return ("peer", str(ipaddress.ip_network(f"{address}/{IPV6_PEER_PREFIX}", strict=False)))
    return ("peer", str(address))
