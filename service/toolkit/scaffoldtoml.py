"""The scaffold's adapter file: the port chosen, the policies at their defaults with the shipped adapters'
explanations, the legacy namespaces, and one [operations.X] table per operation."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Breaker, Bulkhead, Retry, Timeouts, endpoint_variable


@dataclass(frozen=True)
class AdapterPlan:
    system: str
    description: str
    wsdl: str
    service: str
    port: str
    #: SOAP 1.1, document/literal.
    binding: str
    address: str | None
    other_ports: tuple[str, ...]
    #: prefix -> namespace of the legacy messages.
    namespaces: dict[str, str]
    #: (canonical operation, legacy operation)
    operations: tuple[tuple[str, str], ...]
    #: Operations left out, and why.
    skipped: tuple[str, ...] = ()


def adapter_text(plan: AdapterPlan) -> str:
    return "\n".join(
        [*_system(plan), *_policies(), *_namespaces(plan), *_faults(), *_operations(plan), *_skipped(plan)]
    )


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _system(plan: AdapterPlan) -> list[str]:
    lines = [
        f"# {plan.description}",
        f"# Scaffolded by `soapbridge new adapter` ({plan.binding}); every key the adapter files take is in the",
        '# README, "Adding a legacy system".',
        "",
        "[system]",
        f"name = {_quoted(plan.system)}",
        f"description = {_quoted(plan.description)}",
        f"wsdl = {_quoted(plan.wsdl)}",
        f"service = {_quoted(plan.service)}",
        f"port = {_quoted(plan.port)}",
    ]
    if plan.other_ports:
        lines.append("# The WSDL's other SOAP ports (set service and port to call one of them instead):")
        lines.extend(f"#   {other}" for other in plan.other_ports)
    where = f"the WSDL's address ({plan.address})" if plan.address else "endpoint = ..."
    lines.append(f"# endpoint: {where}, unless {endpoint_variable(plan.system)} is set")
    return lines


def _policies() -> list[str]:
    timeouts, retry, breaker, bulkhead = Timeouts(), Retry(), Breaker(), Bulkhead()
    return [
        "",
        "# connect and operation bound each try; deadline bounds the client's whole call, retries included.",
        "[timeouts]",
        f"connect = {timeouts.connect}",
        f"operation = {timeouts.operation}",
        f"deadline = {timeouts.deadline}",
        "",
        "# Only idempotent operations are tried again (reads unless [operations.X] says idempotent = false;",
        "# writes never unless it says idempotent = true), after a refused, reset or dropped connection or a",
        "# 502/503/504 that is not SOAP; the pauses double from backoff, with full jitter, never past the deadline.",
        "[retry]",
        f"attempts = {retry.attempts}",
        f"backoff = {retry.backoff}",
        f"max_backoff = {retry.max_backoff}",
        "",
        "# Opens after `failures` consecutive failures (timeouts, no connection, answers that are not SOAP,",
        "# calls slower than slow_call); while open, calls fail at once. After cooldown one probe goes through;",
        "# each failed probe doubles the cool-down, up to max_cooldown. A SOAP fault is an answer, not a failure.",
        "[breaker]",
        f"failures = {breaker.failures}",
        f"slow_call = {breaker.slow_call}",
        f"cooldown = {breaker.cooldown}",
        f"max_cooldown = {breaker.max_cooldown}",
        "",
        "# Calls in progress to this system per worker process; a call over the cap waits max_wait, then fails.",
        "[bulkhead]",
        f"max_concurrent = {bulkhead.max_concurrent}",
        f"max_wait = {bulkhead.max_wait}",
    ]


def _namespaces(plan: AdapterPlan) -> list[str]:
    if not plan.namespaces:
        return []
    lines = ["", "# The legacy messages' namespaces, for [[faults]] and [[answers]] rules and routes.", "[namespaces]"]
    return lines + [f"{prefix} = {_quoted(uri)}" for prefix, uri in plan.namespaces.items()]


def _faults() -> list[str]:
    return [
        "",
        "# Map the legacy system's faults, and errors it reports inside ordinary answers, to canonical codes:",
        '# [[faults]] when = "..." code = "NotFound"; [[answers]] when = "..." code = "NotFound" message_from = "...".',
    ]


def _operations(plan: AdapterPlan) -> list[str]:
    lines: list[str] = []
    for canonical, legacy in plan.operations:
        lines += [
            "",
            f"[operations.{canonical}]",
            f"upstream = {_quoted(legacy)}",
            f'request = "xslt/{plan.system}/{canonical}.request.xsl"',
            f'response = "xslt/{plan.system}/{canonical}.response.xsl"',
        ]
    return lines


def _skipped(plan: AdapterPlan) -> list[str]:
    if not plan.skipped:
        return [""]
    return ["", "# Not scaffolded:", *(f"#   {reason}" for reason in plan.skipped), ""]
