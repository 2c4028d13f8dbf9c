"""Idempotency keys as the gateway uses them: the shared store, with this instance's journal in front.

Once the legacy system has been called, its outcome is never lost: it is journaled, then written to
the store; when the store fails, the client still gets its answer, and each worker's flusher writes
the outcome as soon as the store is back. A repeat of a key this instance journaled gets the journal's
entry, so it never reaches the legacy system again, whatever the store says. When the store lost its
keys (StoreReset: a Redis server restarted empty), the instance writes back everything it journaled
before it claims anything new, and the flushers of the other instances do the same within
FLUSH_INTERVAL. What remains: a repeat that reaches another instance in the SETTLING seconds after
the reset, before the instance that holds its outcome has written it back, or while that instance
is down, runs again; and an outcome is lost if the gateway's host loses the journal's last writes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from typing import TypeVar

from ..errors import StoreError, StoreReset
from .journal import Journal
from .store import Entry, Store, scope_digest

log = logging.getLogger("soapbridge.idempotency")
T = TypeVar("T")

#: How often each worker's flusher writes pending outcomes and looks for a store that lost its keys, in seconds.
FLUSH_INTERVAL = 0.5
#: Journal entries past their time are purged every this many flushes (about a minute).
PURGE_EVERY = 120


class Keys:
    """claim, peek, complete and release by scope (client, operation, key), as RunOnce needs them."""

    def __init__(self, store: Store, journal: Journal) -> None:
        self.store = store
        self.journal = journal
        self._flusher = 0  # the pid whose flusher runs: a thread does not survive fork(), each worker starts its own
        self._starting = threading.Lock()
        self._restoring = threading.Lock()
        self._outage = False
        self._flushes = 0
        self._restore()  # a store emptied while this instance was down gets back what it journaled

    def claim(self, scope: str, fingerprint: str) -> Entry | None:
        """None when this caller now owns scope; else the entry of the call that does (journaled, or stored)."""
        digest = scope_digest(scope)
        journaled = self.journal.find(digest)
        if journaled is not None:
            return journaled
        entry = self._surviving_reset(lambda: self.store.claim(digest, fingerprint))
        if entry is None:
            self._journal_claim(digest, Entry(fingerprint, time.time()))
        return entry

    def peek(self, scope: str) -> Entry | None:
        digest = scope_digest(scope)
        return self.journal.find(digest) or self.store.peek(digest)

    def complete(self, scope: str, entry: Entry) -> None:
        """Keep entry's outcome: journaled first, then stored. Never raises: the call has run, and its answer
        goes to the client whatever the store says."""
        digest = scope_digest(scope)
        journaled = self._settle(digest, entry)
        try:
            self._surviving_reset(lambda: self.store.complete(digest, entry))
        except StoreError:
            log.warning("an outcome waits in this instance's journal until the idempotency store is back")
            return
        if journaled:
            with contextlib.suppress(StoreError):  # left pending: the flusher writes it again, and marks it then
                self.journal.stored(digest)

    def release(self, scope: str) -> None:
        """Forget scope everywhere: its call never reached the legacy system, and a repeat may run it."""
        digest = scope_digest(scope)
        self.journal.forget(digest)
        self.store.release(digest)

    def flushing(self) -> None:
        """Start this process's flusher unless it runs: called on every request, it starts in each worker."""
        if self._flusher == os.getpid():
            return
        with self._starting:
            if self._flusher != os.getpid():
                self._flusher = os.getpid()
                thread = threading.Thread(target=_flush_forever, args=(weakref.ref(self),), daemon=True)
                thread.name = "idempotency-flusher"
                thread.start()

    def flush(self) -> None:
        """Give a store that lost its keys what this instance journaled, and write the pending outcomes."""
        try:
            self._surviving_reset(self.store.check)
            for kept in self.journal.pending():
                self._surviving_reset(lambda: self.store.complete(kept.digest, kept.entry))  # noqa: B023
                self.journal.stored(kept.digest)
            self._flushes += 1
            if self._flushes % PURGE_EVERY == 0:
                self.journal.purge()
        except StoreError:
            if not self._outage:
                log.warning("the idempotency store fails; outcomes wait in this instance's journal")
            self._outage = True
            return
        if self._outage:
            log.warning("the idempotency store is back; the outcomes this instance journaled are written")
        self._outage = False

    def _journal_claim(self, digest: str, entry: Entry) -> None:
        try:
            self.journal.claimed(digest, entry)
        except StoreError:
            self.store.release(digest)  # an answer this instance could not journal might be lost: do not run it
            raise

    def _settle(self, digest: str, entry: Entry) -> bool:
        try:
            self.journal.settled(digest, entry)
        except StoreError:
            log.error("an outcome could not be journaled; only the idempotency store will keep it")
            return False
        return True

    def _surviving_reset(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except StoreReset:
            with self._restoring:
                if self._lost():  # else another thread of this process has just written the journal back
                    self._restore()
            return call()

    def _lost(self) -> bool:
        try:
            self.store.check()
        except StoreReset:
            return True
        return False

    def _restore(self) -> None:
        kept = self.journal.kept()
        self.store.restore(kept)
        if kept:
            log.warning("the idempotency store got back the %d keys this instance journaled", len(kept))


def _flush_forever(keys: weakref.ref[Keys]) -> None:
    """Each FLUSH_INTERVAL, flush; stop once the Keys are gone (a test's gateway, collected)."""
    while True:
        time.sleep(FLUSH_INTERVAL)
        alive = keys()
        if alive is None:
            return
        alive.flush()
        del alive
