"""WS-Addressing on the SOAP endpoints, and the header blocks a SOAP answer carries when the client asks.

The correlation id is the client's X-Correlation-ID header when usable, else the value of a usable
cn:CorrelationID block it sent, else a usable wsa:MessageID (WS-Addressing 1.0 or the 2004/08
submission). The answer, response or fault, carries the id in the X-Correlation-ID HTTP header always,
and in its SOAP Header only what the client asked for: wsa:RelatesTo when it sent a wsa:MessageID
(WS-Addressing's own way to relate a reply, which a client that sends MessageID must read), and
cn:CorrelationID when it sent that block (an unusable or empty value is replaced, as a header's is,
and the answer's block names the id used). A client that sent neither gets no
header block: strict stacks (Perl's SOAP::WSDL) fail on any block they were not told about, and
binding cn:CorrelationID in the WSDL's outputs would change zeep's result for every operation into an
envelope of body and header. So the WSDL binds it on the inputs only, as a block a client may send.

A client whose stack sends WS-Addressing (WCF marks wsa:Action and wsa:To mustUnderstand) is served:
the gateway understands the request-reply subset over one HTTP exchange. wsa:Action must be the
operation's SOAPAction, and a wsa:ReplyTo or wsa:FaultTo must be the anonymous address (the answer
goes back on the same connection); any other address is refused by name, never silently ignored.
"""

from __future__ import annotations

from lxml import etree

from ..contract import CORRELATION_ELEMENT
from ..errors import RequestError
from ..namespaces import CANONICAL, WSA, WSA_2004
from ..soapenv import serialized_envelope
from ..telemetry import correlation
from ..telemetry.context import RequestTrace, current
from .http import Request

WSA_NAMESPACES = (WSA, WSA_2004)
CORRELATION_BLOCK = f"{{{CANONICAL}}}{CORRELATION_ELEMENT}"
#: The header blocks of WS-Addressing's request-reply over one exchange.
WSA_BLOCKS = frozenset(
    f"{{{namespace}}}{name}"
    for namespace in WSA_NAMESPACES
    for name in ("Action", "To", "MessageID", "RelatesTo", "ReplyTo", "FaultTo", "From")
)
#: The header blocks the gateway understands here, so mustUnderstand on them is honoured, not refused.
UNDERSTOOD = WSA_BLOCKS | {CORRELATION_BLOCK}
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


def adopt_correlation(header: etree._Element | None, request: Request) -> None:
    """Note on the request's trace what the client's Header asks of the answer (cn:CorrelationID, wsa:RelatesTo),
    and take the correlation id from it unless the X-Correlation-ID header gave one (the header wins: it is what
    the client's own log knows). A cn:CorrelationID block names the id before a MessageID: it says so outright."""
    trace = current()
    if trace is None or header is None:
        return
    block = header.find(CORRELATION_BLOCK)
    trace.correlation_block = block is not None
    trace.message_id = _message_id(header)
    if correlation.usable(request.header(correlation.HEADER)) is None:
        trace.correlation_id = _sent_id(block, trace.message_id) or trace.correlation_id


def _message_id(header: etree._Element) -> tuple[str, str] | None:
    """(namespace, MessageID) of the client's first usable wsa:MessageID."""
    for namespace in WSA_NAMESPACES:
        message_id = correlation.usable_uri(header.findtext(f"{{{namespace}}}MessageID"))
        if message_id is not None:
            return namespace, message_id
    return None


def _sent_id(block: etree._Element | None, message_id: tuple[str, str] | None) -> str | None:
    """The id the client's Header names: its cn:CorrelationID's when usable, else its MessageID."""
    named = correlation.usable(block.text) if block is not None else None
    return named or (message_id[1] if message_id is not None else None)


def stamp(envelope: etree._Element) -> etree._Element:
    """envelope with the header blocks the current request asked for at the end of its Header, and no Header
    added when it asked for none."""
    trace = current()
    blocks = _answer_blocks(trace) if trace is not None else []
    if not blocks:
        return envelope
    namespace = etree.QName(envelope).namespace
    header = envelope.find(f"{{{namespace}}}Header")
    if header is None:
        header = etree.Element(f"{{{namespace}}}Header")
        envelope.insert(0, header)
    header.extend(blocks)
    return envelope


def stamped_envelope(version: str, payload: etree._Element) -> bytes:
    """stamp(wrap(payload, version)), serialised, without moving payload into a new tree (soapenv says why)."""
    trace = current()
    return serialized_envelope(version, payload, headers=_answer_blocks(trace) if trace is not None else [])


def _answer_blocks(trace: RequestTrace) -> list[etree._Element]:
    """cn:CorrelationID if the client sent one, and wsa:RelatesTo if it sent a wsa:MessageID."""
    blocks: list[etree._Element] = []
    if trace.correlation_block:
        block = etree.Element(CORRELATION_BLOCK, nsmap={"cn": CANONICAL})
        block.text = trace.correlation_id
        blocks.append(block)
    if trace.message_id is not None:
        wsa, message_id = trace.message_id
        relates_to = etree.Element(f"{{{wsa}}}RelatesTo", nsmap={"wsa": wsa})
        relates_to.text = message_id
        blocks.append(relates_to)
    return blocks
