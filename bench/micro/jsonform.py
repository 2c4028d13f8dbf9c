"""Canonical XML <-> JSON: soapbridge's walk (soapbridge.jsonform) against xmlschema's to_dict and encode.

Both sides must give the same result, or the timing means nothing. xmlschema matches our JSON form with
its default converter, strip_namespaces, decimals as Decimal and dates as strings, plus one small converter
(`CanonicalConverter`) that adds what the default one leaves out: an empty array for a repeated element
(maxOccurs > 1) that is absent, keys in the XSD's order, and {} for an element with no children. The
result is then written as JSON text with the same rules as ours and compared byte for byte. JSON -> XML
is compared as serialised XML, xmlschema writing the canonical namespace as the default one, like ours.

xmlschema's side is timed without writing the JSON text (to_dict alone) and without validating
(validation="skip": the engine has already validated the response with lxml), which is its cheapest
configuration: the ratio is the least flattering one for us. JSON -> XML is compared after one
normalisation, explained in `xml_text`.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import xmlschema
from lxml import etree

from soapbridge.jsonform import Shape, from_json, load_shapes, parse_json, to_json
from soapbridge.namespaces import CANONICAL

from .documents import ROOT, SIZES, search_response
from .timing import median_us, row

XSD = ROOT / "wsdl" / "canonical" / "soapbridge-v1.xsd"
#: Canonical XML -> JSON must be at least this many times faster than xmlschema's to_dict.
TARGET_RATIO = 20


class CanonicalConverter(xmlschema.XMLSchemaConverter):
    """xmlschema's default converter, completed with what our JSON form adds: [] for an absent repeated
    element, {} for an empty complex element, keys in XSD order."""

    def element_decode(self, data: Any, xsd_element: Any, xsd_type: Any = None, level: int = 0) -> Any:
        result = super().element_decode(data, xsd_element, xsd_type, level)
        xsd_type = xsd_type or xsd_element.type
        if xsd_type.is_simple() or xsd_type.has_simple_content():
            return result
        result = result or {}
        children = [child for child in xsd_type.content.iter_elements()]
        ordered = {}
        for child in children:
            if child.local_name in result:
                ordered[child.local_name] = result[child.local_name]
            elif not child.is_single():
                ordered[child.local_name] = []
        return ordered

    def element_encode(self, obj: Any, xsd_element: Any, level: int = 0) -> Any:
        if isinstance(obj, dict):  # an empty array is no element at all, not one empty element
            obj = {key: value for key, value in obj.items() if value != []}
        return super().element_encode(obj, xsd_element, level)


class Pair:
    """Both implementations, loaded once: soapbridge's shapes and xmlschema's compiled schema."""

    def __init__(self) -> None:
        self.shapes = load_shapes(XSD)
        self.schema = xmlschema.XMLSchema(str(XSD))

    def ours_to_json(self, element: etree._Element) -> str:
        return to_json(element, self.shape(element))

    def theirs_to_dict(self, element: etree._Element, validation: str = "skip") -> Any:
        return self.schema.to_dict(
            element,
            validation=validation,
            converter=CanonicalConverter,
            strip_namespaces=True,
            decimal_type=Decimal,
            datetime_types=False,
        )

    def theirs_to_json(self, element: etree._Element) -> str:
        return dumps(self.theirs_to_dict(element))

    def ours_to_xml(self, value: Any, tag: str) -> etree._Element:
        return from_json(value, self.shapes[etree.QName(tag).localname])

    def theirs_encode(self, value: Any, tag: str) -> Any:
        return self.schema.encode(
            value,
            path=f"cn:{etree.QName(tag).localname}",
            namespaces={"": CANONICAL, "cn": CANONICAL},
            converter=CanonicalConverter,
            validation="skip",
        )

    def shape(self, element: etree._Element) -> Shape:
        return self.shapes[etree.QName(element).localname]


def dumps(value: Any) -> str:
    """JSON text with our form's rules: compact, numbers with their exact digits, non-ASCII kept."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(key)}:{dumps(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if value is None:
        return "{}"  # an element with no content at all
    return json.dumps(value, ensure_ascii=False)


def xml_text(element: Any) -> bytes:
    """An element's serialised form, the canonical namespace as the default one, for comparing what the
    two sides built (xmlschema builds ElementTree elements, we build lxml ones).

    The one normalisation: xmlschema always pretty-prints (a newline before each child, whatever `indent`
    says), so whitespace-only text between elements is dropped; canonical complex types have element-only
    content, where that whitespace means nothing."""
    if isinstance(element, etree._Element):
        return bytes(etree.tostring(element))
    for node in element.iter():
        if len(node) and not (node.text or "").strip():
            node.text = None
        if not (node.tail or "").strip():
            node.tail = None
    return bytes(etree.tostring(etree.fromstring(ElementTree.tostring(element, default_namespace=CANONICAL))))


def mismatches(pair: Pair, elements: list[etree._Element]) -> list[str]:
    """The documents on which the two sides differ, either way; empty when they agree on all."""
    problems = []
    for element in elements:
        name = etree.QName(element).localname
        ours, theirs = pair.ours_to_json(element), pair.theirs_to_json(element)
        if ours != theirs:
            problems.append(f"{name} XML -> JSON:\n  ours   {ours}\n  theirs {theirs}")
            continue
        value = parse_json(ours.encode())
        built, encoded = (
            xml_text(pair.ours_to_xml(value, element.tag)),
            xml_text(pair.theirs_encode(value, element.tag)),
        )
        if built != encoded:
            problems.append(f"{name} JSON -> XML:\n  ours   {built!r}\n  theirs {encoded!r}")
    return problems


def measure(*, quick: bool = False) -> list[dict[str, Any]]:
    """XML -> JSON and JSON -> XML at each size, ours and xmlschema's, with identical output asserted first."""
    pair = Pair()
    runs = 20 if quick else 200
    return [row for label, size in SIZES.items() for row in _measure_size(pair, label, search_response(size), runs)]


def _measure_size(pair: Pair, label: str, element: etree._Element, runs: int) -> list[dict[str, Any]]:
    problems = mismatches(pair, [element])
    assert not problems, "\n".join(problems)
    value = parse_json(pair.ours_to_json(element).encode())
    return [
        *_compare(
            f"XML -> JSON {label}",
            lambda: pair.ours_to_json(element),
            lambda: pair.theirs_to_dict(element),
            runs,
            TARGET_RATIO,
        ),
        *_compare(
            f"JSON -> XML {label}",
            lambda: pair.ours_to_xml(value, element.tag),
            lambda: pair.theirs_encode(value, element.tag),
            runs,
            None,
        ),
    ]


def _compare(
    what: str, ours: Callable[[], Any], theirs: Callable[[], Any], runs: int, target: int | None
) -> list[dict[str, Any]]:
    ours_us = median_us(ours, runs=runs)
    theirs_us = median_us(theirs, runs=max(5, runs // 4))
    ratio = theirs_us / ours_us
    return [
        row(f"jsonform {what} soapbridge", ours_us, "us"),
        row(f"jsonform {what} xmlschema", theirs_us, "us"),
        row(
            f"jsonform {what} speed-up",
            ratio,
            "x",
            f">= {target}x" if target else None,
            ratio >= target if target else None,
        ),
    ]
