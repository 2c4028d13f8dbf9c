"""The canonical JSON form, derived from the canonical XSD rather than guessed from instances.

Rules:
- element local names are keys, in the XSD's order; an element that may repeat (maxOccurs > 1)
  is always an array, even with one item, and an empty array when there is none;
- xs:decimal and its derivations are JSON numbers written with exactly the digits the XML had
  (no binary floating point on the way: 12.50 stays 12.50); incoming numbers are read as
  Decimal, so no precision is lost in either direction;
- xs:boolean is a JSON boolean; dates, times and every other simple type are strings;
- absent optional elements are omitted; JSON null is read as absent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import xmlschema
from lxml import etree

from .errors import RequestError

_NUMERIC = ("decimal", "float", "double")


@dataclass(frozen=True)
class Shape:
    """What the XSD says about one element: how to write it as JSON and read it back."""

    tag: str
    key: str
    kind: str  # "complex", "integer", "decimal", "float", "boolean" or "string"
    repeated: bool = False
    children: tuple[Shape, ...] = ()
    by_tag: dict[str, Shape] = field(default_factory=dict, compare=False, repr=False)
    by_key: dict[str, Shape] = field(default_factory=dict, compare=False, repr=False)


def load_shapes(xsd: Path) -> dict[str, Shape]:
    """The shape of every top-level element of the XSD, keyed by local name."""
    schema = xmlschema.XMLSchema(str(xsd), allow="sandbox", defuse="always")
    assert schema.meta_schema is not None
    integer = schema.meta_schema.types["integer"]
    return {element.local_name: _shape(element, integer) for element in schema.elements.values()}


def _shape(element: Any, integer: Any) -> Shape:
    xsd_type = element.type
    repeated = element.max_occurs is None or element.max_occurs > 1
    if xsd_type.is_simple():
        return Shape(element.name, element.local_name, _kind(xsd_type, integer), repeated)
    children = tuple(_shape(child, integer) for child in xsd_type.content.iter_elements())
    return Shape(
        element.name,
        element.local_name,
        "complex",
        repeated,
        children,
        {c.tag: c for c in children},
        {c.key: c for c in children},
    )


def _kind(xsd_type: Any, integer: Any) -> str:
    primitive = xsd_type.primitive_type.local_name if xsd_type.primitive_type is not None else "string"
    if primitive == "decimal" and (xsd_type is integer or xsd_type.is_derived(integer)):
        return "integer"
    return primitive if primitive in (*_NUMERIC, "boolean") else "string"


# -- XML -> JSON ------------------------------------------------------------------------------


def to_json(element: etree._Element, shape: Shape) -> str:
    """The JSON text of a (valid) canonical element: an object of its children."""
    parts: list[str] = []
    _write_object(element, shape, parts)
    return "".join(parts)


def _write_object(element: etree._Element, shape: Shape, out: list[str]) -> None:
    groups: dict[str, list[etree._Element]] = {}
    for child in element.iterchildren(tag=etree.Element):
        groups.setdefault(child.tag, []).append(child)
    stray = next((tag for tag in groups if tag not in shape.by_tag), None)
    if stray is not None:
        raise RequestError(f"{etree.QName(stray).localname} is not part of {shape.key}")
    written = 0
    out.append("{")
    for child_shape in shape.children:
        items = groups.get(child_shape.tag, [])
        if items or child_shape.repeated:
            out.append(("," if written else "") + json.dumps(child_shape.key) + ":")
            _write_value(items, child_shape, out)
            written += 1
    out.append("}")


def _write_value(items: list[etree._Element], shape: Shape, out: list[str]) -> None:
    if shape.repeated:
        out.append("[")
        for index, item in enumerate(items):
            out.append("," if index else "")
            _write_one(item, shape, out)
        out.append("]")
    else:
        _write_one(items[0], shape, out)


def _write_one(element: etree._Element, shape: Shape, out: list[str]) -> None:
    if shape.kind == "complex":
        _write_object(element, shape, out)
    else:
        out.append(_scalar(element.text or "", shape.kind))


def _scalar(text: str, kind: str) -> str:
    text = text.strip() if kind != "string" else text
    if kind == "boolean":
        return "true" if text in ("true", "1") else "false"
    if kind in ("integer", "decimal"):
        return str(Decimal(text))
    if kind in ("float", "double") and text not in ("INF", "-INF", "NaN"):
        return str(Decimal(text))
    return json.dumps(text, ensure_ascii=False)


# -- JSON -> XML ------------------------------------------------------------------------------


def parse_json(data: bytes) -> Any:
    """JSON text to Python values, reading numbers as Decimal (never float)."""
    try:
        return json.loads(data, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        raise RequestError(f"the body is not valid JSON: {exc}") from exc


def from_json(value: Any, shape: Shape) -> etree._Element:
    """A canonical element built from a JSON object, in the order the XSD requires."""
    if not isinstance(value, dict):
        raise RequestError(f"{shape.key} must be a JSON object")
    element = etree.Element(shape.tag, nsmap={None: etree.QName(shape.tag).namespace})
    _fill(element, value, shape)
    return element


def _fill(element: etree._Element, value: dict[str, Any], shape: Shape) -> None:
    unknown = sorted(set(value) - set(shape.by_key))
    if unknown:
        raise RequestError(f"{shape.key} has no field {unknown[0]!r}; expected: {', '.join(shape.by_key)}")
    for child in shape.children:
        items = value.get(child.key)
        if items is None:
            continue
        for item in items if isinstance(items, list) and child.repeated else [items]:
            _append(element, item, child)


def _append(parent: etree._Element, value: Any, shape: Shape) -> None:
    if value is None:
        return
    child = etree.SubElement(parent, shape.tag)
    if shape.kind == "complex":
        if not isinstance(value, dict):
            raise RequestError(f"{shape.key} must be a JSON object")
        _fill(child, value, shape)
    else:
        child.text = _text(value, shape)


def _text(value: Any, shape: Shape) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int):
        return format(Decimal(value), "f")
    if isinstance(value, str):
        return value
    raise RequestError(f"{shape.key} must be a {_expected(shape.kind)}, not {type(value).__name__}")


def _expected(kind: str) -> str:
    return "number" if kind in ("integer", "decimal", *_NUMERIC) else "boolean" if kind == "boolean" else "string"
