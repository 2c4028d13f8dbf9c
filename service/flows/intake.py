"""Items in: a poll of the source with the stored watermark, or a notification a source posted, cut into items
and written to the ledger, then handed to the queue.

The order is what makes a crash harmless: the items are in the ledger (committed) before their tasks are
queued, and the watermark moves only after both, so a poller killed anywhere polls the same changes again,
and the ledger, keyed by item id (key@version), takes each once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from dataclasses import dataclass

from lxml import etree

from ..telemetry.context import RequestTrace, tracing
from .compiler import CompiledFlow
from .ledger import NewItem, Watermark
from .runtime import FlowRuntime

#: Pages one poll reads at most while the source says it has more: the next tick goes on from there.
MAX_PAGES = 50


@dataclass(frozen=True)
class Polled:
    pages: int = 0
    seen: int = 0
    queued: int = 0
    dead: int = 0


def poll(runtime: FlowRuntime, compiled: CompiledFlow) -> Polled:
    """One run of a poll trigger: page through the changes since the watermark, queueing each new item."""
    assert compiled.poll is not None, "only a poll trigger is polled"
    total = Polled()
    for _ in range(MAX_PAGES):
        mark = runtime.ledger.watermark(compiled.name)
        answer = _ask(runtime, compiled, mark.value if mark else "")
        queued = take_in(runtime, compiled, answer)
        value = str(compiled.poll.watermark(answer)) or (mark.value if mark else "")
        runtime.ledger.advance(compiled.name, Watermark(value, time.time(), queued.queued))
        total = Polled(
            total.pages + 1, total.seen + queued.seen, total.queued + queued.queued, total.dead + queued.dead
        )
        if compiled.poll.more is None or not compiled.poll.more(answer):
            break
    return total


def take_in(runtime: FlowRuntime, compiled: CompiledFlow, document: etree._Element) -> Polled:
    """Cut document into items, write the new ones to the ledger, then queue them (a notification's path too)."""
    return queue_items(runtime, compiled, list(compiled.split(document)))


def queue_items(runtime: FlowRuntime, compiled: CompiledFlow, elements: list[object], again: str = "") -> Polled:
    """Write the new items among elements to the ledger, then queue them; again makes each a new version."""
    found = [_item(compiled, element, again) for element in elements]
    items = [item for item, _ in found]
    new = runtime.ledger.add(compiled.name, items)
    bad = {item.id: reason for item, reason in found if reason}
    for id in new:
        if id in bad:
            runtime.ledger.dead(compiled.name, id, bad[id])
    runtime.enqueue(compiled.name, [id for id in new if id not in bad])
    return Polled(1, len(items), len(new) - len(bad.keys() & set(new)), len(bad.keys() & set(new)))


def _ask(runtime: FlowRuntime, compiled: CompiledFlow, watermark: str) -> etree._Element:
    assert compiled.poll is not None
    seed = etree.Element("poll")
    params = {"watermark": watermark, "limit": str(_limit(compiled))}
    request = compiled.poll.request.apply(seed, params)
    with tracing(RequestTrace(correlation_id=f"flow-{compiled.name}-poll-{uuid.uuid4().hex[:12]}", protocol="flow")):
        return runtime.engine.call(compiled.poll.operation, request)


def _limit(compiled: CompiledFlow) -> int:
    trigger = compiled.flow.trigger
    return getattr(trigger, "limit", 100)


def _item(compiled: CompiledFlow, element: object, again: str) -> tuple[NewItem, str]:
    """The ledger's item for one split element, and why it cannot be delivered ("" when it can)."""
    if not isinstance(element, etree._Element):
        payload = str(element).encode()
        return _bad(payload), f"bad source data: items.split selected {type(element).__name__}, not an element"
    payload = etree.tostring(element)
    key = str(compiled.key(element)).strip()
    if not key:
        digest = hashlib.sha256(payload).hexdigest()[:16]
        reason = f"bad source data: the item has no key ({compiled.flow.items.key} is empty)"
        return NewItem(f"nokey@{digest}", f"nokey@{digest}", digest, payload, _correlation(), time.time()), reason
    version = str(compiled.version(element)).strip() if compiled.version is not None else ""
    version = (version or hashlib.sha256(payload).hexdigest()[:16]) + again
    changed = _when(str(compiled.changed_at(element))) if compiled.changed_at is not None else None
    return NewItem(f"{key}@{version}", key, version, payload, _correlation(), changed or time.time()), ""


def _bad(payload: bytes) -> NewItem:
    digest = hashlib.sha256(payload).hexdigest()[:16]
    return NewItem(f"bad@{digest}", f"bad@{digest}", digest, payload, _correlation(), time.time())


def _when(text: str) -> float | None:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()


def _correlation() -> str:
    return str(uuid.uuid4())
