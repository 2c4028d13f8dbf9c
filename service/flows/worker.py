"""The task every item runs as: take it from the ledger, deliver it, and settle it as done, retried or dead.

Whatever goes wrong is the item's, never the worker's: a failure is written on the item (its reason) and the
worker takes the next task. A target that cannot be reached (refused, circuit open, turned away unread)
or that answers too slowly or with no SOAP at all, holds the item without spending its attempts (it is tried
again with backoff, up to retry.max_backoff apart), so an outage delays items instead of killing them; a SOAP
fault and any other failure spend one, and the last one sends the item to the dead letters with its reason.
"""

from __future__ import annotations

import logging
import time

from ..errors import MappingError, SoapbridgeError, UpstreamError, UpstreamTimeout, UpstreamUnavailable
from .compiler import CompiledFlow
from .delivery import BadItem, Delivered, deliver
from .ledger import Item
from .runtime import FlowRuntime

log = logging.getLogger("soapbridge.flows")


class ItemWorker:
    def __init__(self, runtime: FlowRuntime) -> None:
        self.runtime = runtime
        runtime.keys.flushing()  # opened here, before the worker threads share them
        runtime.register(self.handle)

    def handle(self, flow: str, id: str) -> None:
        """Run by huey: a task for an item that is not due, held or first of its key does nothing."""
        compiled = self.runtime.flows.get(flow)
        if compiled is None:
            log.warning("a queued item of flow %s, which this project does not have, is left alone", flow)
            return
        item = self.runtime.ledger.take(flow, id, compiled.flow.retry.lease)
        if item is None:
            return
        started = time.monotonic()
        try:
            delivered = deliver(self.runtime.engine, self.runtime.keys, compiled, item, self._params(compiled, item))
        except Exception as exc:  # the item's failure, never the worker's
            self._failed(compiled, item, exc, time.monotonic() - started)
            return
        self._done(compiled, item, delivered, time.monotonic() - started)

    def _params(self, compiled: CompiledFlow, item: Item) -> dict[str, str]:
        params = {"flow": compiled.name, "itemKey": item.key, "itemVersion": item.version}
        if compiled.lookups:
            from ..xmlparse import parse_bytes

            source = parse_bytes(item.payload, what=f"item {item.id}")
            for lookup, xpath in compiled.lookups:
                found = self.runtime.stores.xref.lookup(lookup.kind, str(xpath(source)), lookup.to)
                params[lookup.param] = found or ""
        return params

    def _done(self, compiled: CompiledFlow, item: Item, delivered: Delivered, seconds: float) -> None:
        following = self.runtime.ledger.done(compiled.name, item.id)
        lag = max(time.time() - item.changed_at, 0.0)
        self.runtime.metrics.finished(compiled.name, "done", lag)
        _line(compiled, item, "done", seconds, called=delivered.called, had=delivered.had, settled=delivered.settled)
        if following:
            self.runtime.enqueue(compiled.name, [following])

    def _failed(self, compiled: CompiledFlow, item: Item, exc: Exception, seconds: float) -> None:
        reason = _reason(exc)
        retry = compiled.flow.retry
        held = _unreachable(exc)
        if not held and (isinstance(exc, BadItem) or item.attempts + 1 >= retry.attempts):
            following = self.runtime.ledger.dead(compiled.name, item.id, reason)
            self.runtime.metrics.finished(compiled.name, "dead", None)
            _line(compiled, item, "dead", seconds, reason=reason, level=logging.WARNING)
            if following:
                self.runtime.enqueue(compiled.name, [following])
            return
        delay = min(retry.backoff * 2 ** min(item.attempts, 20), retry.max_backoff)
        self.runtime.ledger.retry(compiled.name, item.id, delay, reason, counted=not held)
        self.runtime.metrics.finished(compiled.name, "held" if held else "retried", None)
        _line(compiled, item, "held" if held else "retry", seconds, reason=reason, delay=delay)
        self.runtime.schedule(compiled.name, item.id, delay)


def _unreachable(exc: Exception) -> bool:
    """The target could not be had at all (down, refusing, too slow, answering with no SOAP): the item waits for
    it, spending no attempt. A SOAP fault is an answer: that spends one."""
    return isinstance(exc, UpstreamTimeout | UpstreamUnavailable) or (isinstance(exc, UpstreamError) and not exc.sent)


def _reason(exc: Exception) -> str:
    if isinstance(exc, SoapbridgeError):
        system = getattr(exc, "system", None)
        kind = type(exc).__name__ if isinstance(exc, MappingError) else exc.fault_code  # ours, not a fault's
        return f"{kind}{f' ({system})' if system else ''}: {exc.message}"
    return f"internal error: {type(exc).__name__}: {exc}"


def _line(
    compiled: CompiledFlow, item: Item, outcome: str, seconds: float, level: int = logging.INFO, **more: object
) -> None:
    fields: dict[str, object] = {"flow": compiled.name, "item": item.id, "key": item.key, "version": item.version}
    fields |= {
        "outcome": outcome,
        "attempts": item.attempts + (outcome != "done"),
        "duration_ms": round(seconds * 1000, 1),
    }
    fields |= {"correlation_id": item.correlation} | {name: value for name, value in more.items() if value}
    text = f"flow {compiled.name} item {item.id}: {outcome}" + (f" ({more['reason']})" if more.get("reason") else "")
    log.log(level, text, extra={"request": fields})
