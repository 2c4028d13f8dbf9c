"""The correlation id on the SOAP endpoints: taken from a client's wsa:MessageID, answered in header blocks.

When no usable X-Correlation-ID header named the id, a usable wsa:MessageID (WS-Addressing 1.0 or
the 2004/08 submission) does. Every SOAP answer, response or fault, carries the id in cn:CorrelationID,
and wsa:RelatesTo names the client's MessageID when it sent one. The WSDL binds neither block, and
neither is mustUnderstand: a generated client that does not look for them skips them.
"""

from __future__ import annotations

from lxml import etree

from ..namespaces import CANONICAL
from ..telemetry import correlation
from ..telemetry.context import current
from .http import Request

WSA_NAMESPACES = ("http://www.w3.org/2005/08/addressing", "http://schemas.xmlsoap.org/ws/2004/08/addressing")
CORRELATION_BLOCK = f"{{{CANONICAL}}}CorrelationID"


def adopt_message_id(header: etree._Element | None, request: Request) -> None:
    """Note the client's wsa:MessageID on the request's trace, and make it the correlation id unless the
    X-Correlation-ID header gave one (the header wins: it is what the client's own log knows)."""
    trace = current()
    if trace is None or header is None:
        return
    for namespace in WSA_NAMESPACES:
        message_id = correlation.usable_uri(header.findtext(f"{{{namespace}}}MessageID"))
        if message_id is not None:
            trace.message_id = (namespace, message_id)
            if correlation.usable(request.header(correlation.HEADER)) is None:
                trace.correlation_id = message_id
            return


def stamp(envelope: etree._Element) -> etree._Element:
    """envelope with the current request's cn:CorrelationID (and wsa:RelatesTo) at the end of its Header."""
    trace = current()
    if trace is None:
        return envelope
    namespace = etree.QName(envelope).namespace
    header = envelope.find(f"{{{namespace}}}Header")
    if header is None:
        header = etree.Element(f"{{{namespace}}}Header")
        envelope.insert(0, header)
    etree.SubElement(header, CORRELATION_BLOCK, nsmap={"cn": CANONICAL}).text = trace.correlation_id
    if trace.message_id is not None:
        wsa, message_id = trace.message_id
        etree.SubElement(header, f"{{{wsa}}}RelatesTo", nsmap={"wsa": wsa}).text = message_id
    return envelope
