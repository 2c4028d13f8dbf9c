"""Compare XML documents as trees, after normalising what does not carry meaning."""

from __future__ import annotations

from lxml import etree


def canonical_bytes(element: etree._Element) -> bytes:
    """C14N 2.0 of the element with insignificant whitespace and unused prefixes dropped."""
    text = etree.tostring(element, method="c14n2", strip_text=True)
    return bytes(text)


def assert_xml_equal(actual: etree._Element, expected: etree._Element, label: str = "") -> None:
    """Fail with both documents pretty-printed when the trees differ."""
    if _normalised(actual) == _normalised(expected):
        return
    shown = [etree.tostring(_normalised_tree(e), pretty_print=True).decode() for e in (actual, expected)]
    raise AssertionError(f"{label} XML differs\n--- actual\n{shown[0]}--- expected\n{shown[1]}")


def _normalised(element: etree._Element) -> bytes:
    return canonical_bytes(_normalised_tree(element))


def _normalised_tree(element: etree._Element) -> etree._Element:
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    copy = etree.fromstring(etree.tostring(element), parser)
    etree.cleanup_namespaces(copy)
    return copy
