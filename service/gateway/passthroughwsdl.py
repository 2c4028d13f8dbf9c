"""A system's pass-through WSDL: its legacy WSDL republished as one document, for /passthrough/<system>?wsdl.

It is derived from the legacy contract the compiler read (wsdlmodel), never from a second reading: the WSDL's
own document, with the schemas it imports inlined into its types (their schemaLocation dropped, so a client
fetches nothing more), only the port the adapter calls, its binding and port type cut down to the published
operations, and the gateway's address on the port (PublishedWsdl sets it per address). The binding loses
wsaw:UsingAddressing: the gateway sends the legacy system its own WS-Addressing, and a client need send none.
A WSDL that imports other WSDL documents (wsdl:import) is republished without what they define.
"""

from __future__ import annotations

import copy

from lxml import etree

from ..engine.passthrough import PassthroughSystem
from ..namespaces import WSDL11, XSD

#: WS-Addressing's WSDL binding namespaces (2006/05 and the W3C recommendation's).
WSAW = ("http://www.w3.org/2006/05/addressing/wsdl", "http://www.w3.org/2007/05/addressing/metadata")


def passthrough_wsdl(system: PassthroughSystem) -> etree._Element:
    """The legacy WSDL, republished for the system's pass-through operations (address still the legacy one)."""
    legacy = system.legacy
    documents = list(legacy.wsdl.documents.items())
    wsdl = copy.deepcopy(documents[0][1])
    _inline_schemas(wsdl, [root for _, root in documents[1:] if root.tag == f"{{{XSD}}}schema"])
    binding = _only(wsdl, "binding", etree.QName(legacy.binding.name).localname)
    _only(wsdl, "portType", etree.QName(legacy.binding.port_type).localname)
    _only(wsdl, "service", legacy.service)
    published = set(system.operations)
    for operation in wsdl.iterfind(f"{{{WSDL11}}}*/{{{WSDL11}}}operation"):
        if operation.get("name") not in published:
            operation.getparent().remove(operation)
    for namespace in WSAW:
        for using in binding.findall(f"{{{namespace}}}UsingAddressing"):
            binding.remove(using)
    for service in wsdl.iterfind(f"{{{WSDL11}}}service"):
        for port in service.findall(f"{{{WSDL11}}}port"):
            if port.get("name") != legacy.port.name:
                service.remove(port)
    return wsdl


def _only(wsdl: etree._Element, kind: str, name: str) -> etree._Element:
    """Remove every top-level wsdl:<kind> but the one named; return it."""
    kept = None
    for element in wsdl.findall(f"{{{WSDL11}}}{kind}"):
        if element.get("name") == name:
            kept = element
        else:
            wsdl.remove(element)
    assert kept is not None, f"the legacy contract's {kind} {name} is in its WSDL"
    return kept


def _inline_schemas(wsdl: etree._Element, schemas: list[etree._Element]) -> None:
    """Each imported or included schema document as an xs:schema of the types; no schemaLocation is left."""
    types = wsdl.find(f"{{{WSDL11}}}types")
    if types is None:
        types = etree.Element(f"{{{WSDL11}}}types")
        wsdl.insert(_after_documentation(wsdl), types)
    for schema in schemas:
        _append_schema(types, schema)
    for schema in types.iterfind(f"{{{XSD}}}schema"):
        for include in schema.findall(f"{{{XSD}}}include"):
            schema.remove(include)  # what it includes is a schema of the types now
        for imported in schema.iterfind(f"{{{XSD}}}import"):
            imported.attrib.pop("schemaLocation", None)


def _append_schema(types: etree._Element, schema: etree._Element) -> None:
    """A copy of schema in types with every namespace it declares declared again on it: lxml drops a declaration
    whose URI the WSDL declares under another prefix, and the schema's QName values (type="tns:...") use it."""
    copied = etree.SubElement(types, schema.tag, dict(schema.attrib), nsmap=schema.nsmap)
    copied.text = schema.text
    copied.extend(copy.deepcopy(child) for child in schema)


def _after_documentation(wsdl: etree._Element) -> int:
    children = list(wsdl)
    first = children[0] if children else None
    return 1 if first is not None and first.tag == f"{{{WSDL11}}}documentation" else 0
