"""Calling a legacy system: the adapter's body in an envelope, through zeep's transport, and back.

Bodies stay lxml trees: zeep loads the WSDL and carries the bytes, but never binds a body to
objects. requests' and lxml's exceptions become soapbridge errors here, and nowhere else.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests
import urllib3
from lxml import etree
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from ..config import AdapterConfig, Credentials, Retry, Timeouts, Tls
from ..errors import ConfigError, UpstreamError, UpstreamTimeout, UpstreamUnavailable
from ..settings import Limits
from ..soapenv import content_type, serialize, wrap
from .breaker import CircuitBreaker
from .bulkhead import Bulkhead
from .deadline import Deadline
from .envelope import LegacyFault, read_answer
from .faults import compile_rules, translate
from .retry import with_retries
from .wsdl import UpstreamOperation, load_service

POOL_SIZE = 32
#: The answer is read this much at a time, the deadline checked between reads: a trickle cannot outlast it.
CHUNK = 64 * 1024
NO_RETRY = Retry(attempts=1)
log = logging.getLogger("soapbridge.upstream")


class UpstreamTransport(Transport):  # type: ignore[misc]
    """zeep's transport with a connect timeout apart from the read timeout, both bounded by the call's deadline,
    and no body logging (bodies may carry credentials). requests' and urllib3's errors become ours here."""

    def __init__(self, adapter: AdapterConfig, max_body: int = Limits().max_body) -> None:
        self.system = adapter.name
        self.max_body = max_body
        self.timeouts = adapter.timeouts
        session = requests.Session()
        size = max(POOL_SIZE, adapter.bulkhead.max_concurrent)  # one kept-alive connection per call in progress
        pool = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=size)
        session.mount("http://", pool)
        session.mount("https://", pool)
        if adapter.credentials and adapter.credentials.type == "http-basic":
            session.auth = (adapter.credentials.username, adapter.credentials.password)
        self.verify, self.cert = _tls_options(adapter.tls, adapter.name)
        super().__init__(
            session=session,
            timeout=adapter.timeouts.connect,  # type: ignore[no-untyped-call]
            operation_timeout=(adapter.timeouts.connect, adapter.timeouts.operation),
        )

    def post(
        self,
        address: str,
        message: bytes,
        headers: dict[str, str],
        *,
        deadline: Deadline | None = None,
        timeouts: Timeouts | None = None,
    ) -> requests.Response:
        """One HTTP exchange, the answer read whole (up to the body limit) before the deadline."""
        timeouts = timeouts or self.timeouts
        deadline = deadline or Deadline(timeouts.deadline)
        response = self._send(address, message, headers, deadline, timeouts)
        with response:  # the answer is read up to the body limit, never whole: a legacy system is not trusted either
            response._content = self._read(response, deadline, timeouts.operation)  # as requests itself sets it
        return response

    def _send(
        self, address: str, message: bytes, headers: dict[str, str], deadline: Deadline, timeouts: Timeouts
    ) -> requests.Response:
        connect, read = deadline.cap(timeouts.connect), deadline.cap(timeouts.operation)
        if min(connect, read) <= 0:
            raise self.late(deadline, timeouts.operation, sent=False)
        try:
            # verify and cert go with each request: requests lets REQUESTS_CA_BUNDLE override the session's
            response: requests.Response = self.session.post(
                address,
                data=message,
                headers=headers,
                timeout=(connect, read),
                verify=self.verify,
                cert=self.cert,
                stream=True,
            )
        except requests.ConnectTimeout as exc:  # before ReadTimeout and ConnectionError: it is both
            if deadline.expired:
                raise self.late(deadline, timeouts.operation, sent=False) from exc
            raise self._unavailable(f"could not be reached within {_seconds(connect)}", sent=False) from exc
        except requests.Timeout as exc:
            raise self.late(deadline, timeouts.operation) from exc
        except requests.exceptions.SSLError as exc:
            raise UpstreamUnavailable(
                f"{self.system} cannot be reached: its TLS certificate is not trusted, or the TLS handshake failed",
                system=self.system,
                sent=False,
            ) from exc
        except requests.ConnectionError as exc:
            if _refused(exc):
                raise self._unavailable("refused the connection", sent=False) from exc
            raise self._unavailable("reset or closed the connection without answering") from exc
        except requests.RequestException as exc:
            raise UpstreamUnavailable(f"{self.system} cannot be reached", system=self.system) from exc
        return response

    def _read(self, response: requests.Response, deadline: Deadline, operation: float) -> bytes:
        body = bytearray()
        while len(body) <= self.max_body:
            if deadline.expired:
                raise self.late(deadline, operation)
            _read_timeout(response, deadline.cap(operation))
            try:
                chunk = response.raw.read1(min(CHUNK, self.max_body + 1 - len(body)), decode_content=True)
            except urllib3.exceptions.ReadTimeoutError as exc:  # raw reads raise urllib3's errors, not requests'
                raise self.late(deadline, operation) from exc
            except urllib3.exceptions.HTTPError as exc:
                raise self._unavailable("closed the connection before its whole answer arrived") from exc
            if not chunk:
                return bytes(body)
            body += chunk
        raise UpstreamUnavailable(f"{self.system} answered with more than {self.max_body} bytes", system=self.system)

    def late(self, deadline: Deadline, operation: float, *, sent: bool = True) -> UpstreamTimeout:
        if deadline.left() > 0.05:
            return UpstreamTimeout(f"{self.system} did not answer within {_seconds(operation)}", system=self.system)
        what = "did not answer" if sent else "was not called"
        return UpstreamTimeout(
            f"{self.system} {what} within the {_seconds(deadline.seconds)} deadline", system=self.system, sent=sent
        )

    def _unavailable(self, what: str, *, sent: bool = True) -> UpstreamUnavailable:
        return UpstreamUnavailable(f"{self.system} {what}", system=self.system, sent=sent, transient=True)


class Upstream:
    """One legacy system: its WSDL loaded once, its endpoint, credentials and fault rules, and the policies
    that guard calls to it (deadline, retries, circuit breaker, bulkhead)."""

    def __init__(self, adapter: AdapterConfig, transport: UpstreamTransport | None = None) -> None:
        if adapter.wsdl is None:
            raise ConfigError("no WSDL", file=str(adapter.file), key="system.wsdl")
        self.name = adapter.name
        service = load_service(adapter.wsdl, folder=adapter.wsdl.parent, service=adapter.service, port=adapter.port)
        self.address = adapter.endpoint or service.address
        self.operations = service.operations
        self.transport = transport or UpstreamTransport(adapter)
        self.timeouts = adapter.timeouts
        self.retry = adapter.retry
        self.slow_call = adapter.breaker.slow_call
        self.breaker = CircuitBreaker(adapter.name, adapter.breaker)  # before the workers fork: they share it
        self.bulkhead = Bulkhead(adapter.name, adapter.bulkhead)
        self._wsse = _wsse(adapter.credentials)
        self._rules = compile_rules(adapter)

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
        retry = self.retry if idempotent else NO_RETRY
        with self.bulkhead.slot(deadline):
            answer = with_retries(
                lambda: self._attempt(operation, body, deadline, timeouts),
                retry,
                deadline,
                f"{self.name} {operation.name}",
            )
        if isinstance(answer, LegacyFault):
            raise translate(answer, self._rules, self.name) from None
        return answer

    def health(self) -> dict[str, Any]:
        """The circuit's state, shared by the workers, and this worker's calls in progress (JSON-ready)."""
        return {**self.breaker.health(), "in_flight": self.bulkhead.in_flight}

    def _attempt(
        self, operation: UpstreamOperation, body: etree._Element, deadline: Deadline, timeouts: Timeouts
    ) -> etree._Element | LegacyFault:
        """One try through the circuit breaker: a failure, or a slow answer, counts against the system."""
        if deadline.expired:
            raise self.transport.late(deadline, timeouts.operation, sent=False)
        probe = self.breaker.admit()
        started = time.monotonic()
        try:
            response = self.transport.post(
                self.address, self._message(operation, body), _headers(operation), deadline=deadline, timeouts=timeouts
            )
            answer = read_answer(
                response.content,
                response.status_code,
                response.headers.get("Content-Type", ""),
                operation.soap_version,
                self.name,
            )
        except UpstreamError:
            self.breaker.failed(probe)
            raise
        except BaseException:
            self.breaker.abandoned(probe)
            raise
        slow = time.monotonic() - started > self.slow_call
        (self.breaker.failed if slow else self.breaker.succeeded)(probe)
        return answer

    def _message(self, operation: UpstreamOperation, body: etree._Element) -> bytes:
        """The envelope, with a fresh UsernameToken for each try."""
        envelope = wrap(body, operation.soap_version, prefix="soapenv")
        if self._wsse is not None:
            self._wsse.apply(envelope, {})
        return serialize(envelope)


def _refused(exc: requests.ConnectionError) -> bool:
    """True when the connection was never made (refused, no route, name not found): nothing was sent."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.NameResolutionError)


def _read_timeout(response: requests.Response, seconds: float) -> None:
    """Bound the next read of the answer; urllib3 keeps the socket on the response while it is streamed."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value >= 1 else f"{value:g} s"


def _tls_options(tls: Tls, system: str) -> tuple[bool | str, str | tuple[str, str] | None]:
    """requests' verify and cert: certificates are checked (against the ca_bundle if given) unless switched off."""
    if not tls.verify:
        log.warning("%s: TLS certificate verification is off ([tls] verify = false in its adapter)", system)
    verify: bool | str = str(tls.ca_bundle) if tls.ca_bundle is not None else tls.verify
    if tls.client_cert is None:
        return verify, None
    return verify, (str(tls.client_cert), str(tls.client_key)) if tls.client_key else str(tls.client_cert)


def _headers(operation: UpstreamOperation) -> dict[str, str]:
    media = content_type(operation.soap_version)
    if operation.soap_version == "1.2":
        action = f'; action="{operation.soap_action}"' if operation.soap_action else ""
        return {"Content-Type": media + action}
    return {"Content-Type": media, "SOAPAction": f'"{operation.soap_action}"'}


def _wsse(credentials: Credentials | None) -> _Wsse | None:
    if credentials is None or credentials.type != "wsse-username-token":
        return None
    return _Wsse(credentials)


class _Wsse:
    """A fresh UsernameToken (new nonce and Created) for every message."""

    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials

    def apply(self, envelope: etree._Element, headers: dict[str, str]) -> None:
        token = UsernameToken(
            self._credentials.username,
            self._credentials.password,
            use_digest=self._credentials.password_type == "digest",
            zulu_timestamp=True,
        )
        token.apply(envelope, headers)

    def __repr__(self) -> str:
        return "<wsse UsernameToken>"
