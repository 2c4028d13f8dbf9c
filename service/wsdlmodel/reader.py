"""WSDL 1.1 definitions (already loaded) read into the model: a binding is where it all meets.

service/port --> binding --> portType operation --> message --> parts (elements or types)
                    \\--> soap:operation (soapAction, style), soap:body (use, namespace, parts)
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from ..errors import WsdlError
from ..namespaces import WSDL11, WSDL_SOAP11, WSDL_SOAP12
from .model import Binding, BindingOperation, Message, Part, Port, Service

WSDL_HTTP = "http://schemas.xmlsoap.org/wsdl/http/"
_PROTOCOLS = {WSDL_SOAP11: "soap11", WSDL_SOAP12: "soap12", WSDL_HTTP: "http"}


class Definitions:
    """The named components of every loaded WSDL document, looked up by Clark name."""

    def __init__(self, documents: Iterable[tuple[str, etree._Element]]) -> None:
        self.locations: dict[str, str] = {}
        #: What is wrong but not fatal (a fault or header message nobody defines), in words.
        self.warnings: list[str] = []
        self.components: dict[str, dict[str, etree._Element]] = {
            kind: {} for kind in ("message", "portType", "binding", "service")
        }
        for url, root in documents:
            namespace = root.get("targetNamespace", "")
            for kind, table in self.components.items():
                for element in root.iterchildren(f"{{{WSDL11}}}{kind}"):
                    table[f"{{{namespace}}}{element.get('name', '')}"] = element
                    self.locations[f"{{{namespace}}}{element.get('name', '')}"] = url

    def has(self, kind: str, reference: etree._Element, where: str) -> bool:
        """Whether reference's message is defined; a missing fault or header message is noted, not fatal."""
        name = qualified(reference, kind)
        if name in self.components[kind]:
            return True
        self.warnings.append(f"{where}: {_what(reference)} refers to {kind} {_shown(name)}, which is not defined")
        return False

    def get(self, kind: str, reference: etree._Element, attribute: str) -> etree._Element:
        name = qualified(reference, attribute)
        found = self.components[kind].get(name)
        if found is None:
            found = self._by_local_name(kind, name, reference)
        if found is None:
            raise WsdlError(
                f"{_what(reference)} refers to {kind} {_shown(name)}, which no loaded WSDL defines",
                sourceline=reference.sourceline,
            )
        return found

    def name_of(self, kind: str, component: etree._Element) -> str:
        """The Clark name under which component is defined."""
        return next(name for name, element in self.components[kind].items() if element is component)

    def _by_local_name(self, kind: str, name: str, reference: etree._Element) -> etree._Element | None:
        """The one component of that local name in another namespace: a common slip that most stacks forgive."""
        local = name.partition("}")[2]
        matches = [key for key in self.components[kind] if key.partition("}")[2] == local]
        if len(matches) != 1:
            return None
        self.warnings.append(
            f"{_what(reference)} refers to {kind} {_shown(name)}, which is not defined; using {_shown(matches[0])}"
        )
        return self.components[kind][matches[0]]


def read_services(definitions: Definitions) -> tuple[tuple[Service, ...], tuple[Binding, ...]]:
    bindings = {name: read_binding(definitions, element) for name, element in definitions.components["binding"].items()}
    services = tuple(
        Service(element.get("name", ""), tuple(_ports(definitions, element, bindings)))
        for element in definitions.components["service"].values()
    )
    return services, tuple(bindings.values())


def _ports(definitions: Definitions, service: etree._Element, bindings: dict[str, Binding]) -> Iterable[Port]:
    for port in service.iterchildren(f"{{{WSDL11}}}port"):
        # An undefined binding is an error, named; one found by its local name only is a warning.
        binding = definitions.get("binding", port, "binding")
        address = next((child.get("location") for child in port if _is_extension(child, "address")), None)
        yield Port(port.get("name", ""), bindings[definitions.name_of("binding", binding)], address)


def read_binding(definitions: Definitions, binding: etree._Element) -> Binding:
    port_type = definitions.get("portType", binding, "type")
    extension = next((child for child in binding if _is_extension(child, "binding")), None)
    namespace = etree.QName(extension).namespace if extension is not None else ""
    style = extension.get("style", "document") if extension is not None else "document"
    operations = tuple(
        _operation(definitions, operation, port_type, style)
        for operation in binding.iterchildren(f"{{{WSDL11}}}operation")
        if _abstract(definitions, operation, port_type) is not None
    )
    return Binding(
        name=f"{{{_target(binding)}}}{binding.get('name', '')}",
        port_type=qualified(binding, "type"),
        protocol=_PROTOCOLS.get(namespace or "", namespace or "none"),
        transport=extension.get("transport", "") if extension is not None else "",
        style=style,
        operations=operations,
    )


def _operation(
    definitions: Definitions, bound: etree._Element, port_type: etree._Element, binding_style: str
) -> BindingOperation:
    name = bound.get("name", "")
    abstract = _abstract(definitions, bound, port_type, warn=False)
    assert abstract is not None, "read_binding skips unmatched operations"
    soap = next((child for child in bound if _is_extension(child, "operation")), None)
    style = soap.get("style", binding_style) if soap is not None else binding_style
    namespace = _target(bound)

    def message(kind: str, suffix: str) -> Message | None:
        bound_part = bound.find(f"{{{WSDL11}}}{kind}")
        abstract_part = abstract.find(f"{{{WSDL11}}}{kind}")
        if abstract_part is None:
            return None
        return _message(definitions, abstract_part, bound_part, style, f"{name}{suffix}", namespace)

    faults = tuple(
        _message(definitions, fault, None, "document", fault.get("name", ""), namespace)
        for fault in abstract.iterchildren(f"{{{WSDL11}}}fault")
        if definitions.has("message", fault, f"operation {name}")
    )
    return BindingOperation(
        name=name,
        soap_action=soap.get("soapAction", "") if soap is not None else "",
        style=style,
        input=message("input", ""),
        output=message("output", "Response"),
        faults=faults,
        documentation=" ".join((abstract.findtext(f"{{{WSDL11}}}documentation") or "").split()),
    )


def _abstract(
    definitions: Definitions, bound: etree._Element, port_type: etree._Element, *, warn: bool = True
) -> etree._Element | None:
    """The portType operation a binding operation binds; a missing one is skipped with a warning."""
    name = bound.get("name")
    found = next((op for op in port_type.iterchildren(f"{{{WSDL11}}}operation") if op.get("name") == name), None)
    if found is None and warn:
        definitions.warnings.append(
            f"binding operation {name} has no operation of that name in portType {port_type.get('name')}; skipped"
        )
    return found


def _message(
    definitions: Definitions,
    abstract: etree._Element,
    bound: etree._Element | None,
    style: str,
    wrapper_name: str,
    namespace: str,
) -> Message:
    name = qualified(abstract, "message")
    element = definitions.get("message", abstract, "message")
    parts = tuple(_part(part) for part in element.iterchildren(f"{{{WSDL11}}}part"))
    body = _extension(bound, "body")
    references = _header_references(bound)
    chosen = body.get("parts") if body is not None else None
    if chosen is not None:
        parts = tuple(part for part in parts if part.name in chosen.split())
    else:
        parts = tuple(part for part in parts if (name, part.name) not in references)
    rpc_namespace = body.get("namespace", namespace) if body is not None else namespace
    return Message(
        name=name,
        style=style,
        use=body.get("use", "literal") if body is not None else "literal",
        parts=parts,
        wrapper=f"{{{rpc_namespace}}}{wrapper_name}" if style == "rpc" else None,
        headers=tuple(_header_parts(definitions, bound)),
    )


def _header_parts(definitions: Definitions, bound: etree._Element | None) -> Iterable[Part]:
    for header in () if bound is None else bound:
        if (
            _is_extension(header, "header")
            and header.get("message")
            and header.get("part")
            and definitions.has("message", header, f"{_what(bound)} header")
        ):
            message = definitions.get("message", header, "message")
            for part in message.iterchildren(f"{{{WSDL11}}}part"):
                if part.get("name") == header.get("part"):
                    yield _part(part)


def _header_references(bound: etree._Element | None) -> set[tuple[str, str]]:
    """(message, part) of every soap:header in a bound input or output."""
    headers = [child for child in (() if bound is None else bound) if _is_extension(child, "header")]
    return {(qualified(header, "message"), header.get("part", "")) for header in headers if header.get("message")}


def _part(part: etree._Element) -> Part:
    return Part(
        name=part.get("name", ""),
        element=qualified(part, "element") if part.get("element") else None,
        type=qualified(part, "type") if part.get("type") else None,
    )


def qualified(element: etree._Element, attribute: str) -> str:
    """The Clark name of a QName-valued attribute, its prefix resolved where it is written."""
    value = element.get(attribute, "").strip()
    prefix, _, local = value.rpartition(":")
    namespace = element.nsmap.get(prefix or None)
    if prefix and namespace is None:
        raise WsdlError(
            f"{_what(element)}: the prefix {prefix!r} in {value!r} is not declared", sourceline=element.sourceline
        )
    return f"{{{namespace or ''}}}{local}"


def _extension(parent: etree._Element | None, local: str) -> etree._Element | None:
    children = () if parent is None else parent
    return next((child for child in children if _is_extension(child, local)), None)


def _is_extension(element: etree._Element, local: str) -> bool:
    if not isinstance(element.tag, str):
        return False
    qname = etree.QName(element)
    return qname.localname == local and qname.namespace in _PROTOCOLS


def _target(element: etree._Element) -> str:
    return str(element.getroottree().getroot().get("targetNamespace", ""))


def _what(element: etree._Element) -> str:
    return f"{etree.QName(element).localname} {element.get('name') or ''}".strip()


def _shown(clark: str) -> str:
    namespace, _, local = clark[1:].partition("}")
    return f"{local} ({namespace})" if namespace else local
