"""The trace of the request being handled: who asked for what, how it ended, and the legacy calls it made.

The gateway begins a trace when a request arrives and ends it when the answer is written; the
endpoints fill in the operation, the client and the fault, and the upstream client adds each try
it makes. Everything below the gateway reads the trace through current(), so nothing in between
passes it along. It lives in a ContextVar: each gunicorn thread, and each test, sees its own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from .tracecontext import TraceContext

#: The outcome of a request or an upstream call, as metrics label it and logs show it.
OK, CLIENT_FAULT, SERVER_FAULT = "ok", "client_fault", "server_fault"


@dataclass(frozen=True)
class UpstreamCall:
    """One try of a call to a legacy system: a retried call shows as several."""

    system: str
    operation: str
    #: ok (an answer, even a SOAP fault), or the kind of failure: timeout, unavailable, error.
    outcome: str
    seconds: float


@dataclass
class RequestTrace:
    """One request, from its arrival to its answer."""

    correlation_id: str
    #: soap11, soap12, json, or http for everything that is not an operation call (WSDLs, health, metrics).
    protocol: str
    #: The request's path (PATH_INFO), for the log line of requests that name no operation.
    path: str = ""
    started: float = field(default_factory=time.monotonic)
    #: When the answer was ready (set by the gateway before its observers run), so that all see one duration.
    answered: float | None = None
    #: The canonical operation, once the request names one the gateway serves.
    operation: str | None = None
    #: The authenticated client's name.
    client: str | None = None
    #: The client's IP address: the peer's, or a trusted proxy's word (gateway/forwarded.py); "unknown" if none.
    client_address: str = ""
    outcome: str = OK
    #: The canonical fault code (cn:FaultCode) of a fault answer.
    fault_code: str | None = None
    upstream: list[UpstreamCall] = field(default_factory=list)
    #: The client's WS-Addressing (namespace, MessageID), which the SOAP answer names in wsa:RelatesTo.
    message_id: tuple[str, str] | None = None
    #: The client sent a cn:CorrelationID block, so the SOAP answer names the id in one too.
    correlation_block: bool = False
    #: (system, legacy operation) of each try made again after a transient failure.
    retries: list[tuple[str, str]] = field(default_factory=list)
    #: The direction of each schema check that failed: request (the client's) or response (our mapping's).
    invalid: list[str] = field(default_factory=list)
    #: Why the request was refused unread or unparsed (XmlError.reason, too_large, compressed), if it was.
    rejected: str | None = None
    #: The client's W3C trace context, passed on to every legacy call, when it sent a valid one.
    trace_context: TraceContext | None = None

    def fault(self, code: str, client: bool) -> None:
        self.fault_code = code
        self.outcome = CLIENT_FAULT if client else SERVER_FAULT

    @property
    def seconds(self) -> float:
        """From arrival to answer; until answered, to now."""
        return (self.answered or time.monotonic()) - self.started


_current: ContextVar[RequestTrace | None] = ContextVar("soapbridge_trace", default=None)


def current() -> RequestTrace | None:
    """The trace of the request this thread is handling, or None outside a request (start-up, CLI tools)."""
    return _current.get()


@contextmanager
def tracing(trace: RequestTrace) -> Iterator[RequestTrace]:
    """Make trace the current one for the duration of a request."""
    token = _current.set(trace)
    try:
        yield trace
    finally:
        _current.reset(token)


def record_upstream(call: UpstreamCall) -> None:
    """Add a legacy call to the current request's trace, if there is one."""
    trace = _current.get()
    if trace is not None:
        trace.upstream.append(call)


def annotate(*, operation: str | None = None, client: str | None = None) -> None:
    """Name the current request's operation or client, once the endpoint knows them."""
    trace = _current.get()
    if trace is None:
        return
    if operation is not None:
        trace.operation = operation
    if client is not None:
        trace.client = client


def record_fault(code: str, client: bool) -> None:
    """Note on the current request the canonical fault it is answered with."""
    trace = _current.get()
    if trace is not None:
        trace.fault(code, client)


def record_retry(system: str, operation: str) -> None:
    """Note on the current request that a legacy call is being tried again."""
    trace = _current.get()
    if trace is not None:
        trace.retries.append((system, operation))


def record_invalid(direction: str) -> None:
    """Note on the current request a document that broke its schema: request or response."""
    trace = _current.get()
    if trace is not None:
        trace.invalid.append(direction)


def record_rejected(reason: str) -> None:
    """Note on the current request that it was refused as hostile or unreadable, and why (a bounded word)."""
    trace = _current.get()
    if trace is not None:
        trace.rejected = reason
