"""How many connections each worker process of one instance holds, and how many requests it has answered.

The figures live in memory made before the workers fork. Each worker takes a free slot when it starts and
gives it back when it stops (the arbiter frees the slot of a worker that died), writes its own slot on every
turn of its event loop, and reads its siblings' to decide whether to accept: a worker holding clearly more
connections than the least loaded live sibling leaves the next connection to it. Without that, whichever
worker wakes first takes most of a burst of keep-alive connections, and keeps them.

A slot not written for STALE seconds is ignored, so a hung worker never makes the others wait for it.

Each slot also counts the connections its worker holds per peer address, hashed into PEER_BUCKETS buckets, so
that a worker can tell how many connections a peer holds across the whole instance before it takes one more.
Only the slot's own worker writes its row (from its event loop, one thread); the others only read it.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from typing import Any

#: Connections a worker may hold beyond its least loaded sibling and still accept: a small slack keeps two
#: workers that both just accepted from deferring to each other, and still splits 100 connections 52/48 at worst.
SLACK = 2
#: Seconds after which a slot's figures are too old to defer to: an idle worker's loop turns every second.
STALE = 2.5
#: The cells of a slot: the worker's pid (0: free), its open connections, requests answered, when last written.
_PID, _CONNECTIONS, _REQUESTS, _SEEN = range(4)
_CELLS = 4
#: Buckets peer addresses hash into: two peers share a bucket's count (and bound) one time in 65,536.
PEER_BUCKETS = 65536


class WorkerLoads:
    """Per-worker connection and request counts, shared by the worker processes forked after it is made."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._cells: Any = multiprocessing.RawArray("d", slots * _CELLS)  # doubles: exact counts up to 2**53
        self._lock = multiprocessing.Lock()  # taken only to claim or free a slot, never per request
        self._peers: Any = multiprocessing.RawArray("i", slots * PEER_BUCKETS)  # zeroed; 256 KiB per slot

    def claim(self, pid: int) -> int | None:
        """A free slot for the worker pid, or None when every slot is taken (that worker then never defers)."""
        with self._lock:
            for slot in range(self.slots):
                if self._cell(slot, _PID) == 0:
                    self._set(slot, _PID, pid)
                    self._set(slot, _CONNECTIONS, 0)
                    self._set(slot, _SEEN, time.monotonic())
                    return slot
        return None

    def release(self, pid: int) -> None:
        """Free the slot of pid, if it has one; its request count stays, so that the totals still add up."""
        with self._lock:
            for slot in range(self.slots):
                if self._cell(slot, _PID) == pid:
                    self._set(slot, _PID, 0)
                    self._set(slot, _CONNECTIONS, 0)
                    self._peers[slot * PEER_BUCKETS : (slot + 1) * PEER_BUCKETS] = [0] * PEER_BUCKETS

    def hold(self, slot: int, connections: int) -> None:
        """The worker in slot holds this many connections now (written by that worker only)."""
        self._set(slot, _CONNECTIONS, connections)
        self._set(slot, _SEEN, time.monotonic())

    def withdraw(self, slot: int) -> None:
        """The worker in slot stops accepting (it is stopping): its siblings no longer leave connections to it.
        It keeps the slot, and its counts, until the arbiter releases it."""
        self._set(slot, _SEEN, 0)

    def answered(self, slot: int) -> None:
        """One more request answered in slot; the caller keeps its own threads from counting at once."""
        self._set(slot, _REQUESTS, self._cell(slot, _REQUESTS) + 1)

    def may_accept(self, slot: int, connections: int) -> bool:
        """Whether the worker in slot, holding connections, should take the next one rather than a sibling."""
        least = min(self._live_siblings(slot), default=None)
        return least is None or connections <= least + SLACK

    def peer_connected(self, slot: int, bucket: int, change: int) -> None:
        """The worker in slot took (change 1) or closed (-1) a connection from a peer in bucket."""
        self._peers[slot * PEER_BUCKETS + bucket] += change

    def peer_connections(self, bucket: int) -> int:
        """The connections peers in bucket hold, across every worker that holds a slot."""
        return sum(self._peers[slot * PEER_BUCKETS + bucket] for slot in range(self.slots) if self._cell(slot, _PID))

    def figures(self) -> Iterator[tuple[int, int, int]]:
        """(slot, connections, requests answered) of every slot a worker has used."""
        for slot in range(self.slots):
            requests = int(self._cell(slot, _REQUESTS))
            if self._cell(slot, _PID) or requests:
                yield slot, int(self._cell(slot, _CONNECTIONS)), requests

    def _live_siblings(self, slot: int) -> Iterator[float]:
        oldest = time.monotonic() - STALE
        for other in range(self.slots):
            if other != slot and self._cell(other, _PID) and self._cell(other, _SEEN) >= oldest:
                yield self._cell(other, _CONNECTIONS)

    def _cell(self, slot: int, cell: int) -> float:
        value: float = self._cells[slot * _CELLS + cell]
        return value

    def _set(self, slot: int, cell: int, value: float) -> None:
        self._cells[slot * _CELLS + cell] = value
