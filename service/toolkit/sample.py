"""Schema-valid sample messages, generated from a WSDL's types, for the mock's default answers.

The xmlschema model is walked from the message's parts: required elements once, optional ones
once down to a depth limit, recursion cut where a type repeats, the first option of a choice,
required attributes. Simple values are plausible candidates checked with the type's own
is_valid, so facets (enumerations, ranges, lengths, simple patterns) hold. A sample is checked
with libxml2 too; when the rich one fails, the minimal one (no optional parts) is used.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..namespaces import XSD, XSI
from ..wsdlmodel import Message, Part, Wsdl, check_message
from ..xmlcheck import Problem
from .samplevalues import simple_value

#: How deep optional elements are still filled in, counted from the part's element.
OPTIONAL_DEPTH = 6
#: Required elements past this depth are left empty: only a schema that cannot be satisfied gets here.
MAX_DEPTH = 40
#: The namespace of an element made up for a wildcard (xs:any) that must be filled.
WILDCARD_NAMESPACE = "urn:soapbridge:sample"


def sample_body(wsdl: Wsdl, message: Message) -> tuple[list[etree._Element], list[Problem]]:
    """The Body children of a sample of message, and what libxml2 finds wrong with it ([] normally)."""
    problems: list[Problem] = []
    for optional in (True, False):
        children = _Sampler(wsdl.schemas.model(), optional).message(message)
        problems = check_message(wsdl, message, children)
        if not problems:
            break
    return children, problems


class _Sampler:
    def __init__(self, schema: Any, optional: bool) -> None:
        self.schema = schema
        self.optional = optional

    def message(self, message: Message) -> list[etree._Element]:
        if message.wrapper is None:
            return [self.part(part) for part in message.parts]
        wrapper = etree.Element(message.wrapper, nsmap=_prefixes(message.wrapper))
        wrapper.extend(self.part(part) for part in message.parts)
        return [wrapper]

    def part(self, part: Part) -> etree._Element:
        if part.element is not None:
            declaration = self.schema.maps.elements.get(part.element)
            if declaration is not None:
                return self.element(declaration, 0, ())
            return etree.Element(part.element, nsmap=_prefixes(part.element))
        node = etree.Element(part.name)
        xsd_type = self.schema.maps.types.get(part.type or f"{{{XSD}}}anyType")
        if xsd_type is not None:
            self.fill(node, xsd_type, 0, ())
        return node

    def element(self, declaration: Any, depth: int, seen: tuple[int, ...]) -> etree._Element:
        declaration = self._concrete(declaration)
        node = etree.Element(declaration.name, nsmap=_prefixes(declaration.name) if depth == 0 else None)
        if declaration.fixed is not None:
            node.text = declaration.fixed
        else:
            self.fill(node, declaration.type, depth, seen)
        return node

    def fill(self, node: etree._Element, xsd_type: Any, depth: int, seen: tuple[int, ...]) -> None:
        if xsd_type.is_simple():
            node.text = simple_value(xsd_type)
            return
        xsd_type = self._instantiable(node, xsd_type)
        self.attributes(node, xsd_type)
        if xsd_type.has_simple_content():
            node.text = simple_value(xsd_type.content)
        elif depth < MAX_DEPTH and xsd_type.content is not None and not xsd_type.is_empty():
            self.group(node, xsd_type.content, depth + 1, (*seen, id(xsd_type)))

    def attributes(self, node: etree._Element, xsd_type: Any) -> None:
        for name, attribute in xsd_type.attributes.items():
            if name is None or attribute.use != "required":
                continue
            value = attribute.fixed if attribute.fixed is not None else attribute.default
            node.set(name, value if value is not None else simple_value(attribute.type))

    def group(self, node: etree._Element, group: Any, depth: int, seen: tuple[int, ...]) -> None:
        particles = list(group)
        if group.model == "choice":
            particles = self._option(particles, seen)
        for particle in particles:
            for _ in range(self._count(particle, depth, seen)):
                self.particle(node, particle, depth, seen)

    def particle(self, node: etree._Element, particle: Any, depth: int, seen: tuple[int, ...]) -> None:
        kind = type(particle).__name__
        if kind == "XsdGroup":
            self.group(node, particle, depth, seen)
        elif kind == "XsdAnyElement":
            node.append(self.wildcard(particle, depth, seen))
        else:
            node.append(self.element(particle, depth, seen))

    def wildcard(self, wildcard: Any, depth: int, seen: tuple[int, ...]) -> etree._Element:
        """An element a wildcard accepts: a declared one when it must be checked, else a made-up one."""
        if wildcard.process_contents == "strict":
            declared = next(
                (
                    e
                    for name, e in self.schema.maps.elements.items()
                    if _own(name) and wildcard.is_matching(name) and id(e.type) not in seen
                ),
                None,
            )
            if declared is not None:
                return self.element(declared, depth, seen)
        namespace = _wildcard_namespace(wildcard)
        return etree.Element(f"{{{namespace}}}sample" if namespace else "sample")

    def _count(self, particle: Any, depth: int, seen: tuple[int, ...]) -> int:
        if particle.min_occurs > 0:
            return int(particle.min_occurs)
        if not self.optional or depth > OPTIONAL_DEPTH or _recursive(particle, seen):
            return 0
        return 1 if type(particle).__name__ != "XsdAnyElement" else 0

    def _option(self, particles: list[Any], seen: tuple[int, ...]) -> list[Any]:
        """The first option of a choice that does not recurse; a choice of nothing holds nothing."""
        for particle in particles:
            if not _recursive(particle, seen):
                return [particle]
        return particles[:1]

    def _concrete(self, declaration: Any) -> Any:
        """An abstract element stands for a member of its substitution group."""
        if not declaration.abstract:
            return declaration
        members = self.schema.maps.substitution_groups.get(declaration.name, ())
        return next((member for member in members if not member.abstract), declaration)

    def _instantiable(self, node: etree._Element, xsd_type: Any) -> Any:
        """An abstract type is replaced by a concrete type derived from it, named with xsi:type."""
        if not getattr(xsd_type, "abstract", False):
            return xsd_type
        for name, candidate in self.schema.maps.types.items():
            if candidate.is_complex() and not candidate.abstract and candidate.is_derived(xsd_type):
                namespace, _, local = name[1:].partition("}")
                prefix = _prefix_for(node, namespace)
                node.set(f"{{{XSI}}}type", f"{prefix}:{local}" if prefix else local)
                return candidate
        return xsd_type


def _recursive(particle: Any, seen: tuple[int, ...]) -> bool:
    xsd_type = getattr(particle, "type", None)
    return xsd_type is not None and id(xsd_type) in seen


def _own(name: str) -> bool:
    """A component of the WSDL's schemas, not of the XSD meta-schema the model also holds."""
    return not name.startswith(f"{{{XSD}}}")


def _wildcard_namespace(wildcard: Any) -> str:
    for namespace in wildcard.namespace:
        if namespace in ("##any", "##other"):
            return WILDCARD_NAMESPACE
        if namespace == "##local":
            return ""
        if namespace == "##targetNamespace":
            return str(wildcard.target_namespace)
        return str(namespace)
    return WILDCARD_NAMESPACE


def _prefixes(clark: str) -> dict[str | None, str] | None:
    """A named prefix for the top element's namespace: a default namespace would capture unqualified children."""
    namespace = etree.QName(clark).namespace
    return {"m": namespace} if namespace else None


def _prefix_for(node: etree._Element, namespace: str) -> str | None:
    if not namespace:
        return None
    for prefix, uri in node.nsmap.items():
        if uri == namespace and prefix:
            return str(prefix)
    prefix = f"t{len(node.nsmap)}"
    etree.cleanup_namespaces(node, top_nsmap={prefix: namespace}, keep_ns_prefixes=[prefix])
    return prefix
