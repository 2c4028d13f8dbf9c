"""What each SOAP version looks like on the wire: its media type and its envelope.

The gateway, the upstream client and the emulators all write envelopes; they do it here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from lxml import etree

from .errors import RequestError, XmlError
from .namespaces import ENVELOPE_BY_VERSION

#: The fault code each SOAP version uses for "the sender is wrong" and "the receiver failed".
FAULT_CODES = {"1.1": {"client": "Client", "server": "Server"}, "1.2": {"client": "Sender", "server": "Receiver"}}
#: The media type of each SOAP version, keyed by the version as soapbridge names it.
MEDIA_TYPES = {"1.1": "text/xml", "1.2": "application/soap+xml"}


def content_type(version: str) -> str:
    return f"{MEDIA_TYPES[version]}; charset=utf-8"


def wrap(body: etree._Element, version: str, prefix: str = "soap") -> etree._Element:
    """A new envelope of the given SOAP version holding body (moved, not copied)."""
    return envelope(version, [body], prefix)


def envelope(
    version: str, children: list[etree._Element], prefix: str = "soap", headers: list[etree._Element] | None = None
) -> etree._Element:
    """A new envelope whose Body holds children (moved, not copied): none, one, or one per message part.

    headers, when given, become the blocks of a Header before the Body.
    """
    namespace = ENVELOPE_BY_VERSION[version]
    root = etree.Element(f"{{{namespace}}}Envelope", nsmap={prefix: namespace})
    if headers:
        etree.SubElement(root, f"{{{namespace}}}Header").extend(headers)
    etree.SubElement(root, f"{{{namespace}}}Body").extend(children)
    return root


def serialize(envelope: etree._Element) -> bytes:
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="utf-8"))


def serialized_envelope(
    version: str, body: etree._Element, prefix: str = "soap", headers: Sequence[etree._Element] = ()
) -> bytes:
    """serialize(envelope(version, [body], prefix, headers)), written around body's own serialisation: moving a
    body into a new document walks every node of it (about half the cost of an answer's envelope at 10 KB), and
    body stays where it is. Elements inside another document are moved as before: their ancestors' namespace
    declarations would be written on them otherwise."""
    if any(element.getparent() is not None for element in (body, *headers)):
        return serialize(envelope(version, [body], prefix, list(headers)))
    pieces = _envelope_pieces(version, prefix, bool(headers))
    written = [bytes(etree.tostring(element, encoding="utf-8")) for element in (*headers, body)]
    if not headers:
        return pieces[0] + written[0] + pieces[1]
    return b"".join((pieces[0], *written[:-1], pieces[1], written[-1], pieces[2]))


@cache
def _envelope_pieces(version: str, prefix: str, with_header: bool) -> tuple[bytes, ...]:
    """The bytes lxml writes for an envelope around its Header's blocks (when with_header) and its Body's child."""
    namespace = ENVELOPE_BY_VERSION[version]
    root = envelope(version, [], prefix, [etree.Element(f"{{{namespace}}}Slot")] if with_header else None)
    marker = b"<" + prefix.encode("ascii") + b":Slot/>"
    root[-1].append(etree.Element(f"{{{namespace}}}Slot"))
    return tuple(serialize(root).split(marker))


def envelope_version(tag: str) -> str | None:
    """The SOAP version whose Envelope an element of this Clark name is; None for any other element."""
    return _ENVELOPE_TAGS.get(tag)


_ENVELOPE_TAGS = {f"{{{namespace}}}Envelope": version for version, namespace in ENVELOPE_BY_VERSION.items()}


def open_envelope(root: etree._Element) -> tuple[str, etree._Element] | None:
    """(SOAP version, Body element) when root is a SOAP 1.1 or 1.2 Envelope; None for any other element."""
    version = envelope_version(root.tag)
    if version is None:
        return None
    body = root.find(f"{{{ENVELOPE_BY_VERSION[version]}}}Body")
    if body is None:
        raise XmlError(f"the SOAP {version} Envelope has no Body")
    return version, body


@dataclass(frozen=True)
class Envelope:
    """A request's envelope, its structure checked: its one Header (None when it has none) and its one Body."""

    header: etree._Element | None
    body: etree._Element


def read_envelope(root: etree._Element, version: str) -> Envelope:
    """The Header and Body of root, a SOAP Envelope of that version, once its structure is checked: at most one
    Header, first, then exactly one Body; after the Body, SOAP 1.1 allows namespace-qualified elements (1.1, 4.1.1)
    and SOAP 1.2 nothing (1.2 part 1, 5.1), and neither allows text. A second Header or Body would otherwise be
    read by one layer and missed by another: its mustUnderstand blocks ignored, or its payload not the one served.
    """
    namespace = ENVELOPE_BY_VERSION[version]
    children = list(root.iterchildren(tag=etree.Element))
    header = children[0] if children and children[0].tag == f"{{{namespace}}}Header" else None
    rest = children[1:] if header is not None else children
    if not rest or rest[0].tag != f"{{{namespace}}}Body" or not _may_follow_body(rest[1:], version, namespace):
        raise RequestError(f"the SOAP {version} Envelope must hold {_ALLOWED[version]}; it holds {_names(children)}")
    if (root.text or "").strip() or any((child.tail or "").strip() for child in children):
        raise RequestError(f"the SOAP {version} Envelope holds text; it may hold only elements")
    return Envelope(header, rest[0])


_ALLOWED = {
    "1.1": "at most one Header, then one Body, then only namespace-qualified elements",
    "1.2": "at most one Header, then one Body, and nothing after it",
}


def _may_follow_body(elements: list[etree._Element], version: str, namespace: str) -> bool:
    if version == "1.2":
        return not elements
    return all(element.tag.startswith("{") and not element.tag.startswith(f"{{{namespace}}}") for element in elements)


def _names(elements: list[etree._Element]) -> str:
    """The local names of the first few elements, for a message of bounded length."""
    names = [etree.QName(element).localname[:50] for element in elements[:6]]
    more = ", ..." if len(elements) > 6 else ""
    return (", ".join(names) + more) if names else "nothing"


def fault(version: str, code: str, message: str, detail: etree._Element | None = None) -> etree._Element:
    """A plain SOAP Fault element of that version: code (Client, Sender, VersionMismatch...), a message, a detail."""
    namespace = ENVELOPE_BY_VERSION[version]
    element = etree.Element(f"{{{namespace}}}Fault", nsmap={"soapenv": namespace})
    if version == "1.1":
        etree.SubElement(element, "faultcode").text = f"soapenv:{code}"
        etree.SubElement(element, "faultstring").text = message
        if detail is not None:
            etree.SubElement(element, "detail").append(detail)
        return element
    value = etree.SubElement(etree.SubElement(element, f"{{{namespace}}}Code"), f"{{{namespace}}}Value")
    value.text = f"soapenv:{code}"
    text = etree.SubElement(etree.SubElement(element, f"{{{namespace}}}Reason"), f"{{{namespace}}}Text")
    text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    text.text = message
    if detail is not None:
        etree.SubElement(element, f"{{{namespace}}}Detail").append(detail)
    return element


def fault_status(version: str, client: bool) -> str:
    """The HTTP status of a fault: SOAP 1.2's HTTP binding gives Sender faults 400, everything else is 500."""
    return "400 Bad Request" if version == "1.2" and client else "500 Internal Server Error"
