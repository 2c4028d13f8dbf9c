"""Compare XML documents as trees, after normalising what carries no meaning.

Two documents are the same when their C14N 2.0 forms agree once whitespace-only text and
unused namespace declarations are dropped: attribute order, quoting, empty-element syntax,
indentation and comments do not count. When they differ, first_difference names the first
element where they part, by its path, in one line.
"""

from __future__ import annotations

from lxml import etree

from ..xmlcheck import element_path
from ..xmlparse import make_parser


def normalised(element: etree._Element) -> etree._Element:
    """A copy of element without whitespace-only text and without namespace declarations nothing uses."""
    copy = etree.fromstring(etree.tostring(element), make_parser(remove_blank_text=True))
    etree.cleanup_namespaces(copy)
    return copy


def canonical_bytes(element: etree._Element) -> bytes:
    """C14N 2.0 of the normalised element, with leading and trailing whitespace of text stripped."""
    return bytes(etree.tostring(normalised(element), method="c14n2", strip_text=True, with_comments=False))


def same_xml(actual: etree._Element, expected: etree._Element) -> bool:
    return canonical_bytes(actual) == canonical_bytes(expected)


def first_difference(actual: etree._Element, expected: etree._Element) -> str | None:
    """Where and how actual first departs from expected, in one line; None when they are the same."""
    if same_xml(actual, expected):
        return None
    found = _compare(normalised(actual), normalised(expected))
    return found or "the same elements and text, but different namespace prefixes or declarations"


def _compare(actual: etree._Element, expected: etree._Element) -> str | None:
    path = element_path(actual)
    if actual.tag != expected.tag:
        return f"{path}: expected element {_name(expected.tag)}, got {_name(actual.tag)}"
    if dict(actual.attrib) != dict(expected.attrib):
        return f"{path}: expected attributes {_attributes(expected)}, got {_attributes(actual)}"
    if _text(actual) != _text(expected):
        return f"{path}: expected text {_text(expected)!r}, got {_text(actual)!r}"
    actual_children, expected_children = _children(actual), _children(expected)
    for mine, theirs in zip(actual_children, expected_children, strict=False):
        found = _compare(mine, theirs)
        if found:
            return found
    if len(actual_children) != len(expected_children):
        return f"{path}: expected {_counted(expected_children)}, got {_counted(actual_children)}"
    return None


def _children(element: etree._Element) -> list[etree._Element]:
    return list(element.iterchildren(tag=etree.Element))


def _text(element: etree._Element) -> str:
    """The element's own text, including the tails of its children, stripped as C14N strip_text does."""
    parts = [element.text, *(child.tail for child in element)]
    return "".join((part or "").strip() for part in parts)


def _name(tag: str) -> str:
    qname = etree.QName(tag)
    return f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else qname.localname


def _attributes(element: etree._Element) -> str:
    return "{" + ", ".join(f"{_name(k)}={v!r}" for k, v in sorted(element.attrib.items())) + "}"


def _counted(children: list[etree._Element]) -> str:
    names = [etree.QName(child).localname for child in children]
    return f"{len(names)} child elements ({', '.join(names) or 'none'})"
