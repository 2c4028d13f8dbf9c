"""Legacy SOAP answers: open the envelope, read a fault."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..errors import UpstreamUnavailable, XmlError
from ..namespaces import ENVELOPE_BY_VERSION, SOAP11_ENV, SOAP12_ENV
from ..redaction import plain_text
from ..xmlparse import parse_bytes

#: An XInclude in an answer is never processed; a legacy system has no business sending one.
XINCLUDE = "http://www.w3.org/2001/XInclude"
#: Statuses of a proxy or load balancer in front of a system that is down or restarting: worth another try.
TRANSIENT_STATUS = (502, 503, 504)
#: "Service Unavailable": the request was turned away unprocessed (RFC 9110 15.6.4), so it had no effect.
UNPROCESSED_STATUS = 503
#: A fault code is a QName: anything longer than this is not one a rule could mean.
MAX_FAULT_CODE = 200


@dataclass
class LegacyFault(Exception):
    """A SOAP fault a legacy system answered with, before the adapter's rules give it meaning."""

    code: str
    message: str
    element: etree._Element


def read_answer(data: bytes, status: int, media: str, version: str, system: str) -> etree._Element | LegacyFault:
    """The Body's element of an HTTP answer, or the fault it carries; UpstreamUnavailable saying what came instead."""
    transient, sent = status in TRANSIENT_STATUS, status != UNPROCESSED_STATUS
    if _is_html(data, media):
        raise UpstreamUnavailable(
            f"{system} answered HTTP {status} with an HTML page, not SOAP",
            system=system,
            transient=transient,
            sent=sent,
        )
    try:
        return open_answer(data, version, system)
    except LegacyFault as fault:
        return fault
    except UpstreamUnavailable as exc:
        if status < 400:
            raise
        raise UpstreamUnavailable(
            f"{exc.message} (HTTP {status})", system=system, transient=transient, sent=sent
        ) from exc


def _is_html(data: bytes, media: str) -> bool:
    start = data[:200].lstrip().lower()
    return "html" in media.lower() or start.startswith((b"<!doctype html", b"<html"))


def open_answer(data: bytes, version: str, system: str) -> etree._Element:
    """The Body's element of a legacy answer; LegacyFault for a fault, UpstreamUnavailable for junk."""
    try:
        envelope = parse_bytes(data, what=f"answer from {system}")
    except XmlError as exc:
        raise UpstreamUnavailable(f"{system} answered with something that is not XML", system=system) from exc
    if next(envelope.iter(f"{{{XINCLUDE}}}*"), None) is not None:
        raise UpstreamUnavailable(
            f"{system} answered with an XInclude, which soapbridge never processes", system=system
        )
    namespace = ENVELOPE_BY_VERSION[version]
    body = envelope.find(f"{{{namespace}}}Body") if envelope.tag == f"{{{namespace}}}Envelope" else None
    if body is None:
        raise UpstreamUnavailable(f"{system} answered with XML that is not a SOAP {version} envelope", system=system)
    payload = next(body.iterchildren(tag=etree.Element), None)
    if payload is None:
        raise UpstreamUnavailable(f"{system} answered with an empty SOAP Body", system=system)
    if payload.tag == f"{{{namespace}}}Fault":
        raise read_fault(payload)
    return payload


def read_fault(fault: etree._Element) -> LegacyFault:
    """The fault's code and reason as short plain text: both reach a client and the log, and a legacy system
    (or whatever answers in its name) must not be able to send either a megabyte, markup or a forged log line."""
    if fault.tag == f"{{{SOAP12_ENV}}}Fault":
        code = fault.findtext(f"{{{SOAP12_ENV}}}Code/{{{SOAP12_ENV}}}Value", "")
        reason = fault.findtext(f"{{{SOAP12_ENV}}}Reason/{{{SOAP12_ENV}}}Text", "")
    else:
        code = fault.findtext("faultcode", "") or fault.findtext(f"{{{SOAP11_ENV}}}faultcode", "")
        reason = fault.findtext("faultstring", "") or fault.findtext(f"{{{SOAP11_ENV}}}faultstring", "")
    return LegacyFault(plain_text(code, MAX_FAULT_CODE), plain_text(reason), fault)
