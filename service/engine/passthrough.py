"""Pass-through operations as the compiler leaves them: legacy operations published unchanged, per system.

A system's pass-through operations are served at /passthrough/<system>, in its legacy binding's SOAP version,
with the legacy WSDL republished (gateway/passthroughwsdl.py). Each is named <system>.<Operation> wherever a
name is shown or counted: the status page, the clients file, metrics, the request log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..config import Timeouts
from ..upstream.passthrough import PassthroughCall
from ..wsdlmodel import BindingOperation
from .legacycontract import LegacyContract

#: The path prefix of every system's pass-through endpoint.
PATH = "/passthrough/"


def qualified(system: str, operation: str) -> str:
    """The name a pass-through operation goes by outside its system: weather.GetCurrentObservation."""
    return f"{system}.{operation}"


@dataclass(frozen=True)
class PassthroughOperation:
    """One legacy operation published unchanged, and how it is called."""

    system: str
    binding: BindingOperation
    call: PassthroughCall
    #: Whether a failed call is tried again; a call that is not idempotent takes idempotency keys instead.
    idempotent: bool
    timeouts: Timeouts

    @property
    def name(self) -> str:
        return qualified(self.system, self.binding.name)

    @property
    def input_tag(self) -> str | None:
        """The Clark name of the element the request's Body holds (the rpc wrapper in rpc style)."""
        message = self.binding.input
        return message.body_tags[0] if message is not None and message.body_tags else None


@dataclass(frozen=True)
class PassthroughSystem:
    """A system's pass-through operations, by legacy name, and the legacy contract they are published from."""

    name: str
    legacy: LegacyContract = field(repr=False)
    operations: dict[str, PassthroughOperation]

    @property
    def version(self) -> str:
        version = self.legacy.binding.soap_version
        assert version is not None, "the compiler chose a SOAP port"
        return version

    @property
    def path(self) -> str:
        return PATH + self.name

    def operation_for(self, body_tag: str, soap_action: str | None) -> PassthroughOperation | None:
        """The published operation whose request's Body holds body_tag; the SOAPAction breaks a tie."""
        found = [op for op in self.operations.values() if op.input_tag == body_tag]
        if len(found) > 1 and soap_action:
            found = [op for op in found if op.binding.soap_action == soap_action] or found
        return found[0] if found else None


def qualified_names(systems: Mapping[str, PassthroughSystem]) -> list[str]:
    """Every pass-through operation's qualified name: what clients are allowed and metrics count by."""
    return [operation.name for system in systems.values() for operation in system.operations.values()]
