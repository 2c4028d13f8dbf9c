"""The one hardened way soapbridge parses XML: messages, WSDLs, schemas and stylesheets.

No DTD is loaded or honoured, no entity is resolved, nothing is fetched from the network,
and a document that carries a DOCTYPE is refused outright (SOAP 1.2 and WS-I BP R1008
forbid DTDs in messages; we apply the same rule to every file we read).
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from .errors import XmlError


def make_parser(*, remove_blank_text: bool = False) -> etree.XMLParser:
    """A new parser with every dangerous feature off. Parsers are not thread-safe: make one per use."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=remove_blank_text,
        remove_pis=True,
    )


def parse_bytes(data: bytes, *, what: str = "document", base_url: str | None = None) -> etree._Element:
    """Parse a whole document held in memory and return its root element.

    base_url is where the document came from, so that relative references in it resolve beside it.
    """
    if not data or not data.strip():
        raise XmlError(f"the {what} is empty")
    try:
        root = etree.fromstring(data, make_parser(), base_url=base_url)
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"the {what} is not well-formed XML: {_reason(exc)}", sourceline=exc.lineno) from exc
    _refuse_doctype(root.getroottree(), what)
    return root


def parse_file(path: Path, *, what: str | None = None) -> etree._ElementTree:
    """Parse a local file; its base URL is kept so that relative imports resolve beside it."""
    label = what or str(path)
    try:
        tree = etree.parse(str(path), make_parser())
    except OSError as exc:
        raise XmlError(f"cannot read {label}: {exc.strerror or exc}") from exc
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"{label} is not well-formed XML: {_reason(exc)}", sourceline=exc.lineno) from exc
    _refuse_doctype(tree, label)
    return tree


def _refuse_doctype(tree: etree._ElementTree, what: str) -> None:
    if tree.docinfo.internalDTD is not None:
        raise XmlError(f"the {what} carries a DOCTYPE; DTDs are not accepted")


def _reason(exc: etree.XMLSyntaxError) -> str:
    """libxml2's message without its file name and error codes."""
    message = (exc.msg or "malformed").split(", line ")[0]
    return message.strip()
