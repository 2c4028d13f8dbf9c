"""How one legacy system's calls went lately, counted across every worker process of the gateway.

The status page shows each system's recent tries: how many, how many got no answer (a timeout,
no connection, an answer that is not SOAP, or the circuit open), and how many were SOAP faults
(an answer: the system said no). Like the circuit breaker, the counts live in shared memory made
before gunicorn forks its workers, so every worker adds to, and reads, the same figures.

The window slides by whole slices: a try is counted for `window` seconds, give or take one slice.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass
from typing import Any

from .deadline import Clock

#: How far back the figures go, in seconds, and in how many slices the window moves on.
WINDOW, SLICES = 300.0, 10
#: The cells of each slice in the shared array.
_SLICE, _TRIES, _FAILED, _FAULTS = range(4)
_CELLS = 4


@dataclass(frozen=True)
class Recent:
    """A system's tries over the last `window` seconds."""

    tries: int
    #: Tries that got no answer: timeout, unavailable, error, circuit open.
    failed: int
    #: Tries answered with a SOAP fault: the legacy system's business answer, not a failure.
    faults: int
    window: float

    @property
    def failure_rate(self) -> float | None:
        """failed / tries, None when there were no tries."""
        return self.failed / self.tries if self.tries else None


class RecentCalls:
    """Tries, failures and faults per time slice, in a ring shared by the workers."""

    def __init__(self, window: float = WINDOW, slices: int = SLICES, clock: Clock = time.monotonic) -> None:
        self.window = window
        self.slices = slices
        self.clock = clock
        self._width = window / slices
        self._cells: Any = multiprocessing.RawArray("d", slices * _CELLS)
        self._lock = multiprocessing.Lock()
        for index in range(slices):
            self._cells[index * _CELLS + _SLICE] = -1.0  # no slice yet

    def record(self, *, failed: bool, fault: bool) -> None:
        """Count one try: failed when it got no answer, fault when the answer was a SOAP fault."""
        number = self._slice_number()
        base = (number % self.slices) * _CELLS
        with self._lock:
            if self._cells[base + _SLICE] != number:
                self._cells[base + _SLICE : base + _CELLS] = [number, 0.0, 0.0, 0.0]
            self._cells[base + _TRIES] += 1
            self._cells[base + _FAILED] += failed
            self._cells[base + _FAULTS] += fault

    def summary(self) -> Recent:
        """The figures of the slices still inside the window."""
        oldest = self._slice_number() - self.slices + 1
        tries = failed = faults = 0.0
        with self._lock:
            for base in range(0, self.slices * _CELLS, _CELLS):
                if self._cells[base + _SLICE] >= oldest:
                    tries += self._cells[base + _TRIES]
                    failed += self._cells[base + _FAILED]
                    faults += self._cells[base + _FAULTS]
        return Recent(int(tries), int(failed), int(faults), self.window)

    def _slice_number(self) -> int:
        return int(self.clock() // self._width)
