"""The text form of `soapbridge wsdl`: a WsdlView as indented lines a person reads top to bottom."""

from __future__ import annotations

from collections.abc import Iterator

from ..toolkit.inspect import BindingView, MessageView, OperationView, WsdlView
from ..toolkit.xsdtree import Node

INDENT = "  "
#: Past this many values an enumeration is cut short in text (--format json has them all).
SHOWN_VALUES = 12


def render(view: WsdlView) -> str:
    return "\n".join(_lines(view))


def _lines(view: WsdlView) -> Iterator[str]:
    yield f"WSDL {view.name or '(unnamed)'}  targetNamespace {view.target_namespace or '(none)'}"
    yield f"{INDENT}{view.location}"
    yield ""
    yield "Services" if view.services else "Services: none"
    for service in view.services:
        yield f"{INDENT}{service.name}"
        for port in service.ports:
            uses = ", WS-Addressing" if port.addressing else ""
            yield f"{INDENT * 2}port {port.name}: binding {port.binding} ({port.protocol}{uses})"
            yield f"{INDENT * 3}address {port.address or '(none)'}"
    for binding in view.bindings:
        yield ""
        yield from _binding(binding)
    if view.warnings:
        yield ""
        yield "Warnings"
        yield from (f"{INDENT}- {warning}" for warning in view.warnings)


def _binding(binding: BindingView) -> Iterator[str]:
    yield f"Binding {binding.name}  (portType {binding.port_type})"
    yield f"{INDENT}{binding.protocol}, style {binding.style}, transport {binding.transport or '(none)'}"
    if binding.addressing:
        where = ", the ".join(binding.addressing)
        yield f"{INDENT}WS-Addressing, declared by the {where}: calls carry wsa:MessageID, wsa:Action and wsa:To"
    for operation in binding.operations:
        yield ""
        yield from _operation(operation)


def _operation(operation: OperationView) -> Iterator[str]:
    yield f"{INDENT}{operation.signature}"
    action = operation.soap_action or '""'
    yield f"{INDENT * 2}SOAPAction {action}, {operation.style}/{operation.use}"
    if operation.addressing_action:
        yield f"{INDENT * 2}wsa:Action {operation.addressing_action}"
    if operation.documentation:
        yield f"{INDENT * 2}{operation.documentation}"
    for direction, message in (("input", operation.input), ("output", operation.output)):
        if message is not None:
            yield from _message(direction, message)
    for fault in operation.faults:
        yield from _message("fault", fault)


def _message(direction: str, message: MessageView) -> Iterator[str]:
    yield f"{INDENT * 2}{direction} {message.name} ({message.use})"
    depth, namespace = 3, None
    if message.wrapper:
        yield f"{INDENT * 3}{message.wrapper} (rpc wrapper)  [{_namespace(message.wrapper_namespace)}]"
        depth, namespace = 4, message.wrapper_namespace
    for part in message.parts:
        yield from _tree(part, depth, namespace)
    for header in message.headers:
        yield f"{INDENT * 3}header"
        yield from _tree(header, 4, None)


def _tree(node: Node, depth: int, parent: str | None) -> Iterator[str]:
    """node and what it holds; an element's namespace is shown where it is not its parent's (always at the top)."""
    yield INDENT * depth + _node(node) + _marks(node, parent)
    inner = node.namespace if node.kind == "element" else parent
    for child in node.children:
        yield from _tree(child, depth + 1, inner)


def _marks(node: Node, parent: str | None) -> str:
    if node.kind != "element":
        return ""
    marks = [_namespace(node.namespace)] if node.namespace != parent else []
    marks += ["nillable"] if node.nillable else []
    return f"  [{', '.join(marks)}]" if marks else ""


def _namespace(namespace: str) -> str:
    return f"ns {namespace}" if namespace else "no namespace"


def _node(node: Node) -> str:
    occurs = f" {node.occurs}" if node.occurs else ""
    if node.kind in ("sequence", "choice", "all"):
        return f"{node.kind}{occurs}"
    anonymous = node.kind == "element" and node.type == "{...}"
    text = f"{node.name}{occurs}" if anonymous else f"{node.name}{occurs}: {_type(node)}"
    if node.enumeration:
        text += f" one of: {_values(node.enumeration)}"
    return text + (f" ({node.note})" if node.note else "")


def _type(node: Node) -> str:
    details = ", ".join(node.facets)
    return f"{node.type}({details})" if details else node.type or "?"


def _values(values: tuple[str, ...]) -> str:
    shown = " | ".join(values[:SHOWN_VALUES])
    return shown if len(values) <= SHOWN_VALUES else f"{shown} | ... ({len(values)} values)"
