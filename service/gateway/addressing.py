"""WS-Addressing on the SOAP endpoints, and the correlation id answered in header blocks.

When no usable X-Correlation-ID header named the id, a usable wsa:MessageID (WS-Addressing 1.0 or
the 2004/08 submission) does. Every SOAP answer, response or fault, carries the id in cn:CorrelationID,
and wsa:RelatesTo names the client's MessageID when it sent one. The WSDL binds neither block, and
neither is mustUnderstand: a generated client that does not look for them skips them.

A client whose stack sends WS-Addressing (WCF marks wsa:Action and wsa:To mustUnderstand) is served:
the gateway understands the request-reply subset over one HTTP exchange. wsa:Action must be the
operation's SOAPAction, and a wsa:ReplyTo or wsa:FaultTo must be the anonymous address (the answer
goes back on the same connection); any other address is refused by name, never silently ignored.
"""

from __future__ import annotations

from lxml import etree

from ..errors import RequestError
from ..namespaces import CANONICAL, WSA, WSA_2004
from ..telemetry import correlation
from ..telemetry.context import current
from .http import Request

WSA_NAMESPACES = (WSA, WSA_2004)
CORRELATION_BLOCK = f"{{{CANONICAL}}}CorrelationID"
#: The header blocks of WS-Addressing's request-reply over one exchange, which the gateway understands.
UNDERSTOOD = frozenset(
    f"{{{namespace}}}{name}"
    for namespace in WSA_NAMESPACES
    for name in ("Action", "To", "MessageID", "RelatesTo", "ReplyTo", "FaultTo", "From")
)
#: The addresses that mean "answer on this connection" (and, for FaultTo, "send no fault": WS-Addressing 1.0's none).
ANONYMOUS = frozenset(
    {
        f"{WSA}/anonymous",
        f"{WSA}/none",
        f"{WSA_2004}/role/anonymous",
    }
)


def check_addressing(header: etree._Element | None, action: str) -> None:
    """RequestError when the client's WS-Addressing asks for what one HTTP exchange cannot give:
    an Action other than the operation's, or an answer sent to another address."""
    if header is None:
        return
    for namespace in WSA_NAMESPACES:
        sent = header.findtext(f"{{{namespace}}}Action")
        if sent is not None and sent.strip() != action:
            raise RequestError(f"the wsa:Action {sent.strip()[:200]!r} does not match the body's operation, {action!r}")
        for name in ("ReplyTo", "FaultTo"):
            address = header.findtext(f"{{{namespace}}}{name}/{{{namespace}}}Address")
            if address is not None and address.strip() not in ANONYMOUS:
                raise RequestError(
                    f"wsa:{name} must be the anonymous address: the answer goes back on the same HTTP connection"
                )


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
