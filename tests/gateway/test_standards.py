"""The published contract against the standards: the WSDL 1.1 and SOAP binding schemas, WS-I Basic
Profile 1.1 rules a document can show, and every kind of fault against the SOAP envelope schemas.

The schemas are the local copies in wsdl/standard/ (nothing is fetched).
"""

from __future__ import annotations

import functools

import pytest
import requests
from lxml import etree

from soapbridge.gateway.wsdl import build_wsdl
from soapbridge.namespaces import CANONICAL, SOAP11_ENV, SOAP12_ENV, WSDL11, WSDL_SOAP11, WSDL_SOAP12, XSD
from tests.conftest import ROOT
from tests.gateway.test_soap_edge import GET_CUSTOMER, envelope
from tests.gateway.test_wsdl import CONTRACT, OPERATIONS

STANDARD = ROOT / "wsdl" / "standard"
SOAP_HTTP = "http://schemas.xmlsoap.org/soap/http"
BINDING = {"1.1": WSDL_SOAP11, "1.2": WSDL_SOAP12}


@functools.cache
def standard_schema(*files: str) -> etree.XMLSchema:
    """One validator over the given standard schemas, imported in order from a driver document."""
    imports = "".join(
        f'<xs:import namespace="{etree.parse(str(STANDARD / name)).getroot().get("targetNamespace")}" '
        f'schemaLocation="{(STANDARD / name).as_uri()}"/>'
        for name in files
    )
    driver = f'<xs:schema xmlns:xs="{XSD}" targetNamespace="urn:soapbridge:test:driver">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(driver, base_url=str(STANDARD / "driver.xsd")))


WSDL_SCHEMAS = {"1.1": ("wsdl.xsd", "wsdl-soap.xsd"), "1.2": ("wsdl.xsd", "wsdl-soap12.xsd")}
ENVELOPE_SCHEMAS = {"1.1": ("soap11-envelope.xsd",), "1.2": ("soap12-envelope.xsd",)}


@pytest.fixture(params=["1.1", "1.2"], ids=["soap11", "soap12"])
def published(request: pytest.FixtureRequest) -> tuple[str, etree._Element]:
    version = request.param
    return version, etree.fromstring(build_wsdl(CONTRACT, OPERATIONS, version))


def assert_valid(schema: etree.XMLSchema, document: etree._Element) -> None:
    assert schema.validate(document), "\n".join(f"line {e.line}: {e.message}" for e in schema.error_log)


def test_the_wsdl_is_valid_wsdl_11_with_its_soap_binding(published: tuple[str, etree._Element]) -> None:
    version, wsdl = published
    assert_valid(standard_schema(*WSDL_SCHEMAS[version]), wsdl)
    # the extensibility elements are validated too: the WSDL schema only checks them laxly
    binding_schema = standard_schema(*WSDL_SCHEMAS[version])
    for element in wsdl.iter(f"{{{BINDING[version]}}}*"):
        assert_valid(binding_schema, element)


def test_a_wsdl_the_standard_refuses_is_refused(published: tuple[str, etree._Element]) -> None:
    """The schemas really constrain: the test above is not vacuous."""
    version, wsdl = published
    wsdl.find(f"{{{WSDL11}}}binding/{{{BINDING[version]}}}binding").set("style", "conversational")
    wsdl.find(f"{{{WSDL11}}}portType").set("bogus", "1")
    schema = standard_schema(*WSDL_SCHEMAS[version])
    assert not schema.validate(wsdl)
    assert not schema.validate(wsdl.find(f"{{{WSDL11}}}binding/{{{BINDING[version]}}}binding"))


def _resolve(element: etree._Element, attribute: str) -> tuple[str, str]:
    prefix, _, local = element.get(attribute, "").rpartition(":")
    return element.nsmap.get(prefix or None, ""), local


def test_basic_profile_document_literal_wrapped(published: tuple[str, etree._Element]) -> None:
    version, wsdl = published
    soap = BINDING[version]
    target = wsdl.get("targetNamespace")
    messages = {m.get("name"): m for m in wsdl.iterfind(f"{{{WSDL11}}}message")}
    operations = {o.get("name"): o for o in wsdl.iterfind(f"{{{WSDL11}}}portType/{{{WSDL11}}}operation")}
    elements = {e.get("name") for e in wsdl.iterfind(f"{{{WSDL11}}}types/{{{XSD}}}schema/{{{XSD}}}element")}
    (binding,) = wsdl.iterfind(f"{{{WSDL11}}}binding")
    soap_binding = binding.find(f"{{{soap}}}binding")
    # R2702, R2705: HTTP transport; one style, document
    assert (soap_binding.get("transport"), soap_binding.get("style")) == (SOAP_HTTP, "document")
    # R2718: the binding has exactly the portType's operations
    assert {o.get("name") for o in binding.iterfind(f"{{{WSDL11}}}operation")} == set(operations)
    assert _resolve(binding, "type") == (target, wsdl.find(f"{{{WSDL11}}}portType").get("name"))
    bodies = []
    for operation in binding.iterfind(f"{{{WSDL11}}}operation"):
        name = operation.get("name")
        soap_operation = operation.find(f"{{{soap}}}operation")
        # a soapAction declared for every operation, and document style throughout (R2705)
        assert soap_operation.get("soapAction") == f"{CANONICAL}/{name}"
        assert soap_operation.get("style", "document") == "document"
        for direction in ("input", "output"):
            body = operation.find(f"{{{WSDL11}}}{direction}/{{{soap}}}body")
            # R2706 literal; R2716 no namespace attribute on document-literal bodies
            assert (body.get("use"), body.get("namespace"), body.get("encodingStyle")) == ("literal", None, None)
            namespace, message_name = _resolve(operations[name].find(f"{{{WSDL11}}}{direction}"), "message")
            assert namespace == target
            # R2201, R2204: one part, by element; wrapped: named "parameters", element named after the operation
            (part,) = messages[message_name].iterfind(f"{{{WSDL11}}}part")
            part_namespace, element = _resolve(part, "element")
            assert (part.get("name"), part.get("type"), part_namespace) == ("parameters", None, CANONICAL)
            assert element == (name if direction == "input" else f"{name}Response") and element in elements
            bodies.append((direction, element))
        for fault in operation.iterfind(f"{{{WSDL11}}}fault"):
            # R2205, R2721: a soap:fault with the wsdl:fault's name, for a one-part element message
            assert fault.find(f"{{{soap}}}fault").get("name") == fault.get("name")
            (port_fault,) = [
                f for f in operations[name].iterfind(f"{{{WSDL11}}}fault") if f.get("name") == fault.get("name")
            ]
            (part,) = messages[_resolve(port_fault, "message")[1]].iterfind(f"{{{WSDL11}}}part")
            assert _resolve(part, "element") == (CANONICAL, "GatewayFault")
    # R2710: every operation has its own input element on the wire
    inputs = [element for direction, element in bodies if direction == "input"]
    assert len(inputs) == len(set(inputs))


def test_every_declared_namespace_is_used(published: tuple[str, etree._Element]) -> None:
    _, wsdl = published
    used = set()
    for element in wsdl.iter(etree.Element):
        used.add(etree.QName(element).namespace)
        used.update(etree.QName(name).namespace for name in element.attrib if name.startswith("{"))
        for value in element.attrib.values():  # QName-valued attributes: message=, element=, type=, base=...
            prefix, colon, _ = value.partition(":")
            if colon and prefix in element.nsmap and "/" not in prefix:
                used.add(element.nsmap[prefix])
    declared = {ns for element in wsdl.iter(etree.Element) for ns in element.nsmap.values()}
    assert declared - used == set()


# ---- faults against the SOAP envelope schemas ---------------------------------------------------

NOT_FOUND = GET_CUSTOMER.replace("1001", "9999")
INVALID = GET_CUSTOMER.replace("1001", "not a number")
MUST_UNDERSTAND = {
    "1.1": '<e:Header><x:Trace xmlns:x="urn:x" e:mustUnderstand="1"/></e:Header>',
    "1.2": '<e:Header><x:Trace xmlns:x="urn:x" e:mustUnderstand="true"/></e:Header>',
}


def _post(base: str, endpoint: str, version: str, body: str, header: str) -> requests.Response:
    """A client speaking SOAP `version` (its envelope and media type) posting to the `endpoint` version's URL."""
    data = envelope(SOAP11_ENV if version == "1.1" else SOAP12_ENV, body, header)
    media_type = "text/xml" if version == "1.1" else "application/soap+xml"
    url = f"{base}/soap{endpoint.replace('.', '')}"
    return requests.post(url, data=data, headers={"Content-Type": media_type}, timeout=10)


FAULTS = {
    # name: (endpoint, version the client speaks, body, header, HTTP status, fault code)
    "not found 1.1": ("1.1", "1.1", NOT_FOUND, "", 500, "Client"),
    "not found 1.2": ("1.2", "1.2", NOT_FOUND, "", 400, "Sender"),
    "invalid 1.1": ("1.1", "1.1", INVALID, "", 500, "Client"),
    "invalid 1.2": ("1.2", "1.2", INVALID, "", 400, "Sender"),
    "1.1 envelope at the 1.2 endpoint": ("1.2", "1.1", GET_CUSTOMER, "", 500, "VersionMismatch"),
    "1.2 envelope at the 1.1 endpoint": ("1.1", "1.2", GET_CUSTOMER, "", 500, "VersionMismatch"),
    "mustUnderstand 1.1": ("1.1", "1.1", GET_CUSTOMER, MUST_UNDERSTAND["1.1"], 500, "MustUnderstand"),
    "mustUnderstand 1.2": ("1.2", "1.2", GET_CUSTOMER, MUST_UNDERSTAND["1.2"], 500, "MustUnderstand"),
}


@pytest.mark.parametrize("case", FAULTS.values(), ids=FAULTS.keys())
def test_faults_validate_against_the_envelope_schema(base_url: str, case: tuple[str, str, str, str, int, str]) -> None:
    endpoint, version, body, header, status, code = case
    response = _post(base_url, endpoint, version, body, header)
    answer = etree.fromstring(response.content)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/xml" if version == "1.1" else "application/soap+xml")
    assert_valid(standard_schema(*ENVELOPE_SCHEMAS[version], "xml.xsd"), answer)
    namespace = SOAP11_ENV if version == "1.1" else SOAP12_ENV
    fault = answer.find(f"{{{namespace}}}Body/{{{namespace}}}Fault")
    element = fault.find("faultcode") if version == "1.1" else fault.find(f"{{{namespace}}}Code/{{{namespace}}}Value")
    prefix, _, local = element.text.partition(":")
    assert (element.nsmap[prefix], local) == (namespace, code)
