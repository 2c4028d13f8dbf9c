"""The SOAP plumbing every emulator shares: envelopes, dispatch by body element, faults, WSDL."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import XmlError
from ..namespaces import ENVELOPE_BY_VERSION, WSA, WSA_2004, WSDL_SOAP11, WSDL_SOAP12
from ..soapenv import FAULT_CODES, content_type, fault, fault_status, serialize, wrap
from ..wsgi import StartResponse, http_headers, read_body, request_url, respond
from ..xmlparse import parse_bytes, parse_file
from ._backdoor import Actions

log = logging.getLogger("soapbridge.legacy")
#: WS-Addressing 1.0 and the 2004/08 submission.
WSA_NAMESPACES = (WSA, WSA_2004)
#: The properties a WS-Addressing service requires of every request, as WCF does.
REQUIRED_ADDRESSING = ("Action", "MessageID")


class LegacyFault(Exception):
    """A SOAP fault the legacy system answers with, exactly as its WSDL describes it.

    side is "client" or "server"; detail, when given, becomes the fault's detail element.
    """

    def __init__(self, side: str, message: str, detail: etree._Element | None = None) -> None:
        super().__init__(message)
        self.side = side
        self.message = message
        self.detail = detail


@dataclass
class SoapRequest:
    """What a handler sees of a request: the body's element, the SOAP header and the HTTP headers."""

    body: etree._Element
    header: etree._Element | None
    http_headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[SoapRequest], etree._Element]


class Emulator:
    """A WSGI app serving one legacy system: its WSDL files on GET, its operations on POST."""

    def __init__(
        self,
        name: str,
        wsdl_file: Path,
        soap_version: str,
        handlers: dict[str, Handler],
        actions: dict[str, str] | None = None,
        backdoor: Actions | None = None,
    ) -> None:
        self.name = name
        #: When the system uses WS-Addressing: the wsa:Action each body element must come with.
        self.actions = actions
        #: What the admin endpoint may do to the system's data, by (HTTP method, resource).
        self.backdoor: Actions = backdoor or {}
        self.wsdl_file = wsdl_file
        self.soap_version = soap_version
        self.envelope_ns = ENVELOPE_BY_VERSION[soap_version]
        self.handlers = handlers

    # -- WSGI -------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET":
            return self._serve_file(environ, start_response)
        if method != "POST":
            return respond(start_response, "405 Method Not Allowed", "text/plain", b"use GET or POST\n")
        status, body = self.handle(read_body(environ), http_headers(environ))
        return respond(start_response, status, content_type(self.soap_version), body)

    def handle(self, data: bytes, http_headers: dict[str, str]) -> tuple[str, bytes]:
        """Answer one SOAP request: (HTTP status line, envelope bytes)."""
        try:
            envelope = parse_bytes(data, what="request")
        except XmlError as exc:
            return self._fault("client", exc.message)
        if envelope.tag != f"{{{self.envelope_ns}}}Envelope":
            return self._version_mismatch(envelope.tag)
        header = envelope.find(f"{{{self.envelope_ns}}}Header")
        body = envelope.find(f"{{{self.envelope_ns}}}Body")
        payload = body[0] if body is not None and len(body) else None
        if payload is None:
            return self._fault("client", "the SOAP Body is empty")
        handler = self.handlers.get(payload.tag)
        if handler is None:
            return self._fault("client", f"no operation accepts {etree.QName(payload).localname}")
        refusal = self._addressing_refusal(header, payload.tag)
        if refusal is not None:
            return self._fault("client", refusal)
        try:
            answer = handler(SoapRequest(payload, header, http_headers))
        except LegacyFault as fault:
            return self._fault(fault.side, fault.message, fault.detail)
        except Exception:  # a bug in an emulator still answers as a SOAP server would
            log.exception("%s failed on %s", self.name, payload.tag)
            return self._fault("server", "internal error")
        return "200 OK", self.envelope(answer)

    def _addressing_refusal(self, header: etree._Element | None, tag: str) -> str | None:
        """Why a WS-Addressing service refuses the request (in WCF's words), or None."""
        if self.actions is None:
            return None
        properties = addressing_of(list(header) if header is not None else [])
        missing = [name for name in REQUIRED_ADDRESSING if not properties.get(name)]
        if missing:
            return f"A required header representing a Message Addressing Property is not present: {missing[0]}"
        if properties["Action"] != self.actions.get(tag):
            return (
                f"The message with Action '{properties['Action']}' cannot be processed at the receiver, "
                "due to a ContractFilter mismatch at the EndpointDispatcher."
            )
        return None

    # -- envelopes --------------------------------------------------------------------------

    def envelope(self, payload: etree._Element) -> bytes:
        return serialize(wrap(payload, self.soap_version, prefix="soapenv"))

    def server_fault(self, message: str) -> tuple[str, bytes]:
        """The system's own SOAP Server fault, in its SOAP version: (HTTP status line, envelope bytes)."""
        return self._fault("server", message)

    def _fault(self, side: str, message: str, detail: etree._Element | None = None) -> tuple[str, bytes]:
        answer = fault(self.soap_version, FAULT_CODES[self.soap_version][side], message, detail)
        return fault_status(self.soap_version, side == "client"), self.envelope(answer)

    def _version_mismatch(self, tag: str) -> tuple[str, bytes]:
        answer = fault(self.soap_version, "VersionMismatch", f"expected a SOAP {self.soap_version} envelope, got {tag}")
        return fault_status(self.soap_version, False), self.envelope(answer)

    # -- WSDL and its schemas ---------------------------------------------------------------

    def _serve_file(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "")
        path = environ.get("PATH_INFO", "/")
        if query.lower() == "wsdl":
            return respond(start_response, "200 OK", "text/xml; charset=utf-8", self.published_wsdl(environ))
        name = path.rsplit("/", 1)[-1]
        candidate = self.wsdl_file.parent / name
        if re.fullmatch(r"[\w.\-]+\.(xsd|wsdl)", name) and candidate.is_file():
            return respond(start_response, "200 OK", "text/xml; charset=utf-8", candidate.read_bytes())
        return respond(start_response, "404 Not Found", "text/plain", b"not found; try ?wsdl\n")

    def published_wsdl(self, environ: dict[str, Any]) -> bytes:
        """The static WSDL with its soap:address rewritten to where this emulator actually listens."""
        tree = parse_file(self.wsdl_file)
        here = request_url(environ)
        for ns in (WSDL_SOAP11, WSDL_SOAP12):
            for address in tree.iter(f"{{{ns}}}address"):
                address.set("location", here)
        return bytes(etree.tostring(tree, xml_declaration=True, encoding="utf-8"))


def addressing_of(blocks: list[etree._Element]) -> dict[str, str]:
    """The WS-Addressing properties among a SOAP Header's blocks (either namespace), by local name."""
    return {
        etree.QName(block).localname: (block.text or "").strip()
        for block in blocks
        if isinstance(block.tag, str) and etree.QName(block).namespace in WSA_NAMESPACES
    }
