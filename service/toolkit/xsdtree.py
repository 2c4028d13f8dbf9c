"""The element and type structure behind a WSDL message, as a tree a person can read.

Walks the xmlschema model of the WSDL's schemas (soapbridge.wsdlmodel's SchemaSet.model()).
A complex type already being expanded higher up the same branch is marked recursive; one
already expanded elsewhere in the same tree is marked "as above"; so every tree is finite and
no bigger than the schemas it comes from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from xmlschema.validators import XsdAnyElement, XsdGroup

from ..namespaces import XSD

RECURSIVE = "recursive"
AS_ABOVE = "as above"
UNDEFINED = "not defined in the WSDL's schemas"
#: Past this many values a signature names only how many an enumeration has.
SIGNATURE_VALUES = 5
SOAP_ENCODING = "http://schemas.xmlsoap.org/soap/encoding/"
_FACETS = {
    "length": "length",
    "minLength": "minLength",
    "maxLength": "maxLength",
    "minInclusive": ">=",
    "maxInclusive": "<=",
    "minExclusive": ">",
    "maxExclusive": "<",
    "totalDigits": "totalDigits",
    "fractionDigits": "fractionDigits",
}


@dataclass(frozen=True)
class Node:
    """One element, attribute, model group or wildcard in a message's structure."""

    #: "element", "attribute", "sequence", "choice", "all" or "any".
    kind: str
    name: str
    #: The built-in type a simple value is made of ("string"), or the complex type's name; "" for groups.
    type: str = ""
    #: The declared type's own name when it has one ("char10" for a string restricted to 10 characters).
    type_name: str = ""
    min_occurs: int = 1
    #: None is unbounded.
    max_occurs: int | None = 1
    facets: tuple[str, ...] = ()
    enumeration: tuple[str, ...] = ()
    #: RECURSIVE, AS_ABOVE, UNDEFINED or "".
    note: str = ""
    children: tuple[Node, ...] = ()
    #: An element's or attribute's namespace: its schema's targetNamespace when qualified (global, or
    #: form/elementFormDefault/attributeFormDefault "qualified"), "" when unqualified; what a stylesheet must write.
    namespace: str = ""
    #: Whether the element may be sent empty with xsi:nil="true".
    nillable: bool = False

    @property
    def occurs(self) -> str:
        """[0..1], [1..*], or "" for exactly once."""
        if (self.min_occurs, self.max_occurs) == (1, 1):
            return ""
        return f"[{self.min_occurs}..{'*' if self.max_occurs is None else self.max_occurs}]"

    @property
    def label(self) -> str:
        """The type as a signature shows it: string(maxLength 10, one of A | B)."""
        values = self.enumeration
        choices = f"one of {' | '.join(values)}" if len(values) <= SIGNATURE_VALUES else f"one of {len(values)} values"
        details = [*self.facets, *([choices] if values else [])]
        return f"{self.type}({', '.join(details)})" if details else self.type


@dataclass
class _Walk:
    """The state of one tree's walk: the types on the current branch and those already shown."""

    branch: list[int] = field(default_factory=list)
    shown: set[int] = field(default_factory=set)
    #: Expand a type each time it is met (only recursion is cut), for a tree that is copied, not read.
    repeat: bool = False


def element_tree(model: Any, clark: str, *, repeat: bool = False) -> Node:
    """The tree of the global element clark, or a leaf saying it is not defined; repeat: no "as above"."""
    element = model.maps.elements.get(clark)
    if element is None:
        return Node("element", _local(clark), note=UNDEFINED)
    return _element(element, _Walk(repeat=repeat))


def typed_tree(model: Any, name: str, clark: str, *, repeat: bool = False) -> Node:
    """The tree of an rpc part: name, of the global type clark; repeat: no "as above"."""
    xsd_type = model.maps.types.get(clark)
    if xsd_type is None:
        note = "" if _namespace(clark) in (SOAP_ENCODING, XSD) else UNDEFINED
        return Node("element", name, type=_local(clark), note=note)
    return _typed("element", name, xsd_type, 1, 1, _Walk(repeat=repeat))


def _element(element: Any, walk: _Walk) -> Node:
    node = _typed("element", element.local_name or "", element.type, element.min_occurs, element.max_occurs, walk)
    return _replace(node, namespace=_namespace(element.name or ""), nillable=bool(element.nillable))


def _typed(kind: str, name: str, xsd_type: Any, min_occurs: int, max_occurs: int | None, walk: _Walk) -> Node:
    if xsd_type is None or xsd_type.is_simple():
        return Node(kind, name, min_occurs=min_occurs, max_occurs=max_occurs, **_simple(xsd_type))
    key = id(xsd_type)
    type_name = _local(xsd_type.name) if xsd_type.name else ""
    base = Node(kind, name, type=type_name or "{...}", min_occurs=min_occurs, max_occurs=max_occurs)
    if key in walk.branch:
        return _replace(base, note=RECURSIVE)
    if key in walk.shown and type_name and not walk.repeat:
        return _replace(base, note=AS_ABOVE)
    walk.shown.add(key)
    walk.branch.append(key)
    try:
        return _complex(base, xsd_type, walk)
    finally:
        walk.branch.pop()


def _complex(base: Node, xsd_type: Any, walk: _Walk) -> Node:
    attributes = tuple(_attributes(xsd_type))
    if xsd_type.has_simple_content():
        simple = _simple(xsd_type.content)
        return _replace(base, **{**simple, "type_name": base.type}, children=attributes)
    content = xsd_type.content
    children = tuple(_group_items(content, walk)) if content is not None else ()
    if content is not None and content.model != "sequence" and children:
        children = (_group_node(content, children),)
    return _replace(base, children=attributes + children)


def _group_items(group: Any, walk: _Walk) -> Iterator[Node]:
    """The nodes of a model group; a nested plain sequence is flattened into its parent."""
    for item in group:
        if isinstance(item, XsdGroup):
            nested = tuple(_group_items(item, walk))
            if item.model == "sequence" and (item.min_occurs, item.max_occurs) == (1, 1):
                yield from nested
            elif nested:
                yield _group_node(item, nested)
        elif isinstance(item, XsdAnyElement):
            yield Node("any", "*", type=_wildcard(item), min_occurs=item.min_occurs, max_occurs=item.max_occurs)
        else:
            yield _element(item, walk)


def _group_node(group: Any, children: tuple[Node, ...]) -> Node:
    return Node(group.model, group.model, min_occurs=group.min_occurs, max_occurs=group.max_occurs, children=children)


def _attributes(xsd_type: Any) -> Iterator[Node]:
    for name, attribute in xsd_type.attributes.items():
        if name is None:  # xs:anyAttribute
            yield Node("attribute", "@*", type=_wildcard(attribute), min_occurs=0)
            continue
        required = attribute.use == "required"
        simple = _simple(attribute.type)
        namespace = _namespace(attribute.name or "")  # qualified by attributeFormDefault or form, or not
        yield Node("attribute", f"@{attribute.local_name}", min_occurs=int(required), namespace=namespace, **simple)


def _simple(xsd_type: Any) -> dict[str, Any]:
    """type, type_name, facets and enumeration of a simple type, its restrictions gathered down to a built-in."""
    if xsd_type is None:
        return {"type": "anyType"}
    builtin, enumeration = xsd_type, None
    facets: list[str] = []
    while builtin is not None and _namespace(builtin.name or "") != XSD:
        facets.extend(f for f in _facet_texts(builtin) if f.split()[0] not in {g.split()[0] for g in facets})
        enumeration = enumeration if enumeration is not None else getattr(builtin, "enumeration", None)
        builtin = _derived_from(builtin)
    own_name = _local(xsd_type.name) if xsd_type.name and _namespace(xsd_type.name) != XSD else ""
    return {
        "type": _local(builtin.name) if builtin is not None and builtin.name else _shape(xsd_type),
        "type_name": own_name,
        "facets": tuple(facets),
        "enumeration": tuple(str(value) for value in enumeration or ()),
    }


def _derived_from(xsd_type: Any) -> Any:
    """The next type down a restriction chain; None for a list or union, which _shape describes."""
    if xsd_type.is_list() or xsd_type.is_union():
        return None
    return getattr(xsd_type, "base_type", None)


def _shape(xsd_type: Any) -> str:
    if xsd_type.is_list():
        item = _simple(getattr(xsd_type, "item_type", None))
        return f"list of {item['type']}"
    if xsd_type.is_union():
        return "union of " + " | ".join(_simple(member)["type"] for member in xsd_type.member_types)
    return "anySimpleType"


def _facet_texts(xsd_type: Any) -> Iterable[str]:
    for clark, facet in (getattr(xsd_type, "facets", None) or {}).items():
        local = _local(clark or "")
        if local in _FACETS and getattr(facet, "value", None) is not None:
            yield f"{_FACETS[local]} {facet.value}"
        elif local == "pattern":
            yield "pattern " + " | ".join(str(r) for r in getattr(facet, "regexps", ()))


def _wildcard(wildcard: Any) -> str:
    """What a wildcard admits: "##any", "##other", or the namespaces it lists."""
    namespace = getattr(wildcard, "namespace", None) or "##any"
    listed = [namespace] if isinstance(namespace, str) else sorted(str(item) for item in namespace)
    return "any of " + " ".join(item or "(no namespace)" for item in listed)


def _replace(node: Node, **changes: Any) -> Node:
    return Node(**{**node.__dict__, **changes})


def _namespace(clark: str) -> str:
    return clark[1:].partition("}")[0] if clark.startswith("{") else ""


def _local(clark: str) -> str:
    return clark.rpartition("}")[2]
