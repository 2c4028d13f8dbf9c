"""What each SOAP version looks like on the wire: its media type and its envelope.

The gateway, the upstream client and the emulators all write envelopes; they do it here.
"""

from __future__ import annotations

from lxml import etree

from .errors import XmlError
from .namespaces import ENVELOPE_BY_VERSION

#: The media type of each SOAP version, keyed by the version as soapbridge names it.
MEDIA_TYPES = {"1.1": "text/xml", "1.2": "application/soap+xml"}


def content_type(version: str) -> str:
    return f"{MEDIA_TYPES[version]}; charset=utf-8"


def wrap(body: etree._Element, version: str, prefix: str = "soap") -> etree._Element:
    """A new envelope of the given SOAP version holding body (moved, not copied)."""
    namespace = ENVELOPE_BY_VERSION[version]
    envelope = etree.Element(f"{{{namespace}}}Envelope", nsmap={prefix: namespace})
    etree.SubElement(envelope, f"{{{namespace}}}Body").append(body)
    return envelope


def serialize(envelope: etree._Element) -> bytes:
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="utf-8"))


def open_envelope(root: etree._Element) -> tuple[str, etree._Element] | None:
    """(SOAP version, Body element) when root is a SOAP 1.1 or 1.2 Envelope; None for any other element."""
    for version, namespace in ENVELOPE_BY_VERSION.items():
        if root.tag == f"{{{namespace}}}Envelope":
            body = root.find(f"{{{namespace}}}Body")
            if body is None:
                raise XmlError(f"the SOAP {version} Envelope has no Body")
            return version, body
    return None
