"""A loaded WSDL: its services and bindings, and the schemas behind its messages."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .model import Binding, Port, Service
from .schemas import SchemaSet


@dataclass(frozen=True)
class Wsdl:
    location: str
    target_namespace: str
    name: str
    services: tuple[Service, ...]
    bindings: tuple[Binding, ...]
    schemas: SchemaSet
    #: Every document the WSDL brought in, by URL: the WSDL itself first, then what it imports.
    documents: dict[str, etree._Element] = field(default_factory=dict, repr=False, compare=False)
    #: What is wrong in the WSDL but does not stop it being used, one sentence each.
    warnings: tuple[str, ...] = ()

    @property
    def ports(self) -> tuple[Port, ...]:
        return tuple(port for service in self.services for port in service.ports)

    def soap_bindings(self, version: str | None = None) -> tuple[Binding, ...]:
        """The SOAP bindings, of one SOAP version ("1.1", "1.2") or of both."""
        return tuple(b for b in self.bindings if b.soap_version is not None and version in (None, b.soap_version))
