"""One item delivered: mapped, then each target's canonical request run through the engine, once.

Each request runs under an idempotency key of the gateway's own store, derived from the flow, the item's id
(its key and version) and the request's place: a target that already had its effect for this item version
is never called again, whatever the queue or a retry does. What remains is the moment between a legacy
system acting and its outcome being kept: a worker killed there leaves the key claimed without an outcome,
and the next holder of the item calls again. The flows' targets tell a repeat apart themselves (billing
refuses a second invoice for one externalRef: Conflict), and the flow counts such an answer as the effect
already had (mapping.settled).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from lxml import etree

from ..engine import Engine
from ..errors import MappingError, SoapbridgeError, UpstreamError
from ..gateway.idempotency import fingerprint
from ..idempotency import Entry, Keys
from ..telemetry.context import RequestTrace, tracing
from ..xmlparse import parse_bytes
from .compiler import CompiledFlow
from .ledger import Item
from .mapping import requests_of

#: What a finished target's key keeps: the item's effect is had, nothing to replay.
DONE = b"done"


class SerialKeys:
    """The gateway's Keys, used by this process's threads one at a time (see SqliteLedger._writing for why)."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self._lock = threading.Lock()

    def claim(self, scope: str, fingerprint: str) -> Entry | None:
        with self._lock:
            return self.keys.claim(scope, fingerprint)

    def complete(self, scope: str, entry: Entry) -> None:
        with self._lock:
            self.keys.complete(scope, entry)

    def release(self, scope: str) -> None:
        with self._lock:
            self.keys.release(scope)

    def flushing(self) -> None:
        self.keys.flushing()


class BadItem(SoapbridgeError):
    """Raised when an item cannot be delivered as it is (bad source data, a mapping that refuses it)."""

    fault_code = "BadItem"


@dataclass
class Delivered:
    """What delivering an item did: the operations called, those already had, those settled by a fault."""

    called: list[str] = field(default_factory=list)
    had: list[str] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)


def deliver(engine: Engine, keys: SerialKeys, compiled: CompiledFlow, item: Item, params: dict[str, str]) -> Delivered:
    """Every target request of item, each at most once; raises the first failure (a retry resumes there)."""
    done = Delivered()
    with tracing(RequestTrace(correlation_id=item.correlation, protocol="flow", operation=compiled.name)):
        for index, request in enumerate(_requests(engine, compiled, item, params)):
            operation = compiled.targets[request.tag]
            scope = f"flow\n{compiled.name}\n{item.id}\n{index}:{operation}"
            _once(engine, keys, compiled, operation, request, scope, done)
    return done


def _requests(engine: Engine, compiled: CompiledFlow, item: Item, params: dict[str, str]) -> list[etree._Element]:
    source = parse_bytes(item.payload, what=f"item {item.id}", limits=engine.settings.limits)
    try:
        result = compiled.mapping.apply(source, params)
    except MappingError as exc:
        if exc.terminated:  # the stylesheet refused the item on purpose: its words are the reason
            raise BadItem(f"{compiled.mapping.label} refused the item: {exc.message}") from exc
        raise
    requests = requests_of(result, compiled.mapping.label)
    for request in requests:
        if request.tag not in compiled.targets:
            raise MappingError(
                f"{compiled.mapping.label} produced {request.tag}, which is none of the flow's targets "
                f"({', '.join(compiled.flow.targets)})",
                stylesheet=compiled.mapping.label,
            )
    return requests


def _once(
    engine: Engine,
    keys: SerialKeys,
    compiled: CompiledFlow,
    operation: str,
    request: etree._Element,
    scope: str,
    done: Delivered,
) -> None:
    signature = fingerprint(request)
    held = keys.claim(scope, signature)
    if held is not None and held.outcome is not None:
        done.had.append(operation)
        return
    if held is not None:  # claimed by a holder that died mid-call (this worker holds the item's lease now)
        keys.release(scope)
        if keys.claim(scope, signature) is not None:
            raise UpstreamError(f"another worker is calling {operation} for this item", system="flows", sent=False)
    claimed = time.time()
    try:
        engine.call(operation, request)
    except SoapbridgeError as exc:
        if exc.fault_code in compiled.flow.settled and not isinstance(exc, UpstreamError):
            keys.complete(scope, Entry(signature, claimed, DONE))
            done.settled.append(f"{operation}:{exc.fault_code}")
            return
        keys.release(scope)
        raise
    except BaseException:
        keys.release(scope)
        raise
    keys.complete(scope, Entry(signature, claimed, DONE))
    done.called.append(operation)
