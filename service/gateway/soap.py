"""The SOAP 1.1 and 1.2 endpoints: envelope in, dispatch by body element, envelope or fault out."""

from __future__ import annotations

from lxml import etree

from ..engine import Engine
from ..errors import RequestError
from ..namespaces import ENVELOPE_BY_VERSION
from ..soapenv import MEDIA_TYPES, content_type, serialize, wrap
from ..xmlparse import parse_bytes
from .faults import Fault, soap_fault
from .http import Request, Response
from .wsdl import ADDRESS_PLACEHOLDER, build_wsdl, soap_action

TRUE = ("1", "true")


class SoapEndpoint:
    """One SOAP version's endpoint and its WSDL, over the shared engine."""

    def __init__(self, engine: Engine, version: str) -> None:
        self.engine = engine
        self.version = version
        self.namespace = ENVELOPE_BY_VERSION[version]
        self.content_type = content_type(version)
        self._wsdl = build_wsdl(engine.contract, engine.operations, version)

    def wsdl(self, address: str) -> Response:
        body = self._wsdl.replace(ADDRESS_PLACEHOLDER.encode(), address.encode())
        return Response(200, "text/xml; charset=utf-8", body)

    def post(self, request: Request) -> Response:
        try:
            answer = self._dispatch(request)
        except _VersionMismatch as exc:
            return self._fault(Fault.version_mismatch(str(exc)))
        except Exception as exc:
            return self._fault(Fault.from_exception(exc, f"SOAP {self.version}"))
        return Response(200, self.content_type, self._envelope(answer))

    def _dispatch(self, request: Request) -> etree._Element:
        self._check_media_type(request)
        envelope = parse_bytes(request.body, what="request")
        if envelope.tag != f"{{{self.namespace}}}Envelope":
            raise _VersionMismatch(f"this endpoint speaks SOAP {self.version}; the envelope is {envelope.tag}")
        self._check_headers(envelope)
        payload = self._payload(envelope)
        operation = self.engine.contract.operation_for(payload.tag)
        if operation is None or operation.name not in self.engine.operations:
            raise RequestError(
                f"no operation takes {etree.QName(payload).localname} in namespace {etree.QName(payload).namespace}"
            )
        self._check_action(request, operation.name)
        return self.engine.call(operation.name, payload)

    def _check_media_type(self, request: Request) -> None:
        expected = MEDIA_TYPES[self.version]
        if request.media_type == expected:
            return
        if request.media_type in MEDIA_TYPES.values():
            raise _VersionMismatch(f"this endpoint speaks SOAP {self.version} ({expected}), not {request.media_type}")
        raise RequestError(f"the Content-Type must be {expected}, not {request.media_type or 'missing'}")

    def _check_headers(self, envelope: etree._Element) -> None:
        header = envelope.find(f"{{{self.namespace}}}Header")
        for block in header.iterchildren(tag=etree.Element) if header is not None else ():
            if block.get(f"{{{self.namespace}}}mustUnderstand", "0").strip() in TRUE:
                raise RequestError(f"the header {etree.QName(block).localname} must be understood, and is not")

    def _payload(self, envelope: etree._Element) -> etree._Element:
        body = envelope.find(f"{{{self.namespace}}}Body")
        children = list(body.iterchildren(tag=etree.Element)) if body is not None else []
        if len(children) != 1:
            raise RequestError(f"the SOAP Body must hold exactly one element; it holds {len(children)}")
        return children[0]

    def _check_action(self, request: Request, operation: str) -> None:
        sent = request.header("soapaction") if self.version == "1.1" else request.content_type_param("action")
        sent = (sent or "").strip().strip('"')
        expected = soap_action(self.engine.contract, operation)
        if sent and sent != expected:
            raise RequestError(
                f"the SOAPAction {sent!r} does not match the body's operation {operation} ({expected!r})"
            )

    def _envelope(self, payload: etree._Element) -> bytes:
        return serialize(wrap(payload, self.version))

    def _fault(self, fault: Fault) -> Response:
        status, element = soap_fault(fault, self.version)
        return Response(status, self.content_type, self._envelope(element))


class _VersionMismatch(Exception):
    """The envelope or media type belongs to the other SOAP version."""
