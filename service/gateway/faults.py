"""soapbridge errors as SOAP 1.1/1.2 faults and JSON problem details: the only place they meet.

Each fault carries a cn:GatewayFault detail (code, message, system) declared in the WSDL, so
generated clients raise a typed exception. The message is ours, never a traceback, a libxml2
code, a file path or an upstream URL.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from lxml import etree

from ..errors import SoapbridgeError
from ..namespaces import CANONICAL, ENVELOPE_BY_VERSION, SOAP11_ENV, SOAP12_ENV
from ..soapenv import envelope

log = logging.getLogger("soapbridge.gateway")

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HTTP_STATUS = {
    "InvalidRequest": 400,
    "NotFound": 404,
    "Conflict": 409,
    "Unauthenticated": 401,
    "Forbidden": 403,
    "TooManyRequests": 429,
    "UpstreamFault": 502,
    "UpstreamUnavailable": 502,
    "UpstreamTimeout": 504,
    "InternalError": 500,
}
INTERNAL_MESSAGE = "the gateway failed to process the request"


#: SOAP's own fault codes: about the envelope rather than the operation, so they carry no canonical detail.
ENVELOPE_CODES = ("VersionMismatch", "MustUnderstand")


@dataclass(frozen=True)
class Fault:
    """What a client is told: who is at fault, the canonical code, a message, the system."""

    client: bool
    code: str
    message: str
    system: str | None = None
    #: For MustUnderstand: the Clark names of the header blocks nobody here understands.
    not_understood: tuple[str, ...] = ()

    @classmethod
    def from_exception(cls, exc: Exception, endpoint: str) -> Fault:
        """The fault for anything an endpoint raised, logged once: ours in our words, the rest as internal."""
        if not isinstance(exc, SoapbridgeError):
            log.error("unexpected error on the %s endpoint", endpoint, exc_info=exc)
            return cls(False, "InternalError", INTERNAL_MESSAGE)
        log.log(logging.INFO if exc.client_fault else logging.WARNING, "%s fault: %s", exc.fault_code, exc.message)
        return cls(exc.client_fault, exc.fault_code, exc.message, getattr(exc, "system", None))

    @classmethod
    def version_mismatch(cls, message: str) -> Fault:
        return cls(True, "VersionMismatch", message)

    @classmethod
    def must_understand(cls, blocks: list[str]) -> Fault:
        names = ", ".join(etree.QName(block).localname for block in blocks)
        return cls(
            True,
            "MustUnderstand",
            f"header blocks marked mustUnderstand are not understood: {names}",
            None,
            tuple(blocks),
        )


def soap_fault(fault: Fault, version: str, supported: str) -> tuple[int, etree._Element]:
    """(HTTP status, envelope) of a fault in the SOAP version the client spoke.

    supported is the endpoint's own version, which a VersionMismatch fault names in an Upgrade header
    (SOAP 1.2 part 1, 5.4.7 and appendix A), in the client's envelope so that the client can read it.
    The SOAP 1.2 HTTP binding gives Sender faults 400 and every other fault 500; SOAP 1.1 always 500.
    """
    body = _fault11(fault) if version == "1.1" else _fault12(fault)
    status = 400 if version == "1.2" and fault.client and fault.code not in ENVELOPE_CODES else 500
    return status, _with_prefixed_qnames(envelope(version, [body], headers=_headers(fault, version, supported)))


def _headers(fault: Fault, version: str, supported: str) -> list[etree._Element]:
    """The header blocks of a SOAP fault; a qname attribute holds a Clark name until _with_prefixed_qnames."""
    if fault.code == "VersionMismatch":
        prefix = f"soap{supported.replace('.', '')}"  # soap11 or soap12, declared on the block itself
        namespace = ENVELOPE_BY_VERSION[supported]
        upgrade = etree.Element(f"{{{SOAP12_ENV}}}Upgrade", nsmap={"soap12": SOAP12_ENV, prefix: namespace})
        etree.SubElement(upgrade, f"{{{SOAP12_ENV}}}SupportedEnvelope", qname=f"{{{namespace}}}Envelope")
        return [upgrade]
    if fault.code == "MustUnderstand" and version == "1.2":
        return [_not_understood(block) for block in fault.not_understood]
    return []


def _not_understood(block: str) -> etree._Element:
    element = etree.Element(
        f"{{{SOAP12_ENV}}}NotUnderstood", nsmap={"soap": SOAP12_ENV, "block": etree.QName(block).namespace}
    )
    element.set("qname", block)
    return element


def _with_prefixed_qnames(envelope: etree._Element) -> etree._Element:
    """envelope with each header block's qname written with a prefix declared where it stands. Only now is that
    known: moved into the envelope, a block loses a declaration its ancestors already make under another prefix
    (soap12 becomes soap), and lxml cannot see that an attribute's value used it."""
    for named in envelope.iterfind(".//*[@qname]"):
        name = etree.QName(named.get("qname", ""))
        prefix = next(p for p, uri in named.nsmap.items() if uri == name.namespace and p)
        named.set("qname", f"{prefix}:{name.localname}")
    return envelope


def _fault11(fault: Fault) -> etree._Element:
    element = etree.Element(f"{{{SOAP11_ENV}}}Fault", nsmap={"soap": SOAP11_ENV})
    code = fault.code if fault.code in ENVELOPE_CODES else ("Client" if fault.client else "Server")
    etree.SubElement(element, "faultcode").text = f"soap:{code}"
    etree.SubElement(element, "faultstring").text = fault.message
    if fault.code not in ENVELOPE_CODES:
        etree.SubElement(element, "detail").append(_detail(fault))
    return element


def _fault12(fault: Fault) -> etree._Element:
    element = etree.Element(f"{{{SOAP12_ENV}}}Fault", nsmap={"soap": SOAP12_ENV})
    code = etree.SubElement(element, f"{{{SOAP12_ENV}}}Code")
    if fault.code in ENVELOPE_CODES:
        etree.SubElement(code, f"{{{SOAP12_ENV}}}Value").text = f"soap:{fault.code}"
    else:
        etree.SubElement(code, f"{{{SOAP12_ENV}}}Value").text = "soap:Sender" if fault.client else "soap:Receiver"
        subcode = etree.SubElement(code, f"{{{SOAP12_ENV}}}Subcode")
        etree.SubElement(subcode, f"{{{SOAP12_ENV}}}Value", nsmap={"cn": CANONICAL}).text = f"cn:{fault.code}"
    reason = etree.SubElement(element, f"{{{SOAP12_ENV}}}Reason")
    text = etree.SubElement(reason, f"{{{SOAP12_ENV}}}Text")
    text.set(XML_LANG, "en")
    text.text = fault.message
    if fault.code not in ENVELOPE_CODES:
        etree.SubElement(element, f"{{{SOAP12_ENV}}}Detail").append(_detail(fault))
    return element


def _detail(fault: Fault) -> etree._Element:
    detail = etree.Element(f"{{{CANONICAL}}}GatewayFault", nsmap={"cn": CANONICAL})
    etree.SubElement(detail, f"{{{CANONICAL}}}code").text = fault.code
    etree.SubElement(detail, f"{{{CANONICAL}}}message").text = fault.message
    if fault.system:
        etree.SubElement(detail, f"{{{CANONICAL}}}system").text = fault.system
    return detail


def problem(fault: Fault, status: int | None = None) -> tuple[int, bytes]:
    """(HTTP status, RFC 9457 problem details) for the JSON endpoint; status, when given, instead of the code's."""
    status = status or HTTP_STATUS.get(fault.code, 400 if fault.client else 500)
    body = {
        "type": f"urn:soapbridge:fault:{fault.code}",
        "title": fault.code,
        "status": status,
        "detail": fault.message,
        "code": fault.code,
    }
    if fault.system:
        body["system"] = fault.system
    return status, json.dumps(body).encode()
