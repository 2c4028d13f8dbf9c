"""The scheduler: polls each flow on its interval, sweeps the ledger for items with no task in the queue, and
reads the ledger's figures for the metrics. Several may run (one per machine): the ledger takes each item
once, and a watermark written twice is the same watermark.
"""

from __future__ import annotations

import logging
import threading
import time

from .compiler import CompiledFlow
from .intake import poll
from .runtime import FlowRuntime

log = logging.getLogger("soapbridge.flows")

#: How often the ledger is swept and its figures read, in seconds.
SWEEP_INTERVAL = 2.0
#: How long a due item may sit queued before the sweep queues its task again, at least (its lease, if longer).
REQUEUE_AFTER = 15.0
#: How long a delivered item is remembered, in seconds: a change polled again within it is not delivered again.
KEEP_DONE = 7 * 86400
#: Delivered items past KEEP_DONE are forgotten every this many sweeps (about a minute).
PURGE_EVERY = 30
#: The scheduler's tick: no poll interval is honoured more finely than this.
TICK = 0.1


class Scheduler:
    def __init__(self, runtime: FlowRuntime) -> None:
        self.runtime = runtime
        self._next_poll = {name: 0.0 for name, compiled in runtime.flows.items() if _polled(compiled)}
        self._next_sweep = 0.0
        self._sweeps = 0
        self._paused: set[str] = set()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.tick()
            stop.wait(TICK)

    def tick(self) -> None:
        now = time.monotonic()
        for name, due in self._next_poll.items():
            if due <= now:
                compiled = self.runtime.flows[name]
                self._poll(compiled)
                assert compiled.poll is not None
                self._next_poll[name] = time.monotonic() + getattr(compiled.flow.trigger, "interval", 5.0)
        if self._next_sweep <= now:
            for compiled in self.runtime.flows.values():
                self.sweep(compiled)
            self._sweeps += 1
            self._next_sweep = now + SWEEP_INTERVAL

    def sweep(self, compiled: CompiledFlow) -> None:
        try:
            ledger = self.runtime.ledger
            again = ledger.sweep(compiled.name, max(REQUEUE_AFTER, compiled.flow.retry.lease))
            if self._sweeps % PURGE_EVERY == 0:
                ledger.purge(compiled.name, KEEP_DONE)
            self.runtime.enqueue(compiled.name, again)
            counts = ledger.counts(compiled.name)
            oldest = ledger.oldest_open(compiled.name)
            self.runtime.metrics.ledger(compiled.name, counts, time.time() - oldest if oldest else 0.0)
        except Exception:
            log.exception("sweeping flow %s failed; the next sweep tries again", compiled.name)
            return
        self._pause_on_dead(compiled, counts["dead"])

    def _poll(self, compiled: CompiledFlow) -> None:
        if compiled.name in self._paused:
            return
        try:
            polled = poll(self.runtime, compiled)
        except Exception as exc:
            log.warning(
                "polling flow %s failed: %s; the next poll tries again", compiled.name, getattr(exc, "message", exc)
            )
            return
        if polled.queued or polled.dead:
            log.info("flow %s queued %d new items (%d dead on arrival)", compiled.name, polled.queued, polled.dead)

    def _pause_on_dead(self, compiled: CompiledFlow, dead: int) -> None:
        limit = compiled.flow.dead_letter_limit
        if dead >= limit and compiled.name not in self._paused:
            log.error(
                "flow %s holds %d dead letters (its limit is %d): it stops polling until they are replayed",
                compiled.name,
                dead,
                limit,
            )
            self._paused.add(compiled.name)
        elif dead < limit:
            self._paused.discard(compiled.name)


def _polled(compiled: CompiledFlow) -> bool:
    return compiled.poll is not None and compiled.flow.enabled
