"""Remembering and rationing password checks, so that scrypt is neither paid on every call nor an amplifier.

A right password is remembered for a short while (SOAPBRIDGE_AUTH_CACHE_TTL) under an HMAC-SHA256 of the user
name and the password, keyed by a random secret made when the gateway starts: the password itself is never
kept, and the key never leaves memory. Nothing wrong is remembered, so the cache cannot be filled by guesses.

A check that is not remembered runs scrypt (about 16 MiB and 40 ms of CPU). A worker runs at most a few at
once, and spends at most SOAPBRIDGE_AUTH_HASH_RATE failed ones a second (a token bucket that only failures
drain): guesses spread over many names and addresses, which the per-name and per-address throttle cannot see,
still buy no more of the CPU than that. A check refused for want of budget runs no hash at all, and is refused
whether or not its user exists, so the refusal tells nothing about the user.

scrypt runs on the worker's own hashing threads, never on the request threads: glibc keeps each thread's 16 MiB
in that thread's arena once freed, so scrypt on every one of gthread's request threads kept about 17 MB per
thread (8 threads, some 140 MB per worker) for good.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ..clients import Client

#: Right passwords remembered at once; the oldest is forgotten first. Only right passwords get in, so
#: this bounds memory against nothing an attacker controls.
CACHE_SIZE = 1024
#: scrypt runs at once in one worker: enough for a burst of first calls, few enough to leave the other
#: threads CPU while a flood of guesses lasts.
CONCURRENT_HASHES = 2
#: How long a check may wait for one of those, in seconds, before it is refused as busy.
HASH_WAIT = 2.0

Clock = Callable[[], float]


class CredentialCache:
    """Clients whose password was right lately, by a keyed fingerprint of (user name, password)."""

    def __init__(self, ttl: float, size: int = CACHE_SIZE, clock: Clock = time.monotonic) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._key = secrets.token_bytes(32)  # dies with the process: a fingerprint is useless outside it
        self._entries: OrderedDict[bytes, tuple[Client, float]] = OrderedDict()
        self._lock = threading.Lock()

    def fingerprint(self, username: str, password: str) -> bytes:
        """HMAC-SHA256 of both, the name's length first so that no two pairs run together into one message."""
        message = f"{len(username)}:{username}:{password}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def get(self, fingerprint: bytes) -> Client | None:
        """The client fingerprint was remembered for, while it is fresh."""
        with self._lock:
            entry = self._entries.get(fingerprint)
            if entry is None:
                return None
            if entry[1] <= self.clock():
                del self._entries[fingerprint]
                return None
            return entry[0]

    def put(self, fingerprint: bytes, client: Client) -> None:
        with self._lock:
            self._entries[fingerprint] = (client, self.clock() + self.ttl)
            self._entries.move_to_end(fingerprint)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class HashBudget:
    """How much password hashing one worker may do: a few at once, on its own threads, and `rate` failures a
    second (a burst of as many); a right password costs no token, so right passwords never use up the budget."""

    def __init__(
        self, rate: int, concurrent: int = CONCURRENT_HASHES, wait: float = HASH_WAIT, clock: Clock = time.monotonic
    ) -> None:
        self.rate = rate
        self.wait = wait
        self.clock = clock
        #: Hashes run by this process so far: how tests and the benchmark see that a check was remembered.
        self.hashes = 0
        self._tokens = float(rate)
        self._refilled = clock()
        self._lock = threading.Lock()
        self._concurrent = concurrent
        self._running = threading.BoundedSemaphore(concurrent)
        self._threads: ThreadPoolExecutor | None = None
        self._pid = 0

    def check(self, verify: Callable[[], bool]) -> bool | None:
        """verify's answer, run on a hashing thread; None, with nothing run, when the budget is spent or every
        hashing thread stayed busy for `wait` seconds."""
        if not self._has_token() or not self._running.acquire(timeout=self.wait):
            return None
        try:
            matched = self._hashing_threads().submit(verify).result()
        finally:
            self._running.release()
        with self._lock:
            self.hashes += 1
            if not matched:
                self._tokens -= 1  # may go below zero by the few that ran at once: they are paid back first
        return matched

    def _hashing_threads(self) -> ThreadPoolExecutor:
        """Made in the process that uses them: threads do not survive gunicorn's fork."""
        if self._threads is None or self._pid != os.getpid():
            self._threads = ThreadPoolExecutor(self._concurrent, thread_name_prefix="soapbridge-scrypt")
            self._pid = os.getpid()
        return self._threads

    def _has_token(self) -> bool:
        with self._lock:
            now = self.clock()
            self._tokens = min(float(self.rate), self._tokens + (now - self._refilled) * self.rate)
            self._refilled = now
            return self._tokens >= 1
