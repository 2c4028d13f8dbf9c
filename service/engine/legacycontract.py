"""An adapter's legacy contract as serve, check and the tools read it: the WSDL, and the one SOAP port called.

The WSDL is read by wsdlmodel (with its schemas, which check and transform validate with); the port is
chosen here, once, and the upstream client (zeep, the run-time contract) is pinned to the same port.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import AdapterConfig
from ..errors import ConfigError, WsdlError
from ..settings import Settings
from ..upstream.encoding import refuse_encoded
from ..wsdlmodel import Binding, BindingOperation, Port, Wsdl, load_wsdl


@dataclass(frozen=True)
class LegacyContract:
    """An adapter's legacy WSDL as the tools read it, and the one SOAP port the adapter calls."""

    wsdl: Wsdl
    service: str
    port: Port

    @property
    def binding(self) -> Binding:
        return self.port.binding


def legacy_port(wsdl: Wsdl, adapter: AdapterConfig) -> tuple[str, Port]:
    """The service and SOAP port the adapter calls: the only one, or the one system.service and system.port name."""
    ports = [
        (service.name, port)
        for service in wsdl.services
        if adapter.service in (None, service.name)
        for port in service.ports
        if port.binding.soap_version is not None and adapter.port in (None, port.name)
    ]
    if len(ports) != 1:
        found = ", ".join(f"{service}/{port.name}" for service, port in ports) or "none"
        raise ConfigError(
            f"expected exactly one SOAP port (set system.service and system.port); found {found}",
            file=str(adapter.file),
            key="system.wsdl",
        )
    return ports[0]


def legacy_operation(binding: Binding, adapter: AdapterConfig, operation: str) -> BindingOperation:
    """The binding operation an adapter's operation calls upstream; ConfigError naming the key if absent."""
    upstream = adapter.operations[operation].upstream or ""
    found = binding.operation(upstream)
    if found is None:
        known = ", ".join(op.name for op in binding.operations)
        raise ConfigError(
            f"the WSDL's binding has no operation {upstream!r}; it has: {known}",
            file=str(adapter.file),
            key=f"operations.{operation}.upstream",
        )
    return found


def read_legacy(adapter: AdapterConfig, settings: Settings) -> LegacyContract:
    """The adapter's legacy WSDL, its schemas compiled (the tools validate with them), and the port it calls."""
    assert adapter.wsdl is not None
    refuse_encoded(adapter)  # before the schemas compile, which an encoded WSDL's fail to
    try:
        wsdl = load_wsdl(adapter.wsdl, root=settings.wsdl_dir)
        wsdl.schemas.validator()
    except WsdlError as exc:
        raise ConfigError(exc.message, file=str(adapter.file), key="system.wsdl") from exc
    service, port = legacy_port(wsdl, adapter)
    return LegacyContract(wsdl, service, port)
