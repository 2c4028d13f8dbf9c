"""A circuit breaker per legacy system, shared by every worker process of the gateway.

gunicorn forks its workers after the engine is built, so the state lives in shared memory
(a RawArray and a Lock made here, inherited across fork): one worker's failures open the
circuit for all, and only one half-open probe is let through, whichever worker sends it.

    closed --(failures consecutive failures or slow calls)--> open
    open --(cool-down over: one call let through)--> half-open
    half-open --(the probe answers)--> closed
    half-open --(the probe fails: cool-down doubled, up to max_cooldown)--> open
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from typing import Any

from ..config import Breaker
from ..errors import UpstreamUnavailable
from .deadline import Clock

log = logging.getLogger("soapbridge.upstream")

CLOSED, OPEN, HALF_OPEN = 0, 1, 2
STATE_NAMES = {CLOSED: "closed", OPEN: "open", HALF_OPEN: "half-open"}
#: The cells of the shared array.
_STATE, _FAILURES, _OPEN_UNTIL, _COOLDOWN, _PROBE_SINCE = range(5)
#: A probe older than the longest possible deadline was lost with its worker; another may go.
PROBE_LOST_AFTER = 600.0


class CircuitBreaker:
    """Counts consecutive failures of one legacy system and stops calling it while they last."""

    def __init__(self, system: str, config: Breaker, clock: Clock = time.monotonic) -> None:
        self.system = system
        self.config = config
        self.clock = clock
        self._cells: Any = multiprocessing.RawArray("d", 5)
        self._lock = multiprocessing.Lock()
        self._cells[_COOLDOWN] = config.cooldown

    def admit(self) -> bool:
        """Let a call through, True when it is the half-open probe; UpstreamUnavailable (not sent) if open."""
        with self._lock:
            state, now = int(self._cells[_STATE]), self.clock()
            if state == CLOSED:
                return False
            probe_lost = now - self._cells[_PROBE_SINCE] > PROBE_LOST_AFTER
            if (state == OPEN and now >= self._cells[_OPEN_UNTIL]) or (state == HALF_OPEN and probe_lost):
                self._set(HALF_OPEN)
                self._cells[_PROBE_SINCE] = now
                return True
            raise self._refusal(now)

    def succeeded(self, probe: bool) -> None:
        """The system answered (a SOAP fault is an answer) in good time."""
        with self._lock:
            self._cells[_FAILURES] = 0
            if probe and self._cells[_STATE] == HALF_OPEN:
                self._cells[_COOLDOWN] = self.config.cooldown
                self._set(CLOSED)

    def failed(self, probe: bool) -> None:
        """The call timed out, could not connect, got no SOAP answer, or was slow."""
        with self._lock:
            self._cells[_FAILURES] += 1
            state = int(self._cells[_STATE])
            if probe and state == HALF_OPEN:
                self._open(min(self._cells[_COOLDOWN] * 2, self.config.max_cooldown))
            elif state == CLOSED and self._cells[_FAILURES] >= self.config.failures:
                self._open(self.config.cooldown)

    def abandoned(self, probe: bool) -> None:
        """A call let through never reached the system; a probe gives its turn to the next call."""
        with self._lock:
            if probe and self._cells[_STATE] == HALF_OPEN:
                self._cells[_OPEN_UNTIL] = self.clock()
                self._set(OPEN, quiet=True)

    def health(self) -> dict[str, Any]:
        with self._lock:
            state, now = int(self._cells[_STATE]), self.clock()
            retry_in = round(max(0.0, self._cells[_OPEN_UNTIL] - now), 3) if state == OPEN else None
            return {
                "state": STATE_NAMES[state],
                "consecutive_failures": int(self._cells[_FAILURES]),
                "retry_in": retry_in,
            }

    def _open(self, cooldown: float) -> None:
        self._cells[_COOLDOWN] = cooldown
        self._cells[_OPEN_UNTIL] = self.clock() + cooldown
        self._set(OPEN)

    def _set(self, state: int, *, quiet: bool = False) -> None:
        self._cells[_STATE] = state
        if quiet:
            return
        if state == OPEN:
            log.warning(
                "%s: circuit open after %d consecutive failures; next try in %.1f s",
                self.system,
                int(self._cells[_FAILURES]),
                self._cells[_COOLDOWN],
            )
        else:
            log.warning("%s: circuit %s", self.system, STATE_NAMES[state])

    def _refusal(self, now: float) -> UpstreamUnavailable:
        if int(self._cells[_STATE]) == HALF_OPEN:
            when = "as soon as a trial call now in flight answers"
        else:
            when = f"in {max(0.0, self._cells[_OPEN_UNTIL] - now):.1f} s"
        return UpstreamUnavailable(
            f"{self.system} is failing, so soapbridge is not calling it for now; it will be tried again {when}",
            system=self.system,
            sent=False,
        )
