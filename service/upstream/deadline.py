"""The deadline of a client's call: one point in time that every step, attempt and read of it must meet."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]


class Deadline:
    """When a call must be over; seconds is the budget it was given, for messages."""

    def __init__(self, seconds: float, clock: Clock = time.monotonic, *, at: float | None = None) -> None:
        self.seconds = seconds
        self.clock = clock
        self.at = clock() + seconds if at is None else at

    def left(self) -> float:
        """Seconds until the deadline; 0 or less once it has passed."""
        return self.at - self.clock()

    @property
    def expired(self) -> bool:
        return self.left() <= 0

    def cap(self, seconds: float) -> float:
        """seconds, or the time left if that is shorter (never negative)."""
        return max(0.0, min(seconds, self.left()))

    def within(self, seconds: float) -> Deadline:
        """A deadline for part of this call: its own budget, or what is left of this one if that ends first."""
        own = Deadline(seconds, self.clock)
        return own if own.at <= self.at else self
