"""A bulkhead per legacy system: a cap on the calls one worker process has in progress to it,
so that one slow system cannot take every thread of the worker."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..config import Bulkhead as BulkheadConfig
from ..errors import UpstreamUnavailable
from .deadline import Deadline


class Bulkhead:
    """At most max_concurrent calls at once; a call over the cap waits max_wait (or the time left), then fails."""

    def __init__(self, system: str, config: BulkheadConfig) -> None:
        self.system = system
        self.config = config
        self._slots = threading.BoundedSemaphore(config.max_concurrent)
        self._lock = threading.Lock()
        self.in_flight = 0

    @contextmanager
    def slot(self, deadline: Deadline) -> Iterator[None]:
        if not self._slots.acquire(timeout=deadline.cap(self.config.max_wait)):
            raise UpstreamUnavailable(
                f"{self.system} is busy: {self.config.max_concurrent} calls in progress", system=self.system, sent=False
            )
        self._count(+1)
        try:
            yield
        finally:
            self._count(-1)
            self._slots.release()

    def _count(self, step: int) -> None:
        with self._lock:
            self.in_flight += step
