"""What a WSDL offers, described for a person or a tool: services, bindings, operations and their messages.

describe(wsdl) builds plain frozen dataclasses (no printing here): every port with its endpoint and
binding, every binding with its protocol, style and transport, and every operation with its
SOAPAction, a one-line signature and the element structure of its input, output and faults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..errors import SoapbridgeError, UsageError, WsdlError
from ..upstream import addressing
from ..upstream.addressing import WSDL
from ..wsdlmodel import Binding, BindingOperation, Message, Part, Port, Wsdl
from .xsdtree import Node, element_tree, typed_tree

PROTOCOLS = {"soap11": "SOAP 1.1", "soap12": "SOAP 1.2", "http": "HTTP"}


@dataclass(frozen=True)
class MessageView:
    name: str
    use: str
    #: One tree per body part: its element (document style) or the part named and typed (rpc style).
    parts: tuple[Node, ...]
    headers: tuple[Node, ...] = ()
    #: The rpc wrapper element's local name; "" in document style.
    wrapper: str = ""
    #: The rpc wrapper's namespace (soap:body's namespace attribute); its parts are unqualified.
    wrapper_namespace: str = ""


@dataclass(frozen=True)
class OperationView:
    name: str
    soap_action: str
    style: str
    use: str
    signature: str
    input: MessageView | None
    output: MessageView | None
    faults: tuple[MessageView, ...] = ()
    documentation: str = ""
    #: The wsa:Action a call carries when the binding uses WS-Addressing (soapbridge sends it); "" otherwise.
    addressing_action: str = ""


@dataclass(frozen=True)
class BindingView:
    name: str
    port_type: str
    protocol: str
    style: str
    transport: str
    operations: tuple[OperationView, ...]
    #: Where the WSDL says this binding uses WS-Addressing ("binding", "port <name>", "portType actions"); () if not.
    addressing: tuple[str, ...] = ()


@dataclass(frozen=True)
class PortView:
    name: str
    binding: str
    protocol: str
    address: str | None
    #: Whether the port itself declares WS-Addressing (wsaw:UsingAddressing, wsam:Addressing, or a policy).
    addressing: bool = False


@dataclass(frozen=True)
class ServiceView:
    name: str
    ports: tuple[PortView, ...]


@dataclass(frozen=True)
class WsdlView:
    location: str
    name: str
    target_namespace: str
    services: tuple[ServiceView, ...]
    bindings: tuple[BindingView, ...]
    warnings: tuple[str, ...] = ()


def describe(wsdl: Wsdl, operation: str | None = None) -> WsdlView:
    """The whole WSDL, or only the bindings' operations named operation (UsageError if none is)."""
    try:
        model, warnings = _model(wsdl)
        bindings = tuple(_binding(wsdl, binding, model, operation) for binding in wsdl.bindings)
    except SoapbridgeError:
        raise
    except Exception as exc:  # xmlschema is a foreign library: whatever it raises ends here, as one line
        raise WsdlError(f"cannot describe the WSDL's types: {type(exc).__name__}: {_first_line(exc)}") from exc
    if operation is not None:
        bindings = tuple(binding for binding in bindings if binding.operations)
        if not bindings:
            raise UsageError(f"the WSDL has no operation {operation}; it has {_operation_names(wsdl)}")
    return WsdlView(
        location=wsdl.location,
        name=wsdl.name,
        target_namespace=wsdl.target_namespace,
        services=tuple(
            ServiceView(
                s.name,
                tuple(_port(wsdl, port) for port in s.ports),
            )
            for s in wsdl.services
        ),
        bindings=bindings,
        warnings=(*wsdl.warnings, *warnings),
    )


def _model(wsdl: Wsdl) -> tuple[Any, list[str]]:
    """The xmlschema model and what is wrong in it; a model that cannot be built leaves the types undescribed."""
    try:
        model = wsdl.schemas.model()
    except WsdlError as exc:
        return None, [f"{exc.message}; the types are not described"]
    errors = list(dict.fromkeys(f"schema: {_first_line(error)}" for error in model.all_errors))
    return model, errors[:10] + ([f"... and {len(errors) - 10} more schema errors"] if len(errors) > 10 else [])


def _port(wsdl: Wsdl, port: Port) -> PortView:
    root = _defining(wsdl, "port", port.name)
    declares = root is not None and "port" in addressing.markers(root, "", port.name)
    return PortView(port.name, _local(port.binding.name), _protocol(port.binding), port.address, declares)


def _binding(wsdl: Wsdl, binding: Binding, model: Any, operation: str | None) -> BindingView:
    uses, actions = _addressing(wsdl, binding)
    chosen = (op for op in binding.operations if operation in (None, op.name))
    return BindingView(
        name=_local(binding.name),
        port_type=_local(binding.port_type),
        protocol=_protocol(binding),
        style=binding.style,
        transport=binding.transport,
        operations=tuple(_operation(op, model, _action(binding, op, actions) if uses else "") for op in chosen),
        addressing=uses,
    )


def _addressing(wsdl: Wsdl, binding: Binding) -> tuple[tuple[str, ...], dict[str, str]]:
    """Where WS-Addressing is declared for the binding (itself, a port using it, its portType's actions), and
    the actions; the same markers the upstream client obeys (soapbridge.upstream.addressing)."""
    root = _defining(wsdl, "binding", binding.name)
    if root is None:
        return (), {}
    local = _local(binding.name)
    actions = addressing.input_actions(root, local)
    ports = [port.name for port in wsdl.ports if port.binding.name == binding.name]
    places = list(addressing.markers(root, local))
    for port in ports:
        port_root = _defining(wsdl, "port", port)
        if port_root is not None and addressing.markers(port_root, "", port):
            places.append(f"port {port}")
    return tuple(places + (["portType actions"] if actions else [])), actions


def _action(binding: Binding, operation: BindingOperation, actions: dict[str, str]) -> str:
    namespace, port_type = _namespace(binding.port_type), _local(binding.port_type)
    default = addressing.default_action(namespace, port_type, operation.name)
    return actions.get(operation.name) or operation.soap_action or default


def _defining(wsdl: Wsdl, kind: str, name: str) -> etree._Element | None:
    """The WSDL document that defines the binding (a Clark name) or the port (a local name)."""
    local, namespace = _local(name), _namespace(name)
    for root in wsdl.documents.values():
        if root.tag != f"{{{WSDL}}}definitions" or (namespace and root.get("targetNamespace", "") != namespace):
            continue
        if any(element.get("name") == local for element in root.iter(f"{{{WSDL}}}{kind}")):
            return root
    return None


def _operation(operation: BindingOperation, model: Any, action: str = "") -> OperationView:
    request = _message(operation.input, model)
    response = _message(operation.output, model)
    return OperationView(
        name=operation.name,
        soap_action=operation.soap_action,
        style=operation.style,
        use=next((m.use for m in (operation.input, operation.output) if m is not None), "literal"),
        signature=f"{operation.name}({_parameters(request)}) -> {_results(response)}",
        input=request,
        output=response,
        faults=tuple(view for fault in operation.faults if (view := _message(fault, model)) is not None),
        documentation=operation.documentation,
        addressing_action=action,
    )


def _message(message: Message | None, model: Any) -> MessageView | None:
    if message is None:
        return None
    return MessageView(
        name=_local(message.name),
        use=message.use,
        parts=tuple(_part(part, model) for part in message.parts),
        headers=tuple(_part(part, model) for part in message.headers),
        wrapper=_local(message.wrapper or ""),
        wrapper_namespace=_namespace(message.wrapper or ""),
    )


def _part(part: Part, model: Any) -> Node:
    if model is None:
        return Node(
            "element",
            _local(part.element or part.name),
            type=_local(part.type or ""),
            namespace=_namespace(part.element or ""),
        )
    if part.element is not None:
        return element_tree(model, part.element)
    return typed_tree(model, part.name, part.type or "")


def _parameters(message: MessageView | None) -> str:
    return ", ".join(_parameter(node) for node in _values(message))


def _results(message: MessageView | None) -> str:
    if message is None:
        return "(one-way)"
    values = [_parameter(node) for node in _values(message)]
    return values[0] if len(values) == 1 else f"({', '.join(values)})"


def _values(message: MessageView | None) -> tuple[Node, ...]:
    """The named values a message carries: a document-style wrapper element's children, else its parts."""
    if message is None:
        return ()
    parts = message.parts
    if message.wrapper or len(parts) != 1 or parts[0].note:
        return parts
    children = parts[0].children
    wrapped = all(child.kind == "element" for child in children) and (children or parts[0].type == "{...}")
    return children if wrapped else parts


def _parameter(node: Node) -> str:
    occurs = f" {node.occurs}" if node.occurs else ""
    return f"{node.name}: {node.label or '?'}{occurs}"


def _protocol(binding: Binding) -> str:
    return PROTOCOLS.get(binding.protocol, binding.protocol)


def _operation_names(wsdl: Wsdl) -> str:
    names = sorted({op.name for binding in wsdl.bindings for op in binding.operations})
    return ", ".join(names) if names else "none"


def _first_line(error: object) -> str:
    text = str(getattr(error, "message", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _namespace(clark: str) -> str:
    return clark[1:].partition("}")[0] if clark.startswith("{") else ""


def _local(clark: str) -> str:
    return clark.rpartition("}")[2]
