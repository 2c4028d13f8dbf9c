"""A WSDL 1.1 document set read into a model, for the tester's toolkit (inspect, validate, mock, transform).

    load_wsdl(path or URL) -> Wsdl: services, bindings, operations, messages and one schema set

The gateway's upstream calls load their WSDLs with zeep (soapbridge.upstream.wsdl); this model
serves the tools, which need what zeep does not keep: every binding, facets, and libxml2 verdicts.
"""

from __future__ import annotations

from pathlib import Path

from .check import check_message
from .loader import Policy, load_documents, location_url
from .model import DIRECTIONS, Binding, BindingOperation, Direction, Message, Part, Port, Service
from .reader import Definitions, read_services
from .schemas import SchemaSet
from .wsdl import Wsdl

__all__ = [
    "DIRECTIONS",
    "Binding",
    "BindingOperation",
    "Direction",
    "Message",
    "Part",
    "Port",
    "SchemaSet",
    "Service",
    "Wsdl",
    "check_message",
    "load_wsdl",
]


def load_wsdl(
    location: str | Path, *, allow_network: bool = False, timeout: float = 10.0, root: Path | None = None
) -> Wsdl:
    """Load a WSDL 1.1 and all it imports; WsdlError, in one line, for anything unusable.

    Local files are read anywhere, or only under root when given; the network only when allowed.
    """
    url = location_url(location)
    documents = load_documents(url, Policy(root.resolve() if root else None, allow_network, timeout))
    definitions = Definitions(documents.definitions.items())
    services, bindings = read_services(definitions)
    messages = [m for b in bindings for op in b.operations for m in (op.input, op.output) if m is not None]
    schemas = SchemaSet(documents.schema_roots(), documents.included, messages)
    top = documents.definitions[url]
    return Wsdl(
        url,
        top.get("targetNamespace", ""),
        top.get("name", ""),
        services,
        bindings,
        schemas,
        warnings=tuple(definitions.warnings),
        documents={**documents.definitions, **documents.schemas},
    )
