"""The shapes of a WSDL 1.1 document set: services, ports, bindings, operations and messages.

Names are Clark names ({namespace}local) throughout, so that a WSDL split over several files
and namespaces reads as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["input", "output"]
DIRECTIONS: tuple[Direction, ...] = ("input", "output")


@dataclass(frozen=True)
class Part:
    """A message part: exactly one of element (document style) or type (rpc style) is set."""

    name: str
    element: str | None = None
    type: str | None = None


@dataclass(frozen=True)
class Message:
    """What travels in the SOAP Body for one direction of one bound operation."""

    name: str
    style: str
    use: str
    parts: tuple[Part, ...]
    #: The rpc wrapper element's Clark name; None in document style.
    wrapper: str | None = None
    #: The parts that travel as SOAP headers rather than in the Body.
    headers: tuple[Part, ...] = ()

    @property
    def body_tags(self) -> tuple[str, ...]:
        """The Clark names of the elements the Body holds, in order."""
        if self.wrapper is not None:
            return (self.wrapper,)
        return tuple(part.element or part.name for part in self.parts)


@dataclass(frozen=True)
class BindingOperation:
    name: str
    soap_action: str
    style: str
    input: Message | None
    output: Message | None
    faults: tuple[Message, ...] = ()
    documentation: str = ""

    def message(self, direction: Direction) -> Message | None:
        return self.input if direction == "input" else self.output


@dataclass(frozen=True)
class Binding:
    name: str
    port_type: str
    #: "soap11", "soap12", "http" or the binding extension's namespace for anything else.
    protocol: str
    transport: str
    style: str
    operations: tuple[BindingOperation, ...]

    @property
    def soap_version(self) -> str | None:
        return {"soap11": "1.1", "soap12": "1.2"}.get(self.protocol)

    def operation(self, name: str) -> BindingOperation | None:
        return next((op for op in self.operations if op.name == name), None)

    def operation_for(
        self, body_tag: str, soap_action: str | None = None, direction: Direction | None = None
    ) -> tuple[BindingOperation, Direction] | None:
        """The operation (and direction) whose message starts with body_tag; SOAPAction breaks ties."""
        found = [
            (op, wanted)
            for op in self.operations
            for wanted in (DIRECTIONS if direction is None else (direction,))
            if (message := op.message(wanted)) is not None and message.body_tags[:1] == (body_tag,)
        ]
        if len(found) > 1 and soap_action:
            found = [match for match in found if match[0].soap_action == soap_action] or found
        return found[0] if found else None


@dataclass(frozen=True)
class Port:
    name: str
    binding: Binding
    address: str | None


@dataclass(frozen=True)
class Service:
    name: str
    ports: tuple[Port, ...]
