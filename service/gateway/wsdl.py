"""The gateway's WSDLs: Spyne writes the service description, the canonical XSD is its types.

Spyne generates messages, portType, binding and service for the canonical operations (it is
cheap here: once per process, never per request). Its types section is replaced with the
canonical XSD itself, so the published types are the single source of truth verbatim, and
the document is brought to WS-I Basic Profile form: one part named "parameters" per message,
a soapAction per operation, the HTTP transport, and no namespace it does not use.

The write operations declare cn:IdempotencyKey as an optional SOAP header in the binding only,
from a message of its own that no portType operation names (an implicit header, WS-I R2719):
generated clients keep their signatures, and those that care (.NET, zeep's _soapheaders) can send it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from functools import lru_cache

from lxml import etree

from .._spyne import Application, Fault, ServiceBase, Soap11, Soap12, Wsdl11, rpc, unregister_application
from ..contract import FAULT_ELEMENT, KEY_ELEMENT, Contract
from ..namespaces import WSDL11, WSDL_SOAP11, WSDL_SOAP12, XSD

SOAP_HTTP = "http://schemas.xmlsoap.org/soap/http"
BINDING_NS = {"1.1": WSDL_SOAP11, "1.2": WSDL_SOAP12}
ADDRESS_PLACEHOLDER = "http://soapbridge.invalid/address"
SERVICE_NAME = "Soapbridge"
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
    _declare_key_header(wsdl, contract, version)
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


def _declare_key_header(wsdl: etree._Element, contract: Contract, version: str) -> None:
    """cn:IdempotencyKey as a header of each write operation's input, from its own message."""
    message = etree.Element(f"{{{WSDL11}}}message", name=KEY_ELEMENT)
    etree.SubElement(
        message, f"{{{WSDL11}}}documentation"
    ).text = "Optional on the write operations: an idempotency key, the same as the HTTP header Idempotency-Key."
    etree.SubElement(message, f"{{{WSDL11}}}part", name=KEY_ELEMENT, element=f"cn:{KEY_ELEMENT}")
    wsdl.findall(f"{{{WSDL11}}}message")[-1].addnext(message)
    for operation in wsdl.iterfind(f"{{{WSDL11}}}binding/{{{WSDL11}}}operation"):
        canonical = contract.operations.get(operation.get("name", ""))
        if canonical is not None and not canonical.read_only:
            body = operation.find(f"{{{WSDL11}}}input/{{{BINDING_NS[version]}}}body")
            header = etree.Element(f"{{{BINDING_NS[version]}}}header", message=f"cn:{KEY_ELEMENT}", part=KEY_ELEMENT)
            header.set("use", "literal")
            body.addnext(header)


def _fix_binding(wsdl: etree._Element, contract: Contract, version: str) -> None:
    soap = BINDING_NS[version]
    for binding in wsdl.iter(f"{{{soap}}}binding"):
        binding.set("transport", SOAP_HTTP)
    for operation in wsdl.iterfind(f"{{{WSDL11}}}binding/{{{WSDL11}}}operation"):
        soap_operation = operation.find(f"{{{soap}}}operation")
        soap_operation.set("soapAction", soap_action(contract, operation.get("name", "")))
    etree.cleanup_namespaces(wsdl, keep_ns_prefixes=sorted(p for p in wsdl.nsmap if p))
