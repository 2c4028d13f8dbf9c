"""What the scaffold reads from a legacy WSDL: the port to call, the operations to scaffold, their messages.

The WSDL is read by wsdlmodel, as `check` and `serve` read it. With several SOAP ports, the first SOAP 1.1
document/literal one is called (then any literal one); the others are listed for the adapter file. An
operation whose input or output is not exactly one element in the Body (a one-way operation, several
parts), or is a document-style part of a type rather than an element (no schema declares what the Body holds,
so check could not judge it), is left out with a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ..config import AdapterConfig, OperationConfig
from ..errors import ConfigError, UsageError
from ..upstream.encoding import refuse_encoded
from ..wsdlmodel import Binding, BindingOperation, Message, Port, Wsdl
from .scaffoldfields import Field, legacy_field
from .xsdtree import Node, element_tree, typed_tree


@dataclass(frozen=True)
class ChosenPort:
    service: str
    port: Port
    #: The other SOAP ports, as service/port (SOAP version, style/use).
    others: tuple[str, ...]


def choose_port(wsdl: Wsdl) -> ChosenPort:
    """The SOAP port the adapter calls; UsageError when the WSDL has none."""
    ports = [(s.name, p) for s in wsdl.services for p in s.ports if p.binding.soap_version is not None]
    if not ports:
        found = ", ".join(f"{s.name}/{p.name} ({p.binding.protocol})" for s in wsdl.services for p in s.ports)
        raise UsageError(f"the WSDL has no SOAP port, so there is nothing to call; its ports: {found or 'none'}")
    ranked = sorted(ports, key=lambda found: _rank(found[1].binding))
    service, port = ranked[0]
    others = tuple(f"{s}/{p.name} ({describe(p.binding)})" for s, p in ports if p is not port)
    return ChosenPort(service, port, others)


def describe(binding: Binding) -> str:
    """SOAP 1.1, document/literal."""
    return f"SOAP {binding.soap_version}, {binding.style}/{_use(binding)}"


def _rank(binding: Binding) -> tuple[bool, bool, bool]:
    literal = _use(binding) == "literal"
    return (not (literal and binding.style == "document"), not literal, binding.soap_version != "1.1")


def _use(binding: Binding) -> str:
    messages = [m for op in binding.operations for m in (op.input, op.output) if m is not None]
    return "encoded" if any(m.use == "encoded" for m in messages) else "literal"


def chosen_operations(binding: Binding, wanted: list[str]) -> list[BindingOperation]:
    """The operations named (all of the binding's when none is); UsageError naming those there are."""
    if not wanted:
        return list(binding.operations)
    known = [op.name for op in binding.operations]
    missing = [name for name in wanted if binding.operation(name) is None]
    if missing:
        raise UsageError(f"the port has no operation {', '.join(missing)}; it has: {', '.join(known)}")
    return [op for op in binding.operations if op.name in wanted]


def refuse_encoded_operations(system: str, wsdl: Path, operations: list[BindingOperation]) -> None:
    """The compiler's own refusal of an rpc/encoded operation, said of the WSDL rather than an adapter file."""
    ops = {op.name: OperationConfig(op.name, wsdl, upstream=op.name, request=wsdl) for op in operations}
    adapter = AdapterConfig(system, wsdl, wsdl=wsdl, operations=ops)
    try:
        refuse_encoded(adapter)
    except ConfigError as exc:
        words = exc.message.removeprefix(f"{exc.file}: {exc.key}: ")
        raise ConfigError(words, file=str(wsdl)) from exc


def unscaffoldable(operation: BindingOperation) -> str | None:
    """Why the scaffold leaves the operation out; None when it can map it."""
    for direction, message in (("input", operation.input), ("output", operation.output)):
        if message is None:
            return f"it has no {direction} (one-way)"
        if len(message.body_tags) != 1:
            return f"its {direction} is {len(message.body_tags)} elements in the Body, not one"
        if message.wrapper is None and message.parts[0].element is None:
            return f"its {direction} part {message.parts[0].name} names a type, not an element (document style)"
    return None


def message_root(wsdl: Wsdl, message: Message) -> Field:
    """The fields of the one element the message puts in the Body."""
    model = wsdl.schemas.model()
    if message.wrapper is not None:
        parts = [legacy_field(_part_tree(model, part.name, part.element, part.type)) for part in message.parts]
        return Field("element", _local(message.wrapper), _namespace(message.wrapper), children=parts)
    part = message.parts[0]
    return legacy_field(_part_tree(model, part.name, part.element, part.type))


def _part_tree(model: Any, name: str, element: str | None, type_name: str | None) -> Node:
    if element is not None:
        return element_tree(model, element, repeat=True)
    return typed_tree(model, name, type_name or "", repeat=True)


def local_documents(wsdl: Wsdl) -> list[Path]:
    """The WSDL's file and every local file it imports or includes, the WSDL first."""
    paths = [Path(unquote(urlparse(url).path)) for url in wsdl.documents if urlparse(url).scheme == "file"]
    return list(dict.fromkeys(paths))


def _namespace(clark: str) -> str:
    return clark[1:].partition("}")[0] if clark.startswith("{") else ""


def _local(clark: str) -> str:
    return clark.rpartition("}")[2]
