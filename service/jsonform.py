"""The canonical JSON form, derived from the canonical XSD rather than guessed from instances.

Rules:
- element local names are keys, in the XSD's order; an element that may repeat (maxOccurs > 1)
  is always an array, even with one item, and an empty array when there is none;
- xs:decimal and its derivations are JSON numbers written with exactly the digits the XML had
  (no binary floating point on the way: 12.50 stays 12.50); incoming numbers are read as
  Decimal, so no precision is lost in either direction;
- xs:boolean is a JSON boolean; dates, times and every other simple type are strings;
- absent optional elements are omitted; JSON null is read as absent;
- a number has at most the digits its field's type allows (digits.py), checked before it is written out, and
  a key appears once in an object: anything else is refused, naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from lxml import etree

from .digits import ANY_NUMBER, MAX_LITERAL, DigitBound, bound_of
from .errors import RequestError, ValidationError
from .namespaces import XSD

_NUMERIC = ("decimal", "float", "double")
#: The facets that bound a value or its length, besides pattern and enumeration.
_BOUNDS = (
    "length",
    "minLength",
    "maxLength",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "totalDigits",
    "fractionDigits",
)


@dataclass(frozen=True)
class Declaration:
    """What else the XSD declares about an element, for documents that describe the JSON form (OpenAPI)."""

    min_occurs: int = 1
    #: None for unbounded.
    max_occurs: int | None = 1
    #: The local name of the element's named type; "" for an anonymous one.
    type_name: str = ""
    #: The local name of the XSD primitive type of a simple element (date, dateTime, string...); "" when complex.
    primitive: str = ""
    #: The facets of a simple type and of every type it derives from, the most derived first: name to value,
    #: "pattern" to every pattern of the chain (all of them must match), "enumeration" to the allowed values.
    facets: dict[str, Any] = field(default_factory=dict)
    #: The xs:documentation of the element, and of its named type.
    documentation: str = ""
    type_documentation: str = ""


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
    #: The key as JSON text with its colon, written once here rather than for every element.
    label: str = field(default="", compare=False, repr=False)
    #: A simple element's text to its JSON text (None for a complex element).
    scalar: Callable[[str], str] | None = field(default=None, compare=False, repr=False)
    declared: Declaration = field(default_factory=Declaration, compare=False, repr=False)
    #: The digits a number in this element may have (for a field that is no number, any number's).
    bound: DigitBound = field(default=ANY_NUMBER, compare=False, repr=False)


def load_shapes(xsd: Path) -> dict[str, Shape]:
    """The shape of every top-level element of the XSD, keyed by local name."""
    import xmlschema  # only here, at start-up: the serving path walks the shapes, never the schema

    # Not validated against the meta-schema (half of the build's time): the engine's Contract has compiled the
    # same XSD with lxml before this runs, and refuses an invalid one.
    schema = xmlschema.XMLSchema(str(xsd), allow="sandbox", defuse="always", validation="skip")
    assert schema.meta_schema is not None
    integer = schema.meta_schema.types["integer"]
    return {element.local_name: _shape(element, integer) for element in schema.elements.values()}


def _shape(element: Any, integer: Any) -> Shape:
    xsd_type = element.type
    repeated = element.max_occurs is None or element.max_occurs > 1
    label = json.dumps(element.local_name) + ":"
    declared = _declaration(element)
    if xsd_type.is_simple():
        kind = _kind(xsd_type, integer)
        bound = bound_of(kind, declared.facets)
        scalar = _scalar(kind, bound, element.local_name)
        return Shape(
            element.name, element.local_name, kind, repeated, label=label, scalar=scalar, declared=declared, bound=bound
        )
    children = tuple(_shape(child, integer) for child in xsd_type.content.iter_elements())
    return Shape(
        element.name,
        element.local_name,
        "complex",
        repeated,
        children,
        {c.tag: c for c in children},
        {c.key: c for c in children},
        label,
        declared=declared,
    )


def _declaration(element: Any) -> Declaration:
    xsd_type = element.type
    own = xsd_type.target_namespace != XSD  # the built-in types' annotations are the XSD spec's, not ours
    simple = xsd_type.is_simple()
    return Declaration(
        element.min_occurs,
        element.max_occurs,
        (xsd_type.local_name or "") if own else "",
        (xsd_type.primitive_type.local_name if xsd_type.primitive_type is not None else "string") if simple else "",
        _facets(xsd_type) if simple else {},
        _documentation(element),
        _documentation(xsd_type) if own and xsd_type.name else "",
    )


def _facets(xsd_type: Any) -> dict[str, Any]:
    """The facets of a simple type's whole derivation chain; a derived type's own value wins over its base's."""
    facets: dict[str, Any] = {}
    patterns: list[str] = []
    while xsd_type is not None and hasattr(xsd_type, "facets"):
        for name, facet in xsd_type.facets.items():
            local = name.split("}")[-1] if name else ""
            if local == "pattern":
                patterns.extend(facet.regexps)
            elif local == "enumeration":
                facets.setdefault("enumeration", tuple(facet.enumeration))
            elif local in _BOUNDS:
                facets.setdefault(local, facet.value)
        xsd_type = xsd_type.base_type
    if patterns:
        facets["pattern"] = tuple(patterns)
    return facets


def _documentation(component: Any) -> str:
    annotation = component.annotation
    texts = [(doc.text or "").strip() for doc in annotation.documentation] if annotation is not None else []
    return " ".join(text for text in texts if text)


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
    groups = _children_by_tag(element, shape)
    separator = "{"
    for child_shape in shape.children:
        items = groups.get(child_shape.tag)
        scalar = child_shape.scalar
        if child_shape.repeated:
            out.append(separator + child_shape.label + "[")
            if items is not None:
                _write_items(items, child_shape, out)
            out.append("]")
        elif items is None:
            continue
        elif scalar is not None:  # the commonest case by far, kept free of any further call
            out.append(separator + child_shape.label + scalar(items[0].text or ""))
        else:
            out.append(separator + child_shape.label)
            _write_object(items[0], child_shape, out)
        separator = ","
    out.append("}" if separator == "," else "{}")


def _children_by_tag(element: etree._Element, shape: Shape) -> dict[str, list[etree._Element]]:
    """The element's children grouped by tag; a child the shape does not know is refused."""
    groups: dict[str, list[etree._Element]] = {}
    for child in element.iterchildren(tag=etree.Element):
        items = groups.get(child.tag)
        if items is None:
            groups[child.tag] = [child]
        else:
            items.append(child)
    if not groups.keys() <= shape.by_tag.keys():
        stray = next(tag for tag in groups if tag not in shape.by_tag)
        raise RequestError(f"{etree.QName(stray).localname} is not part of {shape.key}")
    return groups


def _write_items(items: list[etree._Element], shape: Shape, out: list[str]) -> None:
    """The items, comma-separated: objects for a complex shape, else each text through the shape's scalar."""
    scalar = shape.scalar
    if scalar is not None:
        out.append(",".join([scalar(item.text or "") for item in items]))
        return
    for index, item in enumerate(items):
        if index:
            out.append(",")
        _write_object(item, shape, out)


def _boolean(text: str) -> str:
    return "true" if text.strip() in ("true", "1") else "false"


def _number(text: str) -> str:
    return str(Decimal(text.strip()))


def _floating(text: str) -> str:
    text = text.strip()
    return encode_basestring(text) if text in ("INF", "-INF", "NaN") else str(Decimal(text))


_SCALARS: dict[str, Callable[[str], str]] = {
    "string": encode_basestring,  # what json.dumps(text, ensure_ascii=False) calls, without its set-up
    "boolean": _boolean,
    "integer": _number,
    "decimal": _number,
    "float": _floating,
    "double": _floating,
}


def _scalar(kind: str, bound: DigitBound, key: str) -> Callable[[str], str]:
    """The kind's scalar; for a number, one that first refuses a text longer than any value its type allows."""
    write = _SCALARS[kind]
    if write is encode_basestring or write is _boolean:
        return write
    width = bound.width + 32  # whitespace around the digits, and leading or trailing zeros, are allowed

    def bounded(text: str) -> str:
        if len(text) > width and len(text.strip()) > width:
            raise ValidationError(f"{key} has more than {width} characters, more than its type allows", path=key)
        return write(text)

    return bounded


# -- JSON -> XML ------------------------------------------------------------------------------


def parse_json(data: bytes) -> Any:
    """JSON text to Python values, reading numbers as Decimal (never float); a key twice in one object is refused."""
    try:
        return json.loads(data, parse_float=_number_literal, parse_int=_number_literal, object_pairs_hook=_object)
    except RequestError:
        raise
    except (ValueError, RecursionError) as exc:
        raise RequestError(f"the body is not valid JSON: {exc}") from exc


class LongNumber:
    """A JSON number literal too long to be read at all; refused, by its field's name, where it is used."""

    def __init__(self, literal: str) -> None:
        self.length = len(literal)


def _number_literal(literal: str) -> Decimal | LongNumber:
    return Decimal(literal) if len(literal) <= MAX_LITERAL else LongNumber(literal)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's pairs as a dict, unless a key repeats: JSON parsers disagree on which value wins (RFC 8259 4),
    so a gateway and the system behind it could each act on another."""
    value = dict(pairs)
    if len(value) != len(pairs):
        raise RequestError(f"the key {_repeated(pairs)[:100]!r} appears more than once in one object")
    return value


def _repeated(pairs: list[tuple[str, Any]]) -> str:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    return ""


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
        text = _text(value, shape)
        try:
            child.text = text
        except ValueError as exc:  # lxml's word for a control character or a lone surrogate: no XML can carry it
            raise RequestError(f"{shape.key} holds a character that XML cannot carry") from exc


def _text(value: Any, shape: Shape) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, LongNumber):
        raise RequestError(f"{shape.key} is a number of {value.length} characters; at most {MAX_LITERAL} are read")
    if isinstance(value, Decimal | int):
        number = Decimal(value)
        excess = shape.bound.excess(number)
        if excess is not None:  # before format(): 1e99999999 would take 100 million digits
            raise RequestError(f"{shape.key} {excess}")
        if shape.kind == "integer" and number == number.to_integral_value():
            number = number.to_integral_value()  # 3.0 is an integer to JSON (and OpenAPI), but not to xs:integer
        return format(number, "f")
    if isinstance(value, str):
        return value
    raise RequestError(f"{shape.key} must be a {_expected(shape.kind)}, not {type(value).__name__}")


def _expected(kind: str) -> str:
    return "number" if kind in ("integer", "decimal", *_NUMERIC) else "boolean" if kind == "boolean" else "string"
