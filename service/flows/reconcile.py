"""Reconciliation: ask the source and the target for everything, and say where they disagree and why.

A source item must be on the target when reconcile.expect holds for it, and must not be when it does not;
each [[reconcile.fields]] pair must agree where both have the item. A target item the source does not
have at all is drift too. --repair queues each drifting source item as a flow item (through
reconcile.repair when the flow's items have another shape), with a version of its own so that it is
delivered again even though its change was delivered before.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from lxml import etree

from ..telemetry.context import RequestTrace, tracing
from .compiler import CompiledFlow, CompiledSide
from .intake import queue_items
from .runtime import FlowRuntime

#: Pages read from one side at most; a list operation that says it has more past this is an error.
MAX_PAGES = 10000


@dataclass(frozen=True)
class Drift:
    key: str
    why: str


@dataclass
class Report:
    compared: int = 0
    drifts: list[Drift] = field(default_factory=list)
    repaired: int = 0


def reconcile(runtime: FlowRuntime, compiled: CompiledFlow, *, repair: bool, progress: TextIO) -> Report:
    declared = compiled.reconcile
    assert declared is not None
    with tracing(RequestTrace(correlation_id=f"flow-{compiled.name}-reconcile-{int(time.time())}", protocol="flow")):
        source = dict(_listed(runtime, declared.source, progress))
        target = dict(_listed(runtime, declared.target, progress))
    report = Report(compared=len(source.keys() | target.keys()))
    fixing = []
    for key, item in source.items():
        why = _why(declared, item, target.get(key))
        if why:
            report.drifts.append(Drift(key, why))
            fixing.append(item)
    report.drifts += [Drift(key, "on the target, but not in the source") for key in target.keys() - source.keys()]
    if repair and fixing:
        report.repaired = _repair(runtime, compiled, fixing)
    return report


def _why(declared: object, item: etree._Element, there: etree._Element | None) -> str:
    from .compiler import CompiledReconcile

    assert isinstance(declared, CompiledReconcile)
    wanted = bool(declared.expect(item))
    if wanted and there is None:
        return "missing on the target"
    if not wanted and there is not None:
        return f"on the target, but the source says it must not be ({declared.expect.path})"
    if there is None:
        return ""
    for name, source_value, target_value in declared.fields:
        mine, theirs = str(source_value(item)), str(target_value(there))
        if mine != theirs:
            return f"{name} differs: source {mine!r}, target {theirs!r}"
    return ""


def _listed(runtime: FlowRuntime, side: CompiledSide, progress: TextIO) -> Iterator[tuple[str, etree._Element]]:
    seed = etree.Element("reconcile")
    for page in range(1, MAX_PAGES + 1):
        answer = runtime.engine.call(side.operation, side.request.apply(seed, {"page": str(page)}))
        items = side.items(answer)
        for item in items:
            key = str(side.key(item))
            if key:  # a member with no id in the other system (a website sign-up) is not the flow's to judge
                yield key, item
        if page % 10 == 0:
            print(f"{side.operation}: {page} pages read", file=progress, flush=True)
        if not items or not _more(answer):
            return


def _more(answer: etree._Element) -> bool:
    more = answer.find("{*}more")
    return more is not None and (more.text or "").strip() == "true"


def _repair(runtime: FlowRuntime, compiled: CompiledFlow, items: list[etree._Element]) -> int:
    declared = compiled.reconcile
    assert declared is not None
    again = f"~repair-{int(time.time() * 1000)}"
    now = {"now": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    shaped: list[object] = [declared.repair.apply(item, now) if declared.repair else item for item in items]
    return queue_items(runtime, compiled, shaped, again).queued
