"""Calling a legacy system: the adapter's body in an envelope, through zeep's transport, and back.

Bodies stay lxml trees: zeep loads the WSDL and carries the bytes, but never binds a body to
objects. requests' and lxml's exceptions become soapbridge errors here, and nowhere else.
"""

from __future__ import annotations

import logging

import requests
import urllib3
from lxml import etree
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from ..config import AdapterConfig, Credentials, Tls
from ..errors import ConfigError, UpstreamTimeout, UpstreamUnavailable
from ..settings import Limits
from ..soapenv import content_type, serialize, wrap
from .envelope import LegacyFault, open_answer
from .faults import compile_rules, translate
from .wsdl import UpstreamOperation, load_service

POOL_SIZE = 32
log = logging.getLogger("soapbridge.upstream")


class UpstreamTransport(Transport):  # type: ignore[misc]
    """zeep's transport with a connect timeout apart from the read timeout, and no body logging
    (bodies may carry credentials)."""

    def __init__(self, adapter: AdapterConfig, max_body: int = Limits().max_body) -> None:
        self.system = adapter.name
        self.max_body = max_body
        session = requests.Session()
        pool = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=POOL_SIZE)
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

    def post(self, address: str, message: bytes, headers: dict[str, str]) -> requests.Response:
        # verify and cert go with each request: requests lets REQUESTS_CA_BUNDLE override the session's
        response: requests.Response = self.session.post(
            address,
            data=message,
            headers=headers,
            timeout=self.operation_timeout,
            verify=self.verify,
            cert=self.cert,
            stream=True,
        )
        # the answer is read up to the body limit, never whole: a legacy system is not trusted either
        with response:
            try:
                body: bytes = response.raw.read(self.max_body + 1, decode_content=True)
            except urllib3.exceptions.ReadTimeoutError as exc:  # raw reads raise urllib3's errors, not requests'
                raise requests.Timeout(str(exc)) from exc
            except urllib3.exceptions.HTTPError as exc:
                raise requests.ConnectionError(str(exc)) from exc
        if len(body) > self.max_body:
            raise UpstreamUnavailable(
                f"{self.system} answered with more than {self.max_body} bytes", system=self.system
            )
        response._content = body  # what requests itself sets when it reads a body
        return response


class Upstream:
    """One legacy system: its WSDL loaded once, its endpoint, credentials and fault rules."""

    def __init__(self, adapter: AdapterConfig, transport: Transport | None = None) -> None:
        if adapter.wsdl is None:
            raise ConfigError("no WSDL", file=str(adapter.file), key="system.wsdl")
        self.name = adapter.name
        service = load_service(adapter.wsdl, folder=adapter.wsdl.parent, service=adapter.service, port=adapter.port)
        self.address = adapter.endpoint or service.address
        self.operations = service.operations
        self.transport = transport or UpstreamTransport(adapter)
        self._wsse = _wsse(adapter.credentials)
        self._rules = compile_rules(adapter)

    def operation(self, name: str) -> UpstreamOperation:
        try:
            return self.operations[name]
        except KeyError:
            known = ", ".join(sorted(self.operations))
            raise ConfigError(f"{self.name}'s WSDL has no operation {name!r}; it has: {known}") from None

    def call(self, operation: UpstreamOperation, body: etree._Element) -> etree._Element:
        """Send body to the operation and return the answer's body element (or raise ours)."""
        envelope = wrap(body, operation.soap_version, prefix="soapenv")
        if self._wsse is not None:
            self._wsse.apply(envelope, {})
        response = self._post(serialize(envelope), _headers(operation))
        try:
            return open_answer(response.content, operation.soap_version, self.name)
        except LegacyFault as fault:
            raise translate(fault, self._rules, self.name) from None
        except UpstreamUnavailable as exc:
            if response.status_code >= 400:
                raise UpstreamUnavailable(
                    f"{self.name} answered HTTP {response.status_code}", system=self.name
                ) from exc
            raise

    def _post(self, data: bytes, headers: dict[str, str]) -> requests.Response:
        try:
            response: requests.Response = self.transport.post(self.address, data, headers)
        except requests.Timeout as exc:
            raise UpstreamTimeout(f"{self.name} did not answer in time", system=self.name) from exc
        except requests.exceptions.SSLError as exc:
            raise UpstreamUnavailable(
                f"{self.name} cannot be reached: its TLS certificate is not trusted, or the TLS handshake failed",
                system=self.name,
            ) from exc
        except requests.RequestException as exc:
            raise UpstreamUnavailable(f"{self.name} cannot be reached", system=self.name) from exc
        return response


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
