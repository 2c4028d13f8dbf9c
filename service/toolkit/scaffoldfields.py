"""A legacy message as the scaffold sees it: fields to map, and the canonical mirror of them.

The legacy side is read from the WSDL's schemas by xsdtree (the same walk `soapbridge wsdl` shows), every
type expanded where it is used. The canonical mirror has the same nesting with canonical-style names
(camelCase, in the canonical namespace, every element qualified), elements only: a legacy attribute, or
the text of an element that also has attributes, becomes a child element, since the canonical JSON form
knows only elements. What cannot be mirrored (wildcards, recursion) is left out of the canonical side and
named in the stylesheets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .xsdtree import RECURSIVE, Node

#: XSD built-in types a canonical leaf may keep; any other (a list, a union, QName, ID) becomes xs:string.
# fmt: off
BUILTINS = frozenset((
    "string", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN", "boolean", "decimal",
    "integer", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
    "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte", "float", "double",
    "duration", "dateTime", "time", "date", "gYearMonth", "gYear", "gMonthDay", "gDay", "gMonth", "hexBinary",
    "base64Binary", "anyURI",
))
# fmt: on
_SIMPLE_SHAPES = ("list of ", "union of ")
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
#: The text of an element with attributes, as a canonical field.
TEXT_NAME = "value"


@dataclass(eq=False)
class Field:
    """An element, attribute or element text of a message (kind "element", "attribute", "text"), or a model
    group ("sequence", "choice", "all") holding fields; compared by identity."""

    kind: str
    name: str
    namespace: str = ""
    #: The built-in type of a leaf's value; "" for a complex element or a group.
    type: str = ""
    min_occurs: int = 1
    max_occurs: int | None = 1
    children: list[Field] = field(default_factory=list)
    #: Why the field cannot be mapped ("a wildcard", "recursive"); "" when it can.
    unmappable: str = ""
    #: For a canonical field, the legacy field it mirrors.
    origin: Field | None = None
    #: Whether the legacy element may come as xsi:nil="true" (WCF's data contracts mostly may).
    nillable: bool = False

    @property
    def leaf(self) -> bool:
        return self.kind in ("attribute", "text") or (self.kind == "element" and bool(self.type))

    @property
    def single(self) -> bool:
        return (self.min_occurs, self.max_occurs) == (1, 1)

    def members(self) -> list[Field]:
        """The elements, attributes and text directly inside, model groups looked through."""
        found: list[Field] = []
        for child in self.children:
            found.extend(child.members() if child.kind in GROUPS else [child])
        return found


GROUPS = ("sequence", "choice", "all")


def legacy_field(node: Node) -> Field:
    """The fields of an xsdtree node."""
    if node.kind == "any":
        return Field("element", "*", min_occurs=node.min_occurs, max_occurs=node.max_occurs, unmappable="a wildcard")
    if node.kind == "attribute":
        name = node.name.lstrip("@")
        kind, namespace, problem = "attribute", node.namespace, _attribute_problem(name)
        return Field(kind, name, namespace, _builtin(node.type), node.min_occurs, 1, [], problem)
    if node.kind in GROUPS:
        return Field(node.kind, "", "", "", node.min_occurs, node.max_occurs, [legacy_field(c) for c in node.children])
    found = Field("element", node.name, node.namespace, "", node.min_occurs, node.max_occurs, nillable=node.nillable)
    if node.note:
        found.unmappable = "recursive" if node.note == RECURSIVE else node.note
    elif _is_simple(node):
        found.type = _builtin(node.type)
        if node.children:  # simple content with attributes: the text becomes a field of its own
            found.children = [legacy_field(c) for c in node.children]
            found.children.append(Field("text", TEXT_NAME, type=found.type))
            found.type = ""
    else:
        found.children = [legacy_field(c) for c in node.children]
    return found


def canonical_mirror(legacy: Field, namespace: str) -> list[Field]:
    """The canonical fields standing for what legacy holds (for a leaf: the leaf itself)."""
    if legacy.leaf:
        return _mirrored([legacy], namespace)
    return _mirrored(legacy.children, namespace)


def _mirrored(fields: list[Field], namespace: str) -> list[Field]:
    taken: set[str] = set()
    return [mirror for legacy in fields if (mirror := _mirror(legacy, namespace, taken)) is not None]


def _mirror(legacy: Field, namespace: str, taken: set[str]) -> Field | None:
    if legacy.unmappable:
        return None
    if legacy.kind in GROUPS:
        children = [m for child in legacy.children if (m := _mirror(child, namespace, taken)) is not None]
        if not children:
            return None
        return Field(legacy.kind, "", "", "", legacy.min_occurs, legacy.max_occurs, children, origin=legacy)
    name = _unique(camel_case(legacy.name), taken)
    mirror = Field("element", name, namespace, legacy.type, legacy.min_occurs, legacy.max_occurs, origin=legacy)
    if not legacy.leaf:
        mirror.children = _mirrored(legacy.children, namespace)
    return mirror


def _unique(name: str, taken: set[str]) -> str:
    """name, or name2, name3...: sibling elements of one content model need names of their own."""
    unique, number = name, 1
    while unique in taken:
        number += 1
        unique = f"{name}{number}"
    taken.add(unique)
    return unique


def words(name: str) -> list[str]:
    return _WORDS.findall(name)


def camel_case(name: str) -> str:
    """CountryName, COUNTRY_NAME and country-name all read countryName."""
    parts = words(name) or ["field"]
    text = parts[0].lower() + "".join(part.capitalize() for part in parts[1:])
    return text if text[0].isalpha() else f"f{text}"


def pascal_case(name: str) -> str:
    """getAccountInvoices reads GetAccountInvoices; Z_CRM_CUSTOMER_READ reads ZCrmCustomerRead."""
    text = camel_case(name)
    return text[0].upper() + text[1:]


def matching_key(name: str) -> str:
    """What two names are compared by: neither case nor underscores, hyphens or dots count."""
    return re.sub(r"[_.\-]", "", name).lower()


def _is_simple(node: Node) -> bool:
    if node.note or node.type == "{...}":
        return False
    return node.type in BUILTINS or node.type.startswith(_SIMPLE_SHAPES) or node.type in ("anySimpleType", "anyType")


def _builtin(type_name: str) -> str:
    return type_name if type_name in BUILTINS else "string"


def _attribute_problem(name: str) -> str:
    return "an attribute wildcard" if name == "*" else ""
