"""A mock of any WSDL's SOAP ports, as a WSGI app: publish the WSDL, check requests, answer.

Each SOAP port is an endpoint at /<Port>. GET ?wsdl publishes the WSDL with every address
pointing at the mock; the documents it imports are published too, at /documents/<n>/<name>,
with their references rewritten, so that a client reads the whole set from the mock.
A POST is parsed (hardened), matched to its operation by the Body's element (SOAPAction breaks
ties), checked against the operation's input, and answered with a canned response file when
one matches (see mockresponses.py) or a schema-valid sample of the output.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lxml import etree

from ..errors import SoapbridgeError, UsageError, WsdlError, XmlError
from ..soapenv import FAULT_CODES, content_type, envelope, fault, fault_status, open_envelope, serialize
from ..wsdlmodel import Binding, BindingOperation, Wsdl, check_message
from ..wsgi import StartResponse, http_headers, read_body, respond
from ..xmlcheck import Problem
from ..xmlparse import parse_bytes
from .mockresponses import Responses
from .mockwsdl import Publication
from .sample import sample_body

#: The namespace of the detail the mock adds to a fault for an invalid request.
MOCK = "urn:soapbridge:mock"

Answer = tuple[str, bytes]


@dataclass(frozen=True)
class Endpoint:
    """One mocked SOAP port: where it listens and the binding it speaks."""

    service: str
    port: str
    binding: Binding

    @property
    def path(self) -> str:
        return "/" + quote(self.port)

    @property
    def version(self) -> str:
        return self.binding.soap_version or "1.1"

    @property
    def label(self) -> str:
        return f"{self.service}/{self.port}"


def endpoints(wsdl: Wsdl, binding: str | None = None) -> list[Endpoint]:
    """The SOAP ports to mock; a SOAP binding no port uses is mocked under its own name."""
    chosen = [b for b in wsdl.soap_bindings() if binding in (None, b.name, etree.QName(b.name).localname)]
    found = [
        Endpoint(service.name, port.name, port.binding)
        for service in wsdl.services
        for port in service.ports
        if port.binding in chosen
    ]
    used = {endpoint.binding.name for endpoint in found}
    found += [Endpoint("-", etree.QName(b.name).localname, b) for b in chosen if b.name not in used]
    unique: dict[str, Endpoint] = {}
    for endpoint in found:
        unique.setdefault(endpoint.path, endpoint)  # two services with a port of the same name: the first wins
    return list(unique.values())


class Mock:
    """The WSGI app: GET publishes the WSDL and its documents, POST answers SOAP requests."""

    def __init__(
        self, wsdl: Wsdl, served: list[Endpoint], publication: Publication, responses: Responses | None
    ) -> None:
        self.wsdl = wsdl
        self.endpoints = {endpoint.path: endpoint for endpoint in served}
        self.publication = publication
        self.responses = responses

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", "/"), environ.get("REQUEST_METHOD", "GET")
        if method == "GET":
            return self._get(environ, path, start_response)
        endpoint = self.endpoints.get(path)
        if endpoint is None:
            return respond(start_response, "404 Not Found", "text/plain", b"no mocked port here; try ?wsdl\n")
        if method != "POST":
            return respond(start_response, "405 Method Not Allowed", "text/plain", b"use GET or POST\n")
        status, body = self.answer(endpoint, read_body(environ), http_headers(environ))
        return respond(start_response, status, content_type(endpoint.version), body)

    def _get(self, environ: dict[str, Any], path: str, start_response: StartResponse) -> Iterable[bytes]:
        base = _base_url(environ)
        wanted = environ.get("QUERY_STRING", "").lower() == "wsdl"
        document = self.publication.top(base) if wanted else self.publication.document(path, base)
        if document is None:
            return respond(start_response, "404 Not Found", "text/plain", b"not found; try ?wsdl\n")
        return respond(start_response, "200 OK", "text/xml; charset=utf-8", document)

    def answer(self, endpoint: Endpoint, data: bytes, headers: dict[str, str]) -> Answer:
        """(HTTP status line, envelope) for one request to endpoint; a fault for anything wrong with it."""
        try:
            root = parse_bytes(data, what="request")
            opened = open_envelope(root)
        except XmlError as exc:
            return _fault(endpoint.version, "client", exc.message)
        if opened is None:
            return _fault(endpoint.version, "client", f"the request is not a SOAP envelope but {root.tag}")
        version, body = opened
        if version != endpoint.version:
            message = f"{endpoint.label} speaks SOAP {endpoint.version}, the request is SOAP {version}"
            return _fault(endpoint.version, "VersionMismatch", message)
        children = list(body.iterchildren(etree.Element))
        if not children:
            return _fault(version, "client", "the SOAP Body is empty")
        found = endpoint.binding.operation_for(children[0].tag, _soap_action(headers, version), "input")
        if found is None:
            return _fault(version, "client", f"no operation of {endpoint.label} accepts {children[0].tag}")
        operation = found[0]
        problems = check_message(self.wsdl, operation.input, children) if operation.input is not None else []
        if problems:
            return _invalid(version, operation, problems)
        return self._response(operation, root, version)

    def _response(self, operation: BindingOperation, request: etree._Element, version: str) -> Answer:
        if self.responses is not None:
            try:
                canned = self.responses.answer(operation.name, request, version)
            except SoapbridgeError as exc:  # a broken response file or XPath: the tester's to fix, said as a fault
                return _fault(version, "server", exc.message)
            if canned is not None:
                return ("500 Internal Server Error" if canned.fault else "200 OK"), canned.envelope
        # A one-way operation has nothing to say, but an empty Body is still an answer a client can read.
        children = sample_body(self.wsdl, operation.output)[0] if operation.output is not None else []
        return "200 OK", serialize(envelope(version, children, prefix="soapenv"))


def _invalid(version: str, operation: BindingOperation, problems: list[Problem]) -> Answer:
    detail = etree.Element(f"{{{MOCK}}}problems", nsmap={"mock": MOCK})
    for problem in problems:
        item = etree.SubElement(detail, f"{{{MOCK}}}problem")
        for name, value in (("line", problem.line), ("column", problem.column), ("path", problem.path)):
            if value is not None:
                item.set(name, str(value))
        item.text = problem.reason
    listed = "; ".join(_located(problem) for problem in problems)
    return _fault(version, "client", f"the request does not match {operation.name}'s input: {listed}", detail)


def _located(problem: Problem) -> str:
    where = [f"line {problem.line}" if problem.line else "", problem.path or ""]
    return ", ".join(part for part in (*where, problem.reason) if part)


def _fault(version: str, side: str, message: str, detail: etree._Element | None = None) -> Answer:
    """A SOAP fault of that version; side is "client", "server" or a fault code of its own (VersionMismatch)."""
    code = FAULT_CODES[version].get(side, side)
    answer = envelope(version, [fault(version, code, message, detail)], prefix="soapenv")
    return fault_status(version, side == "client"), serialize(answer)


def _soap_action(headers: dict[str, str], version: str) -> str | None:
    """SOAP 1.1 sends the action in a SOAPAction header, SOAP 1.2 as the media type's action parameter."""
    if version == "1.1":
        action = headers.get("soapaction")
        return action.strip().strip('"') if action else None
    for parameter in headers.get("content-type", "").split(";")[1:]:
        name, _, value = parameter.strip().partition("=")
        if name.lower() == "action":
            return value.strip('"')
    return None


def _base_url(environ: dict[str, Any]) -> str:
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"http://{host}"


def load_mock(wsdl: Wsdl, *, binding: str | None = None, responses_dir: Path | None = None) -> Mock:
    """Everything a mock needs, checked now: its endpoints, its documents, its response index."""
    served = endpoints(wsdl, binding)
    if not served:
        if binding is not None:
            names = ", ".join(etree.QName(b.name).localname for b in wsdl.soap_bindings()) or "none"
            raise UsageError(f"no SOAP binding named {binding}; the WSDL's SOAP bindings: {names}")
        raise WsdlError(f"{wsdl.location} has no SOAP 1.1 or 1.2 binding to mock", location=wsdl.location)
    wsdl.schemas.validator()  # a schema set libxml2 cannot compile fails now, not on the first request
    operations = {op.name for endpoint in served for op in endpoint.binding.operations}
    responses = Responses.load(responses_dir, operations) if responses_dir is not None else None
    publication = Publication.of(wsdl, {e.port: e.path for e in served})
    return Mock(wsdl, served, publication, responses)
