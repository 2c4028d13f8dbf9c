"""Samples generated from a WSDL's types are valid for libxml2, for our WSDLs and third-party ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from soapbridge.toolkit.sample import sample_body
from soapbridge.toolkit.samplevalues import simple_value
from soapbridge.wsdlmodel import load_wsdl
from tests.conftest import ROOT
from tests.corpora import WSDL, required

CORPUS = WSDL
LEGACY = [
    ROOT / "wsdl/crm/ZCRM_CUSTOMER_V3.wsdl",
    ROOT / "wsdl/billing/InvoiceService.wsdl",
    ROOT / "wsdl/weather/WxFeed.wsdl",
    ROOT / "wsdl/mailing/ListPostApi.wsdl",
]
THIRD_PARTY = [
    CORPUS / "wsdl-to-postman/validWSDLs11" / name
    for name in (
        "calculator-soap11and12.wsdl",
        "numberConvertion.wsdl",
        "countryInformation.wsdl",
        "TexasGeocoderService_V04_01.wsdl",
        "elementFormDefaultQualified.wsdl",
        "ChoiceInProperties.wsdl",
        "CalculatorChoice.wsdl",
    )
] + [CORPUS / "node-soap" / name for name in ("rpcexample.wsdl", "recursive.wsdl", "recursive_with_ref.wsdl")]


def _messages(path: Path) -> list[tuple[str, str]]:
    wsdl = load_wsdl(path)
    return [(op.name, d) for b in wsdl.soap_bindings() for op in b.operations for d in ("input", "output")]


@pytest.mark.parametrize("path", LEGACY + THIRD_PARTY, ids=lambda p: p.name)
def test_every_sample_is_valid(path: Path) -> None:
    wsdl = load_wsdl(required(path))
    checked = 0
    for binding in wsdl.soap_bindings():
        for operation in binding.operations:
            for message in (operation.input, operation.output):
                if message is None:
                    continue
                children, problems = sample_body(wsdl, message)
                assert problems == [], f"{operation.name}: {problems}"
                assert [child.tag for child in children] == list(message.body_tags)
                checked += 1
    assert checked > 0


def test_an_rpc_sample_is_the_wrapper_with_unqualified_parts_of_their_types() -> None:
    wsdl = load_wsdl(ROOT / "wsdl/billing/InvoiceService.wsdl")
    operation = wsdl.soap_bindings()[0].operation("getAccountInvoices")
    assert operation is not None and operation.output is not None
    (wrapper,), _ = sample_body(wsdl, operation.output)
    assert wrapper.tag == "{urn:example-billing:InvoiceService}getAccountInvoicesResponse"
    assert [child.tag for child in wrapper] == ["accountNo", "invoices"]
    assert wrapper.findtext("accountNo") == "ACC-000000"  # the pattern ACC-[0-9]{6,10}
    invoice = wrapper.find("invoices/item")
    assert invoice is not None, "optional elements are filled in once"
    assert invoice.findtext("issueDate") == "00.00.0000"  # the pattern [0-3][0-9]\.[01][0-9]\.[0-9]{4}
    assert invoice.findtext("statusCode") == "O"  # the first enumeration value
    assert invoice.findtext("currency") == "AAA"


def test_a_document_sample_respects_ranges_and_enumerations() -> None:
    wsdl = load_wsdl(ROOT / "wsdl/weather/WxFeed.wsdl")
    operation = wsdl.soap_bindings()[0].operation("GetCurrentObservation")
    assert operation is not None and operation.output is not None
    (response,), _ = sample_body(wsdl, operation.output)
    ns = {"wx": "http://aerowx.example.net/WxFeed/2005/03/types"}
    assert response.findtext("wx:Observation/wx:StationICAO", namespaces=ns) == "AAAA"
    assert response.findtext("wx:Observation/wx:WxCode", namespaces=ns) == "SKC"
    altimeter = int(response.findtext("wx:Observation/wx:AltimeterInHg100", namespaces=ns) or 0)
    assert altimeter >= 2500  # its type's minInclusive, which 1 would break


def test_recursion_is_cut_off() -> None:
    wsdl = load_wsdl(required(CORPUS / "node-soap/recursive.wsdl"))
    for binding in wsdl.soap_bindings():
        for operation in binding.operations:
            assert operation.output is not None
            children, _ = sample_body(wsdl, operation.output)
            depth = max(len(list(element.iterancestors())) for child in children for element in child.iter())
            assert depth < 20


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            '<xs:simpleType name="t"><xs:restriction base="xs:string"><xs:pattern value="[A-Z]{2}-\\d{3}"/>'
            "</xs:restriction></xs:simpleType>",
            "AA-000",
        ),
        (
            '<xs:simpleType name="t"><xs:restriction base="xs:int"><xs:minInclusive value="10"/>'
            '<xs:maxInclusive value="20"/></xs:restriction></xs:simpleType>',
            "10",
        ),
        (
            '<xs:simpleType name="t"><xs:restriction base="xs:string"><xs:length value="4"/>'
            "</xs:restriction></xs:simpleType>",
            "aaaa",
        ),
        (
            '<xs:simpleType name="t"><xs:restriction base="xs:token"><xs:enumeration value="B"/>'
            '<xs:enumeration value="C"/></xs:restriction></xs:simpleType>',
            "B",
        ),
        ('<xs:simpleType name="t"><xs:restriction base="xs:date"/></xs:simpleType>', "2024-01-15"),
        ('<xs:simpleType name="t"><xs:list itemType="xs:boolean"/></xs:simpleType>', "true"),
    ],
)
def test_simple_values_satisfy_their_facets(schema: str, expected: str) -> None:
    import xmlschema

    model = xmlschema.XMLSchema10(
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t">{schema}</xs:schema>'
    )
    xsd_type = model.maps.types["{urn:t}t"]
    value = simple_value(xsd_type)
    assert value == expected
    assert xsd_type.is_valid(value)


def test_samples_serialize_with_a_named_prefix_not_a_default_namespace() -> None:
    wsdl = load_wsdl(ROOT / "wsdl/mailing/ListPostApi.wsdl")
    operation = wsdl.soap_bindings()[0].operation("subscribe")
    assert operation is not None and operation.output is not None
    (response,), _ = sample_body(wsdl, operation.output)
    text = etree.tostring(response).decode()
    assert text.startswith('<m:subscribeResponse xmlns:m="http://api.listpost.example.com/soap/2011/">')
    assert "<subscriber><subscriberId>" in text
