"""check_message: a Body's children against the WSDL's message, every problem with its line and path."""

from __future__ import annotations

from lxml import etree

from soapbridge.wsdlmodel import Message, Wsdl, check_message, load_wsdl
from soapbridge.xmlcheck import Problem
from tests.conftest import ROOT

CRM = load_wsdl(ROOT / "wsdl" / "crm" / "ZCRM_CUSTOMER_V3.wsdl")
BILLING = load_wsdl(ROOT / "wsdl" / "billing" / "InvoiceService.wsdl")


def _message(wsdl: Wsdl, operation: str, direction: str = "input") -> Message:
    found = wsdl.bindings[0].operation(operation)
    assert found is not None
    message = found.input if direction == "input" else found.output
    assert message is not None
    return message


def _check(wsdl: Wsdl, message: Message, body: str) -> list[Problem]:
    return check_message(wsdl, message, list(etree.fromstring(body)))


def test_a_valid_document_literal_request_has_no_problem() -> None:
    body = (
        '<Body><n0:Z_CRM_CUSTOMER_READ xmlns:n0="urn:example-erp:crm:customer:v3">'
        "<IV_KUNNR>0000001001</IV_KUNNR></n0:Z_CRM_CUSTOMER_READ></Body>"
    )
    assert _check(CRM, _message(CRM, "Z_CRM_CUSTOMER_READ"), body) == []


def test_every_problem_of_a_document_literal_request_is_reported_with_line_and_path() -> None:
    body = """<Body>
<n0:Z_CRM_CUSTOMER_READ xmlns:n0="urn:example-erp:crm:customer:v3">
  <IV_KUNNR>00000010011</IV_KUNNR>
  <EXTRA/>
</n0:Z_CRM_CUSTOMER_READ>
</Body>"""
    problems = _check(CRM, _message(CRM, "Z_CRM_CUSTOMER_READ"), body)
    assert [(p.line, p.path) for p in problems] == [
        (3, "/Body/Z_CRM_CUSTOMER_READ/IV_KUNNR"),
        (4, "/Body/Z_CRM_CUSTOMER_READ/EXTRA"),
    ]
    assert problems[0].reason.startswith("IV_KUNNR: the value has a length of '11'")
    assert problems[1].reason == "EXTRA: this element is not expected"


def test_the_wrong_element_in_the_body_is_named() -> None:
    body = '<Body>\n<n0:Z_CRM_CUSTOMER_SEARCH xmlns:n0="urn:example-erp:crm:customer:v3"/></Body>'
    (problem,) = _check(CRM, _message(CRM, "Z_CRM_CUSTOMER_READ"), body)
    assert problem == Problem(
        "the Body should hold Z_CRM_CUSTOMER_READ, but holds Z_CRM_CUSTOMER_SEARCH",
        2,
        None,
        "/Body/Z_CRM_CUSTOMER_SEARCH",
    )


def test_a_valid_rpc_literal_request_has_no_problem() -> None:
    body = (
        '<Body><ns:postPayment xmlns:ns="urn:example-billing:InvoiceService"><invoiceNo>INV-1</invoiceNo>'
        "<amountCents>1250</amountCents><currency>EUR</currency><valueDate>01.02.2024</valueDate>"
        "<reference>r</reference></ns:postPayment></Body>"
    )
    assert _check(BILLING, _message(BILLING, "postPayment"), body) == []


def test_rpc_problems_are_located_on_the_original_wrapper() -> None:
    body = """<Body>
<ns:postPayment xmlns:ns="urn:example-billing:InvoiceService">
  <invoiceNo>INV-1</invoiceNo>
  <amountCents>12.5</amountCents>
  <currency>EUR</currency>
  <valueDate>01.02.2024</valueDate>
</ns:postPayment>
</Body>"""
    problems = _check(BILLING, _message(BILLING, "postPayment"), body)
    assert [(p.line, p.path) for p in problems] == [
        (4, "/Body/postPayment/amountCents"),
        (2, "/Body/postPayment"),
    ]
    assert problems[0].reason == "amountCents: '12.5' is not a valid value of the atomic type 'xs:long'"
    assert problems[1].reason.startswith("postPayment: missing child element(s)")


def test_an_rpc_response_is_checked_against_its_typed_part() -> None:
    body = """<Body>
<ns:postPaymentResponse xmlns:ns="urn:example-billing:InvoiceService">
  <confirmation><paymentNo>x</paymentNo></confirmation>
</ns:postPaymentResponse>
</Body>"""
    problems = _check(BILLING, _message(BILLING, "postPayment", "output"), body)
    assert problems and problems[0].path == "/Body/postPaymentResponse/confirmation/paymentNo"
    assert problems[0].line == 3
