"""The gateway's WSDLs: Spyne writes the service description, the canonical XSD is its types.

Spyne generates messages, portType, binding and service for the canonical operations (it is
cheap here: once per process, never per request). Its types section is replaced with the
canonical XSD itself, so the published types are the single source of truth verbatim, and
the document is brought to WS-I Basic Profile form: one part named "parameters" per message,
a soapAction per operation, the HTTP transport, and no namespace it does not use.

The SOAP header blocks a client may send are declared in the binding only, each from a message of
its own that no portType operation names (an implicit header, WS-I R2719): cn:IdempotencyKey on the
write operations' inputs, then cn:CorrelationID on every input. Generated clients keep their
signatures, and those that care (.NET, zeep's _soapheaders, gSOAP's SOAP_ENV__Header) can send them.
No output binds a header: zeep would then answer every call with an envelope of body and header
instead of the response, so the gateway answers with header blocks only a client asked for
(gateway/addressing.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from functools import lru_cache

from lxml import etree

from .._spyne import Application, Fault, ServiceBase, Soap11, Soap12, Wsdl11, rpc, unregister_application
from ..contract import CORRELATION_ELEMENT, FAULT_ELEMENT, KEY_ELEMENT, Contract
from ..namespaces import WSDL11, WSDL_SOAP11, WSDL_SOAP12, XSD

SOAP_HTTP = "http://schemas.xmlsoap.org/soap/http"
BINDING_NS = {"1.1": WSDL_SOAP11, "1.2": WSDL_SOAP12}
ADDRESS_PLACEHOLDER = "http://soapbridge.invalid/address"
SERVICE_NAME = "Soapbridge"
#: The messages of the header blocks a client may send, and what each one's wsdl:documentation says.
HEADER_DOCUMENTATION = {
    KEY_ELEMENT: "Optional on the write operations: an idempotency key, the same as the HTTP header Idempotency-Key.",
    CORRELATION_ELEMENT: (
        "Optional on every operation: a correlation id, the same as the HTTP header X-Correlation-ID. A request"
        " that sends this block gets it back in the answer's SOAP Header, naming the id the gateway used."
    ),
}
#: How many addresses' documents each endpoint keeps: the public URL, or the few names clients use for the host.
PUBLISHED_ADDRESSES = 16


class PublishedWsdl:
    """One SOAP version's WSDL as published at an address. The address is set on soap:address in the tree, so
    the serializer escapes it: no address, however it was spelled, can add markup to the contract. Each
    address's document is made once and kept, a few at a time."""

    def __init__(self, wsdl: etree._Element) -> None:
        self._template = wsdl
        self.at: Callable[[str], bytes] = lru_cache(maxsize=PUBLISHED_ADDRESSES)(self._at)

    def _at(self, address: str) -> bytes:
        wsdl = copy.deepcopy(self._template)
        for port in wsdl.iterfind(f"{{{WSDL11}}}service/{{{WSDL11}}}port"):
            for soap_address in port.iterfind("{*}address"):
                soap_address.set("location", address)
        return _document(wsdl)


def soap_action(contract: Contract, operation: str) -> str:
    """The SOAPAction of a canonical operation, the same for SOAP 1.1 and 1.2."""
    return f"{contract.namespace}/{operation}"


def build_wsdl(contract: Contract, operations: Iterable[str], version: str) -> bytes:
    """The WSDL document for one SOAP version, with ADDRESS_PLACEHOLDER as the endpoint."""
    return _document(wsdl_tree(contract, operations, version))


def wsdl_tree(contract: Contract, operations: Iterable[str], version: str) -> etree._Element:
    """The WSDL for one SOAP version as a tree, to publish (PublishedWsdl) or serialize (build_wsdl)."""
    names = sorted(operations)
    skeleton = etree.fromstring(_spyne_wsdl(contract.namespace, names, version))
    wsdl = _clean_root(skeleton, contract.namespace, version)
    _replace_types(wsdl, contract)
    _name_parts(wsdl)
    _document_operations(wsdl, contract)
    _declare_headers(wsdl, contract, version)
    _fix_binding(wsdl, contract, version)
    etree.indent(wsdl, space="  ")  # the inlined XSD keeps its own whitespace otherwise
    return wsdl


def _document(wsdl: etree._Element) -> bytes:
    return bytes(etree.tostring(wsdl, xml_declaration=True, encoding="utf-8"))


def _spyne_wsdl(namespace: str, operations: list[str], version: str) -> bytes:
    fault = type(FAULT_ELEMENT, (Fault,), {"__namespace__": namespace, "__type_name__": FAULT_ELEMENT})
    methods = {name: _method(name, fault) for name in operations}
    service = type(f"{SERVICE_NAME}Service", (ServiceBase,), methods)
    protocol = Soap11 if version == "1.1" else Soap12
    application = Application(
        [service], tns=namespace, name=SERVICE_NAME, in_protocol=protocol(), out_protocol=protocol()
    )
    try:
        interface = Wsdl11(application.interface)
        interface.build_interface_document(ADDRESS_PLACEHOLDER)
        document: bytes = interface.get_interface_document()
    finally:
        unregister_application(application)  # spyne keeps a global registry we have no use for
    return document


def _method(name: str, fault: type) -> object:
    def operation(ctx: object) -> None:
        """Never called: the gateway dispatches bodies itself, Spyne only describes them."""

    operation.__name__ = name
    return rpc(_throws=[fault], _in_message_name=name, _out_message_name=f"{name}Response")(operation)


def _clean_root(skeleton: etree._Element, namespace: str, version: str) -> etree._Element:
    """A new root declaring only what the document uses, children in WSDL 1.1 order."""
    nsmap = {"wsdl": WSDL11, "soap" if version == "1.1" else "soap12": BINDING_NS[version], "xs": XSD, "cn": namespace}
    root = etree.Element(f"{{{WSDL11}}}definitions", nsmap=nsmap, name=SERVICE_NAME, targetNamespace=namespace)
    for local in ("types", "message", "portType", "binding", "service"):
        for child in skeleton.findall(f"{{{WSDL11}}}{local}"):
            root.append(child)
    for element in root.iter():
        element.attrib.pop("parameterOrder", None)
        for name, value in element.attrib.items():  # one prefix, the XSD's, for the canonical namespace
            if value.startswith("tns:"):
                element.set(name, "cn:" + value[4:])
    return root


def _replace_types(wsdl: etree._Element, contract: Contract) -> None:
    types = wsdl.find(f"{{{WSDL11}}}types")
    types.clear()
    schema = copy.deepcopy(contract.document.getroot())
    for comment in schema.xpath("//comment()"):
        comment.getparent().remove(comment)
    types.append(schema)


def _name_parts(wsdl: etree._Element) -> None:
    for message in wsdl.iterfind(f"{{{WSDL11}}}message"):
        for part in message.iterfind(f"{{{WSDL11}}}part"):
            part.set("name", "fault" if message.get("name") == FAULT_ELEMENT else "parameters")


def _document_operations(wsdl: etree._Element, contract: Contract) -> None:
    """Each operation's documentation is its request element's, so generated code can show it."""
    schema = contract.document.getroot()
    for operation in wsdl.iterfind(f"{{{WSDL11}}}portType/{{{WSDL11}}}operation"):
        for spyne_docstring in operation.findall(f"{{{WSDL11}}}documentation"):
            operation.remove(spyne_docstring)
        request = schema.find(f"{{{XSD}}}element[@name='{operation.get('name')}']")
        text = request.findtext(f"{{{XSD}}}annotation/{{{XSD}}}documentation") if request is not None else None
        if text:
            documentation = etree.Element(f"{{{WSDL11}}}documentation")
            documentation.text = text
            operation.insert(0, documentation)  # WSDL 1.1: documentation comes first


def _declare_headers(wsdl: etree._Element, contract: Contract, version: str) -> None:
    """The optional header blocks of each operation's input: the idempotency key first (SOAP::WSDL's generated
    clients offer only an input's first header, and a write needs its key more), then the correlation id."""
    for element, documentation in HEADER_DOCUMENTATION.items():
        _declare_header_message(wsdl, element, documentation)
    for operation in wsdl.iterfind(f"{{{WSDL11}}}binding/{{{WSDL11}}}operation"):
        canonical = contract.operations.get(operation.get("name", ""))
        writes = canonical is not None and not canonical.read_only
        request = operation.find(f"{{{WSDL11}}}input")
        for element in (KEY_ELEMENT, CORRELATION_ELEMENT) if writes else (CORRELATION_ELEMENT,):
            header = etree.SubElement(request, f"{{{BINDING_NS[version]}}}header", message=f"cn:{element}")
            header.set("part", element)
            header.set("use", "literal")


def _declare_header_message(wsdl: etree._Element, element: str, documentation: str) -> None:
    """A message whose one part is the canonical header element, after the other messages."""
    message = etree.Element(f"{{{WSDL11}}}message", name=element)
    etree.SubElement(message, f"{{{WSDL11}}}documentation").text = documentation
    etree.SubElement(message, f"{{{WSDL11}}}part", name=element, element=f"cn:{element}")
    wsdl.findall(f"{{{WSDL11}}}message")[-1].addnext(message)


def _fix_binding(wsdl: etree._Element, contract: Contract, version: str) -> None:
    soap = BINDING_NS[version]
    for binding in wsdl.iter(f"{{{soap}}}binding"):
        binding.set("transport", SOAP_HTTP)
    for operation in wsdl.iterfind(f"{{{WSDL11}}}binding/{{{WSDL11}}}operation"):
        soap_operation = operation.find(f"{{{soap}}}operation")
        soap_operation.set("soapAction", soap_action(contract, operation.get("name", "")))
    etree.cleanup_namespaces(wsdl, keep_ns_prefixes=sorted(p for p in wsdl.nsmap if p))
