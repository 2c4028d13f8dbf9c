"""The four legacy WSDLs read into the model: services, bindings, SOAP versions, styles, actions, body tags."""

from __future__ import annotations

from pathlib import Path

import pytest

from soapbridge.wsdlmodel import Wsdl, load_wsdl
from tests.conftest import ROOT

CRM = "urn:example-erp:crm:customer:v3"
BILLING = "urn:example-billing:InvoiceService"
WEATHER = "http://aerowx.example.net/WxFeed/2005/03/"
MAILING = "http://api.listpost.example.com/soap/2011/"


def _load(path: str) -> Wsdl:
    return load_wsdl(ROOT / "wsdl" / path)


@pytest.mark.parametrize(
    ("path", "binding", "protocol", "version", "style", "address"),
    [
        ("crm/ZCRM_CUSTOMER_V3.wsdl", f"{{{CRM}}}ZCRM_CUSTOMER_V3_BINDING", "soap11", "1.1", "document", "/crm"),
        ("billing/InvoiceService.wsdl", f"{{{BILLING}}}InvoiceServiceSoapBinding", "soap11", "1.1", "rpc", "/billing"),
        ("weather/WxFeed.wsdl", f"{{{WEATHER}}}WxFeedSoap12", "soap12", "1.2", "document", "/weather"),
        ("mailing/ListPostApi.wsdl", f"{{{MAILING}}}ListPostApiBinding", "soap11", "1.1", "document", "/mailing"),
    ],
)
def test_each_legacy_wsdl_has_one_bound_port(
    path: str, binding: str, protocol: str, version: str, style: str, address: str
) -> None:
    wsdl = _load(path)
    (only,) = wsdl.bindings
    assert (only.name, only.protocol, only.soap_version, only.style) == (binding, protocol, version, style)
    assert only.transport == "http://schemas.xmlsoap.org/soap/http"
    (port,) = wsdl.ports
    assert port.binding is only
    assert port.address == f"http://localhost:8080{address}"
    assert wsdl.warnings == ()
    assert wsdl.soap_bindings(version) == (only,)


def test_crm_is_document_literal_with_wrapper_elements_and_sap_soap_actions() -> None:
    binding = _load("crm/ZCRM_CUSTOMER_V3.wsdl").bindings[0]
    assert [op.name for op in binding.operations] == [
        "Z_CRM_CUSTOMER_READ",
        "Z_CRM_CUSTOMER_SEARCH",
        "Z_CRM_CUSTOMER_UPDATE",
        "Z_CRM_CUSTOMER_CHANGES_READ",
    ]
    read = binding.operation("Z_CRM_CUSTOMER_READ")
    assert read is not None and read.input is not None and read.output is not None
    assert read.soap_action == f"{CRM}:ZCRM_CUSTOMER_V3:Z_CRM_CUSTOMER_READRequest"
    assert (read.style, read.input.use, read.input.wrapper) == ("document", "literal", None)
    assert read.input.body_tags == (f"{{{CRM}}}Z_CRM_CUSTOMER_READ",)
    assert read.output.body_tags == (f"{{{CRM}}}Z_CRM_CUSTOMER_READResponse",)
    assert [fault.name for fault in read.faults] == [f"{{{CRM}}}ZCX_CRM_NOT_FOUND", f"{{{CRM}}}ZCX_CRM_NO_AUTHORITY"]


def test_billing_is_rpc_literal_with_typed_parts_in_a_wrapper() -> None:
    binding = _load("billing/InvoiceService.wsdl").bindings[0]
    payment = binding.operation("postPayment")
    assert payment is not None and payment.input is not None and payment.output is not None
    assert payment.soap_action == f"{BILLING}#postPayment"
    assert payment.input.wrapper == f"{{{BILLING}}}postPayment"
    assert payment.output.body_tags == (f"{{{BILLING}}}postPaymentResponse",)
    assert [(p.name, p.element, p.type) for p in payment.input.parts][:2] == [
        ("invoiceNo", None, "{http://www.w3.org/2001/XMLSchema}string"),
        ("amountCents", None, "{http://www.w3.org/2001/XMLSchema}long"),
    ]
    assert payment.output.parts[0].type == f"{{{BILLING}}}PaymentConfirmation"


def test_weather_is_soap12_with_elements_from_its_imported_schema() -> None:
    binding = _load("weather/WxFeed.wsdl").bindings[0]
    forecast = binding.operation("GetDailyForecast")
    assert forecast is not None and forecast.input is not None
    assert forecast.soap_action == f"{WEATHER}GetDailyForecast"
    assert forecast.input.body_tags == ("{http://aerowx.example.net/WxFeed/2005/03/types}GetDailyForecast",)


def test_operation_for_finds_the_operation_and_direction_of_a_body_tag() -> None:
    binding = _load("mailing/ListPostApi.wsdl").bindings[0]
    found = binding.operation_for(f"{{{MAILING}}}unsubscribeResponse")
    assert found is not None
    operation, direction = found
    assert (operation.name, direction) == ("unsubscribe", "output")
    assert operation.soap_action == f"{MAILING}unsubscribe"
    assert binding.operation_for(f"{{{MAILING}}}nothing") is None


def test_a_port_naming_its_binding_in_the_wrong_namespace_finds_it_with_a_warning() -> None:
    wsdl = load_wsdl(Path(__file__).parent / "fixtures" / "misqualified-binding.wsdl")
    (port,) = wsdl.ports
    assert port.binding.name == "{urn:example:real}PingBinding"
    assert [op.soap_action for op in port.binding.operations] == ["ping"]
    assert wsdl.warnings == (
        "port PingPort refers to binding PingBinding (urn:example:typo), which is not defined;"
        " using PingBinding (urn:example:real)",
    )
