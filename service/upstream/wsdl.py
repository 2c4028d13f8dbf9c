"""A legacy WSDL, loaded once by zeep from local files only, reduced to what a call needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import zeep
from lxml import etree
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import ExternalReferenceForbidden
from zeep.transports import Transport
from zeep.wsdl import Document
from zeep.wsdl.bindings.soap import Soap12Binding, SoapBinding

from ..errors import ConfigError, SoapbridgeError, XmlError
from ..namespaces import XSD
from ..xmlparse import parse_bytes
from . import addressing

ZEEP_SETTINGS = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True)
#: An xs:import of the XML Schema namespace itself, as an attribute would be written: the cheap test before a parse.
_XSD_IMPORTED = re.compile(rb"""namespace\s*=\s*["']http://www\.w3\.org/2001/XMLSchema["']""")


@dataclass(frozen=True)
class UpstreamOperation:
    """One operation of the legacy binding: how to address it and what its bodies are called."""

    name: str
    soap_version: str
    soap_action: str
    style: str
    input_tag: str | None
    output_tag: str | None
    #: The wsa:Action each call carries when the WSDL uses WS-Addressing; None when it does not.
    addressing_action: str | None = None


@dataclass(frozen=True)
class UpstreamService:
    address: str
    operations: dict[str, UpstreamOperation]


class LocalTransport(Transport):  # type: ignore[misc]
    """Loads WSDL and XSD files from one local folder; anything else is refused by name."""

    def __init__(self, folder: Path) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.folder = folder.resolve()

    def load(self, url: str) -> bytes:
        path = _local_path(url)
        if path is None:
            raise XmlError(f"refusing to fetch {url}: WSDLs and schemas are loaded from local files only")
        if not path.is_relative_to(self.folder):
            raise XmlError(f"refusing to read {path}: it is outside {self.folder}")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise XmlError(f"cannot read {path.name}: {exc.strerror}") from exc
        return _without_xsd_imports(data, path.name)


def _without_xsd_imports(data: bytes, name: str) -> bytes:
    """data without its xs:imports of the XML Schema namespace. That namespace is built into every schema
    processor, so importing it adds nothing; libxml2 (and so the tools and `check`) skips such an import, while zeep
    refuses one whose schemaLocation names a file of another namespace, as a real WCF service's WSDL does."""
    if _XSD_IMPORTED.search(data) is None:
        return data
    root = parse_bytes(data, what=name)
    imports = [element for element in root.iter(f"{{{XSD}}}import") if element.get("namespace") == XSD]
    for element in imports:
        _remove_keeping_lines(element)
    return etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True) if imports else data


def _remove_keeping_lines(element: etree._Element) -> None:
    """Remove element but not the text after it, so zeep's errors still name the file's own line numbers."""
    parent, previous = element.getparent(), element.getprevious()
    assert parent is not None  # an xs:import is inside its xs:schema
    if previous is not None:
        previous.tail = (previous.tail or "") + (element.tail or "")
    else:
        parent.text = (parent.text or "") + (element.tail or "")
    parent.remove(element)


def load_service(wsdl: Path, *, folder: Path, service: str | None = None, port: str | None = None) -> UpstreamService:
    """Load the WSDL and describe the chosen port's binding; ConfigError if anything is wrong.

    zeep slips on some WSDLs it should refuse (an IndexError, AttributeError or NotImplementedError from deep
    inside): those are one line too, naming the WSDL, never a traceback."""
    try:
        document = _document(wsdl, folder)
        chosen = _port(document, wsdl, service, port)
        binding = chosen.binding
        version = "1.2" if isinstance(binding, Soap12Binding) else "1.1"
        actions = _addressing(wsdl, chosen)
        operations = {name: _operation(name, op, version, actions) for name, op in binding._operations.items()}
    except (LookupError, AttributeError, NotImplementedError, TypeError) as exc:
        raise ConfigError(f"the WSDL does not load: {type(exc).__name__}: {exc}", file=str(wsdl)) from exc
    return UpstreamService((chosen.binding_options or {}).get("address", ""), operations)


def _document(wsdl: Path, folder: Path) -> Document:
    try:
        return Document(str(wsdl), LocalTransport(folder), settings=ZEEP_SETTINGS)  # type: ignore[arg-type]
    except SoapbridgeError as exc:
        raise ConfigError(exc.message, file=str(wsdl)) from exc
    except ExternalReferenceForbidden as exc:
        raise ConfigError(
            f"refusing to fetch {exc.url}: WSDLs and schemas are loaded from local files only", file=str(wsdl)
        ) from exc
    except (ZeepError, OSError, ValueError) as exc:
        raise ConfigError(f"the WSDL does not load: {exc}", file=str(wsdl)) from exc


def _port(document: Document, wsdl: Path, service: str | None, port: str | None) -> Any:
    ports = [
        (service_name, port_name, port_obj)
        for service_name, service_obj in document.services.items()
        for port_name, port_obj in service_obj.ports.items()
        if isinstance(port_obj.binding, SoapBinding) and service in (None, service_name) and port in (None, port_name)
    ]
    if len(ports) != 1:
        found = ", ".join(f"{s}/{p}" for s, p, _ in ports) or "none"
        raise ConfigError(
            f"expected exactly one SOAP port (set system.service and system.port); found {found}", file=str(wsdl)
        )
    return ports[0][2]


def _addressing(wsdl: Path, port: Any) -> dict[str, str] | None:
    try:
        return addressing.wsdl_actions(wsdl, port.binding.name, port.name)
    except SoapbridgeError as exc:
        raise ConfigError(exc.message, file=str(wsdl)) from exc


def _operation(name: str, operation: Any, version: str, actions: dict[str, str] | None) -> UpstreamOperation:
    def body_tag(message: Any) -> str | None:
        body = getattr(message, "body", None)
        return str(body.qname) if body is not None and body.qname is not None else None

    action = None
    if actions is not None:
        port_type = operation.binding.port_type.name
        default = addressing.default_action(port_type.namespace or "", port_type.localname, name)
        action = actions.get(name) or operation.soapaction or default
    return UpstreamOperation(
        name,
        version,
        operation.soapaction or "",
        operation.style or "document",
        body_tag(operation.input),
        body_tag(operation.output),
        action,
    )


def _local_path(url: str) -> Path | None:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path)).resolve()
    if parsed.scheme in ("",) or (len(parsed.scheme) == 1 and url[1:3] in (":\\", ":/")):
        return Path(url).resolve()
    return None
