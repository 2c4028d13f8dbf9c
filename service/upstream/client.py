"""Calling a legacy system: the adapter's body in an envelope, through the pooled transport, and back.

Bodies stay lxml trees: zeep loads the WSDL, but never binds a body to objects nor carries a call.
The transport's and lxml's exceptions become soapbridge errors below this module, and nowhere else.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from lxml import etree

from ..config import AdapterConfig, Credentials, Retry, Timeouts
from ..errors import ConfigError, UpstreamError, UpstreamTimeout, UpstreamUnavailable
from ..soapenv import content_type
from ..telemetry import context, correlation
from ..telemetry.context import UpstreamCall, record_retry, record_upstream
from .breaker import CircuitBreaker
from .bulkhead import Bulkhead
from .deadline import Deadline
from .encoding import refuse_encoded
from .envelope import LegacyFault, read_answer
from .exchange import ExchangeLog, ExchangeObserver
from .faults import compile_rules, matching_rule, translate
from .outbound import Addressing, Outbound
from .recent import RecentCalls
from .retry import with_retries
from .transport import UpstreamTransport
from .wsdl import UpstreamOperation, load_service
from .wsse import UsernameToken

NO_RETRY = Retry(attempts=1)
A = TypeVar("A")
#: How one try of an upstream call ended: an answer, a SOAP fault, or a failure of one kind.
OK, FAULT, TIMEOUT, UNAVAILABLE, ERROR, CIRCUIT_OPEN = "ok", "fault", "timeout", "unavailable", "error", "circuit_open"


class Upstream:
    """One legacy system: its WSDL loaded once, its endpoint, credentials and fault rules, and the policies
    that guard calls to it (deadline, retries, circuit breaker, bulkhead).

    observers see each try's request and answer, and each legacy fault, redacted as the exchange log is."""

    def __init__(
        self,
        adapter: AdapterConfig,
        transport: UpstreamTransport | None = None,
        observers: Iterable[ExchangeObserver] = (),
    ) -> None:
        if adapter.wsdl is None:
            raise ConfigError("no WSDL", file=str(adapter.file), key="system.wsdl")
        self.name = adapter.name
        refuse_encoded(adapter)  # zeep would fail first, fetching the SOAP encoding schema
        service = load_service(adapter.wsdl, folder=adapter.wsdl.parent, service=adapter.service, port=adapter.port)
        self.address = adapter.endpoint or service.address
        self.operations = service.operations
        self.transport = transport or UpstreamTransport(adapter)
        self.timeouts = adapter.timeouts
        self.retry = adapter.retry
        self.slow_call = adapter.breaker.slow_call
        self.breaker = CircuitBreaker(adapter.name, adapter.breaker)  # before the workers fork: they share it
        self.bulkhead = Bulkhead(adapter.name, adapter.bulkhead)
        self.recent = RecentCalls()  # before the workers fork, like the breaker: the status page's figures
        self._wsse = _wsse(adapter.credentials)
        #: Each operation's outbound message, composed once: per call only its values and body change.
        self._outbound = {name: self._compose(op) for name, op in self.operations.items()}
        self._rules = compile_rules(adapter)
        self.exchange = ExchangeLog(adapter, observers)

    def operation(self, name: str) -> UpstreamOperation:
        try:
            return self.operations[name]
        except KeyError:
            known = ", ".join(sorted(self.operations))
            raise ConfigError(f"{self.name}'s WSDL has no operation {name!r}; it has: {known}") from None

    def call(
        self,
        operation: UpstreamOperation,
        body: etree._Element,
        *,
        deadline: Deadline | None = None,
        timeouts: Timeouts | None = None,
        idempotent: bool = False,
    ) -> etree._Element:
        """Send body to the operation and return the answer's body element (or raise ours).

        Only an idempotent call is tried again, and only after a transient failure."""
        timeouts = timeouts or self.timeouts
        deadline = deadline or Deadline(timeouts.deadline)
        answer = self.guarded(
            operation.name,
            lambda: self._exchange(operation, body, deadline, timeouts),
            lambda answer: isinstance(answer, LegacyFault),
            deadline=deadline,
            timeouts=timeouts,
            idempotent=idempotent,
        )
        if isinstance(answer, LegacyFault):
            self._fault_seen(operation, answer)
            raise translate(answer, self._rules, self.name) from None
        return answer

    def guarded(
        self,
        operation: str,
        exchange: Callable[[], A],
        is_fault: Callable[[A], bool],
        *,
        deadline: Deadline,
        timeouts: Timeouts,
        idempotent: bool,
    ) -> A:
        """exchange() under the system's policies (every caller's: mapped and pass-through): a bulkhead slot,
        retries only when idempotent, and each try through the circuit breaker, recorded as an answer, a
        fault (is_fault) or a failure; a failure, or a slow answer, counts against the system."""
        with self.bulkhead.slot(deadline):
            return with_retries(
                lambda: self._attempt(operation, exchange, is_fault, deadline, timeouts),
                self.retry if idempotent else NO_RETRY,
                deadline,
                f"{self.name} {operation}",
                retrying=lambda: record_retry(self.name, operation),
            )

    def health(self) -> dict[str, Any]:
        """The circuit's state, shared by the workers, and this worker's calls in progress (JSON-ready)."""
        return {**self.breaker.health(), "in_flight": self.bulkhead.in_flight}

    def _attempt(
        self,
        operation: str,
        exchange: Callable[[], A],
        is_fault: Callable[[A], bool],
        deadline: Deadline,
        timeouts: Timeouts,
    ) -> A:
        """One try through the circuit breaker."""
        if deadline.expired:
            raise self.transport.late(deadline, timeouts.operation, sent=False)
        try:
            probe = self.breaker.admit()
        except UpstreamUnavailable:
            self._record(operation, CIRCUIT_OPEN, 0.0)
            raise
        started = time.monotonic()
        try:
            answer = exchange()
        except UpstreamError as exc:
            self._record(operation, outcome_of(exc), time.monotonic() - started)
            self.breaker.failed(probe)
            raise
        except BaseException:
            self._record(operation, ERROR, time.monotonic() - started)
            self.breaker.abandoned(probe)
            raise
        seconds = time.monotonic() - started
        self._record(operation, FAULT if is_fault(answer) else OK, seconds)
        (self.breaker.failed if seconds > self.slow_call else self.breaker.succeeded)(probe)
        return answer

    def _exchange(
        self, operation: UpstreamOperation, body: etree._Element, deadline: Deadline, timeouts: Timeouts
    ) -> etree._Element | LegacyFault:
        sent_id = current_correlation_id()
        message, headers = self._message(operation, body, sent_id), call_headers(operation, sent_id)
        self.exchange.sent(operation.name, self.address, headers, message)
        response = self.transport.post(self.address, message, headers, deadline=deadline, timeouts=timeouts)
        self.exchange.received(operation.name, response.status, response.content_type, response.content)
        return read_answer(response.content, response.status, response.content_type, operation.soap_version, self.name)

    def _fault_seen(self, operation: UpstreamOperation, fault: LegacyFault) -> None:
        compiled = matching_rule(fault, self._rules)
        self.exchange.fault(operation.name, fault, None if compiled is None else str(compiled))

    def _record(self, operation: str, outcome: str, seconds: float) -> None:
        record_upstream(UpstreamCall(self.name, operation, outcome, seconds))
        self.recent.record(failed=outcome not in (OK, FAULT), fault=outcome == FAULT)

    def outbound(self, operation: UpstreamOperation) -> Outbound:
        """The operation's outbound message, composed once: the adapter's WS-Security and WS-Addressing."""
        return self._outbound.get(operation.name) or self._compose(operation)

    def _compose(self, operation: UpstreamOperation) -> Outbound:
        action = operation.addressing_action
        return Outbound(
            operation.soap_version, self._wsse, Addressing(action, self.address) if action is not None else None
        )

    def _message(self, operation: UpstreamOperation, body: etree._Element, correlation_id: str | None = None) -> bytes:
        """The envelope, with a fresh UsernameToken for each try, and WS-Addressing when the WSDL uses it."""
        outbound = self.outbound(operation)
        return outbound.message(body, outbound.values(correlation_id or current_correlation_id()))


def outcome_of(exc: UpstreamError) -> str:
    """The metrics outcome of a try that failed: timeout, unavailable or error."""
    if isinstance(exc, UpstreamTimeout):
        return TIMEOUT
    return UNAVAILABLE if isinstance(exc, UpstreamUnavailable) else ERROR


def call_headers(operation: UpstreamOperation, correlation_id: str) -> dict[str, str]:
    """The call's HTTP headers: its media type and action, the correlation id, and the client's trace context."""
    media = content_type(operation.soap_version)
    if operation.soap_version == "1.2":
        action = f'; action="{operation.soap_action}"' if operation.soap_action else ""
        sent = {"Content-Type": media + action, correlation.HEADER: correlation_id}
    else:
        sent = {"Content-Type": media, "SOAPAction": f'"{operation.soap_action}"', correlation.HEADER: correlation_id}
    trace = context.current()
    if trace is not None and trace.trace_context is not None:
        sent |= trace.trace_context.headers()
    return sent


def current_correlation_id() -> str:
    """The id of the request being handled, passed on to the legacy system; a new one outside a request."""
    trace = context.current()
    return trace.correlation_id if trace is not None else correlation.new_id()


def _wsse(credentials: Credentials | None) -> UsernameToken | None:
    if credentials is None or credentials.type != "wsse-username-token":
        return None
    return UsernameToken(credentials)
