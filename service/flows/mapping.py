"""A flow's stylesheets: the adapters' Stylesheet, with the cross-reference callable from XPath.

    xref:lookup('ehr-patient', $patientId, 'crm-customer')        the linked id, or '' when none is
    xref:link('ehr-patient', $patientId, 'crm-customer', $found)  link unless linked; the id linked either way

with xmlns:xref="urn:soapbridge:flows:xref". A mapping that wants no call for an item writes <flow:skip/>, one
that calls several targets writes <flow:requests> around their requests, and one that cannot map the item yet
(an id not linked so far) writes <flow:retry reason="..."/>: the item is tried again later, spending an attempt
(xmlns:flow="urn:soapbridge:flows"). xsl:message terminate="yes" refuses an item for good.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from ..engine.mapping import ACCESS, Stylesheet
from ..errors import MappingError
from .xref import Xref

XREF = "urn:soapbridge:flows:xref"
FLOW = "urn:soapbridge:flows"
SKIP = f"{{{FLOW}}}skip"
REQUESTS = f"{{{FLOW}}}requests"
RETRY = f"{{{FLOW}}}retry"


class NotYet(MappingError):
    """Raised when a mapping says an item cannot be mapped yet (flow:retry): retried, not refused."""


class FlowStylesheet(Stylesheet):
    def __init__(self, path: Path, label: str, xref: Xref) -> None:
        self._xref = xref  # first: Stylesheet compiles at once, with the extension functions
        super().__init__(path, label)

    def _compile(self) -> etree.XSLT:
        functions = {(XREF, "lookup"): self._lookup, (XREF, "link"): self._link}
        try:
            return etree.XSLT(self._document, access_control=ACCESS, extensions=functions)
        except etree.XSLTParseError as exc:
            raise self._error(exc.error_log, str(exc)) from exc

    def _lookup(self, context: Any, kind: Any, id: Any, other: Any) -> str:
        return self._xref.lookup(_text(kind), _text(id), _text(other)) or ""

    def _link(self, context: Any, kind: Any, id: Any, other: Any, other_id: Any) -> str:
        if not _text(id) or not _text(other_id):
            return ""
        return self._xref.link(_text(kind), _text(id), _text(other), _text(other_id))


def requests_of(result: etree._Element, label: str) -> list[etree._Element]:
    """The canonical requests a mapping produced: none for flow:skip, each child of flow:requests, or itself."""
    if result.tag == SKIP:
        return []
    if result.tag == RETRY:
        raise NotYet(f"{label}: not yet: {result.get('reason') or 'the mapping asked to try again'}", stylesheet=label)
    if result.tag == REQUESTS:
        return list(result.iterchildren(tag=etree.Element))
    if not isinstance(result.tag, str):
        raise MappingError(f"{label} produced no element", stylesheet=label)
    return [result]


def _text(value: Any) -> str:
    """An XPath argument as a string: a node-set gives its first node's string value, as XPath's string() does."""
    if isinstance(value, list):
        if not value:
            return ""
        first = value[0]
        return str(first.xpath("string()")) if isinstance(first, etree._Element) else str(first)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
