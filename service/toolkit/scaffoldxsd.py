"""The scaffold's canonical module, wsdl/canonical/<system>.xsd, and the one line the canonical XSD needs.

The module mirrors each legacy message (scaffoldfields.py) as an Op/OpResponse pair of anonymous types, so
nothing but the two elements is global and no two systems' modules can clash. Each Op says its effect in
<xs:appinfo source="urn:soapbridge:effect">, as the canonical XSD's header asks: "read" when the legacy
operation's name says it only reads (Get..., List..., Search...), else "write", the safe assumption.

The include is added to the canonical XSD as text, after its last include (or its start tag), so its
comments and layout stay as they are; when that place cannot be found the line is printed instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from ..contract import EFFECT_SOURCE
from ..namespaces import XSD
from .scaffoldfields import GROUPS, Field, words

_XS = f"{{{XSD}}}"
#: A legacy operation whose name starts with one of these only reads.
# fmt: off
READ_VERBS = frozenset((
    "get", "list", "search", "find", "read", "query", "lookup", "fetch", "show", "describe", "count", "check",
    "is", "has", "exists", "retrieve", "browse",
))
# fmt: on


@dataclass(frozen=True)
class CanonicalOperation:
    name: str
    legacy: str
    documentation: str
    request: Field
    response: Field

    @property
    def effect(self) -> str:
        first = (words(self.legacy) or [""])[0].lower()
        return "read" if first in READ_VERBS else "write"


def module_text(system: str, source: str, canonical: etree._Element, operations: list[CanonicalOperation]) -> str:
    """The module's text; canonical is the canonical XSD's root, whose prefixes the module uses too."""
    namespace = canonical.get("targetNamespace", "")
    prefixes = {uri: prefix for prefix, uri in canonical.nsmap.items() if prefix}
    schema = etree.Element(
        f"{_XS}schema",
        nsmap={prefixes.get(XSD, "xs"): XSD, prefixes.get(namespace, "cn"): namespace},
        targetNamespace=namespace,
        elementFormDefault="qualified",
    )
    for operation in operations:
        schema.append(_top(operation.request, _request_annotation(system, operation)))
        schema.append(_top(operation.response, None))
    etree.indent(schema)
    body = etree.tostring(schema, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{_header(system, source)}\n{body}\n'


def _header(system: str, source: str) -> str:
    return (
        "<!--\n"
        f"  The canonical operations of {system}, scaffolded by `soapbridge new adapter` from {source}; included by\n"
        "  soapbridge-v1.xsd. Each Op/OpResponse pair mirrors the legacy messages (names in canonical style, types\n"
        "  the XSD built-ins they derive from). Rename the operations and fields, tighten the types; then the\n"
        "  stylesheets and golden samples under xslt/" + system + "/ follow. Each Op says its effect (read or write)\n"
        "  in xs:appinfo; it was guessed from the legacy operation's name: check it.\n"
        "-->"
    )


def _request_annotation(system: str, operation: CanonicalOperation) -> etree._Element:
    annotation = etree.Element(f"{_XS}annotation")
    documentation = operation.documentation or f"{system}'s {operation.legacy}."
    etree.SubElement(annotation, f"{_XS}documentation").text = documentation
    etree.SubElement(annotation, f"{_XS}appinfo", source=EFFECT_SOURCE).text = operation.effect
    return annotation


def _top(item: Field, annotation: etree._Element | None) -> etree._Element:
    element = etree.Element(f"{_XS}element", name=item.name)
    if annotation is not None:
        element.append(annotation)
    element.append(_complex(item))
    return element


def _complex(item: Field) -> etree._Element:
    complex_type = etree.Element(f"{_XS}complexType")
    if len(item.children) == 1 and item.children[0].kind == "all":  # xs:all is only ever a type's whole content
        complex_type.append(_particle(item.children[0]))
        return complex_type
    sequence = etree.SubElement(complex_type, f"{_XS}sequence")
    sequence.extend(_particle(child) for child in item.children)
    return complex_type


def _particle(item: Field) -> etree._Element:
    if item.kind in GROUPS:
        group = etree.Element(f"{_XS}{item.kind}")
        group.extend(_particle(child) for child in item.children)
    else:
        group = etree.Element(f"{_XS}element", name=item.name)
        if item.leaf:
            group.set("type", etree.QName(XSD, item.type))
        else:
            group.append(_complex(item))
    if item.min_occurs != 1:
        group.set("minOccurs", str(item.min_occurs))
    if item.max_occurs != 1:
        group.set("maxOccurs", "unbounded" if item.max_occurs is None else str(item.max_occurs))
    return group


def include_line(root: etree._Element, module: str) -> str:
    """The include the canonical XSD needs, with the prefix it gives the XSD namespace."""
    prefix = root.prefix
    return f'<{prefix + ":" if prefix else ""}include schemaLocation="{module}"/>'


def with_include(text: str, root: etree._Element, line: str) -> str | None:
    """The canonical XSD's text with line after its last include, else after its start tag; None if not found."""
    prefix = f"{root.prefix}:" if root.prefix else ""
    includes = list(re.finditer(rf"<{prefix}include\b[^>]*/>", text))
    if includes:
        at = includes[-1].end()
    else:
        start = re.search(rf"<{prefix}schema\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", text)
        if start is None:
            return None
        at = start.end()
    return f"{text[:at]}\n\n  {line}{text[at:]}"
