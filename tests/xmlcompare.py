"""Compare XML documents as trees in tests: soapbridge.toolkit.xmldiff's comparison, as an assertion."""

from __future__ import annotations

from lxml import etree

from soapbridge.toolkit.xmldiff import first_difference, normalised


def assert_xml_equal(actual: etree._Element, expected: etree._Element, label: str = "") -> None:
    """Fail with the first difference and both documents pretty-printed when the trees differ."""
    difference = first_difference(actual, expected)
    if difference is None:
        return
    shown = [etree.tostring(normalised(e), pretty_print=True).decode() for e in (actual, expected)]
    raise AssertionError(f"{label} XML differs: {difference}\n--- actual\n{shown[0]}--- expected\n{shown[1]}")
