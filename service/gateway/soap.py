"""The SOAP 1.1 and 1.2 endpoints: envelope in, dispatch by body element, envelope or fault out."""

from __future__ import annotations

from lxml import etree

from ..engine import Engine
from ..errors import RequestError, XmlError
from ..namespaces import ENVELOPE_BY_VERSION, SOAP12_ENV
from ..soapenv import MEDIA_TYPES, content_type, envelope_version, read_envelope, serialize
from ..telemetry.context import annotate, record_fault, record_rejected
from ..xmlparse import parse_bytes
from .addressing import UNDERSTOOD, adopt_correlation, check_addressing, stamp, stamped_envelope
from .auth import Authenticator
from .faults import Fault, soap_fault
from .http import Request, Response
from .idempotency import KEY_BLOCK, Outcome, RunOnce
from .wsdl import PublishedWsdl, soap_action, wsdl_tree
from .wsse import SECURITY

TRUE = ("1", "true")
#: The actor (1.1) or role (1.2) values that address a header block to the gateway; absent means the same.
OUR_ROLES = {
    "1.1": {"http://schemas.xmlsoap.org/soap/actor/next"},
    "1.2": {f"{SOAP12_ENV}/role/next", f"{SOAP12_ENV}/role/ultimateReceiver"},
}
ROLE_ATTRIBUTE = {"1.1": "actor", "1.2": "role"}


class SoapEndpoint:
    """One SOAP version's endpoint and its WSDL, over the shared engine."""

    def __init__(self, engine: Engine, version: str, once: RunOnce, auth: Authenticator | None = None) -> None:
        self.engine = engine
        #: Runs the operations, writes at most once per idempotency key.
        self.once = once
        #: None only when authentication was switched off explicitly.
        self.auth = auth
        self.version = version
        self.namespace = ENVELOPE_BY_VERSION[version]
        self.content_type = content_type(version)
        self._wsdl = PublishedWsdl(wsdl_tree(engine.contract, engine.operations, version))

    def wsdl(self, address: str) -> Response:
        """The WSDL with address as the endpoint's."""
        return Response(200, "text/xml; charset=utf-8", self._wsdl.at(address))

    def post(self, request: Request) -> Response:
        try:
            outcome = self._dispatch(request)
        except VersionMismatch as exc:
            return self._fault(Fault.version_mismatch(str(exc)), exc.spoken)
        except MustUnderstand as exc:
            return self._fault(Fault.must_understand(exc.blocks))
        except Exception as exc:
            return self._fault(Fault.from_exception(exc, f"SOAP {self.version}"))
        if outcome.fault is not None:
            return self._fault(outcome.fault, headers=outcome.headers)
        assert outcome.response is not None
        return Response(200, self.content_type, self._envelope(outcome.response), outcome.headers)

    def _dispatch(self, request: Request) -> Outcome:
        check_media_type(request, self.version)
        try:
            envelope = parse_bytes(request.body, what="request", limits=self.engine.settings.limits)
        except XmlError as exc:
            record_rejected(exc.reason)
            raise
        if envelope.tag != f"{{{self.namespace}}}Envelope":
            spoken = envelope_version(envelope.tag)
            raise VersionMismatch(
                f"this endpoint speaks SOAP {self.version}; the envelope is {envelope.tag}", spoken or self.version
            )
        parts = read_envelope(envelope, self.version)
        header = parts.header
        adopt_correlation(header, request)
        check_header_blocks(header, self.version, understood_security=self.auth is not None)
        client = self.auth.soap(header, request) if self.auth is not None else None
        payload = self._payload(parts.body)
        operation = self.engine.contract.operation_for(payload.tag)
        if operation is None or operation.name not in self.engine.operations:
            raise RequestError(
                f"no operation takes {etree.QName(payload).localname} in namespace {etree.QName(payload).namespace}"
            )
        annotate(operation=operation.name, client=client.name if client else None)
        if self.auth is not None and client is not None:
            self.auth.authorise(client, operation.name)
        self._check_action(request, operation.name, header)
        block = header.findtext(KEY_BLOCK) if header is not None else None
        return self.once.call(operation.name, payload, request, block, client.name if client else None)

    def _payload(self, body: etree._Element) -> etree._Element:
        children = list(body.iterchildren(tag=etree.Element))
        if len(children) != 1:
            raise RequestError(f"the SOAP Body must hold exactly one element; it holds {len(children)}")
        return children[0]

    def _check_action(self, request: Request, operation: str, header: etree._Element | None) -> None:
        """The HTTP SOAPAction (1.1) or action parameter (1.2), and a wsa:Action, when sent, name the operation."""
        sent = sent_action(request, self.version)
        expected = soap_action(self.engine.contract, operation)
        if sent and sent != expected:
            raise RequestError(
                f"the SOAPAction {sent!r} does not match the body's operation {operation} ({expected!r})"
            )
        check_addressing(header, expected)

    def _envelope(self, payload: etree._Element) -> bytes:
        return stamped_envelope(self.version, payload)

    def _fault(
        self, fault: Fault, version: str | None = None, headers: list[tuple[str, str]] | None = None
    ) -> Response:
        return fault_response(fault, self.version, version, headers)


def fault_response(
    fault: Fault, endpoint: str, version: str | None = None, headers: list[tuple[str, str]] | None = None
) -> Response:
    """The fault in the client's SOAP version (the endpoint's own unless the client spoke the other)."""
    version = version or endpoint
    record_fault(fault.code, fault.client)
    status, envelope = soap_fault(fault, version, endpoint)
    return Response(status, content_type(version), serialize(stamp(envelope)), headers or [])


def sent_action(request: Request, version: str) -> str:
    """The action the client named: the SOAPAction header (1.1) or the media type's action parameter (1.2)."""
    sent = request.header("soapaction") if version == "1.1" else request.content_type_param("action")
    return (sent or "").strip().strip('"')


def check_media_type(request: Request, version: str) -> None:
    """VersionMismatch for the other SOAP version's media type, RequestError for any other one."""
    expected = MEDIA_TYPES[version]
    if request.media_type == expected:
        return
    spoken = next((v for v, media_type in MEDIA_TYPES.items() if request.media_type == media_type), None)
    if spoken:
        raise VersionMismatch(
            f"this endpoint speaks SOAP {version} ({expected}), not SOAP {spoken} ({request.media_type})", spoken
        )
    raise RequestError(f"the Content-Type must be {expected}, not {request.media_type or 'missing'}")


def check_header_blocks(header: etree._Element | None, version: str, *, understood_security: bool) -> None:
    """cn:IdempotencyKey, cn:CorrelationID and WS-Addressing's request-reply blocks are understood, and
    wsse:Security when authentication is on; any other block addressed to the gateway with mustUnderstand is
    a fault."""
    namespace = ENVELOPE_BY_VERSION[version]
    blocks = list(header.iterchildren(tag=etree.Element)) if header is not None else []
    role = f"{{{namespace}}}{ROLE_ATTRIBUTE[version]}"
    refused = [
        block.tag
        for block in blocks
        if block.get(f"{{{namespace}}}mustUnderstand", "0").strip() in TRUE
        and block.tag != KEY_BLOCK
        and block.tag not in UNDERSTOOD
        and not (understood_security and block.tag == SECURITY)
        and block.get(role) in (None, *OUR_ROLES[version])
    ]
    if refused:
        raise MustUnderstand(refused)


class VersionMismatch(Exception):
    """The envelope or media type is not this endpoint's SOAP version; spoken is the one the client used."""

    def __init__(self, message: str, spoken: str) -> None:
        super().__init__(message)
        self.spoken = spoken


class MustUnderstand(Exception):
    """Header blocks addressed to the gateway with mustUnderstand, which it does not understand."""

    def __init__(self, blocks: list[str]) -> None:
        super().__init__(", ".join(blocks))
        self.blocks = blocks
