"""The mock's dispatch, checks, faults, canned responses and published documents, in process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from soapbridge.errors import ConfigError, UsageError
from soapbridge.toolkit.mock import Endpoint, Mock, load_mock
from soapbridge.wsdlmodel import load_wsdl
from tests.conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "mock"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
BILLING = "urn:example-billing:InvoiceService"
WX = "http://aerowx.example.net/WxFeed/2005/03/types"


def _mock(wsdl: str, responses: Path | None = None) -> tuple[Mock, Endpoint]:
    mock = load_mock(load_wsdl(ROOT / "wsdl" / wsdl), responses_dir=responses)
    return mock, next(iter(mock.endpoints.values()))


def _envelope(body: str, namespace: str = SOAP11) -> bytes:
    return f'<s:Envelope xmlns:s="{namespace}"><s:Body>{body}</s:Body></s:Envelope>'.encode()


def _fault(answer: bytes) -> tuple[str, str]:
    root = etree.fromstring(answer)
    code = root.findtext(".//faultcode") or root.findtext(f".//{{{SOAP12}}}Value") or ""
    reason = root.findtext(".//faultstring") or root.findtext(f".//{{{SOAP12}}}Text") or ""
    return code, reason


def _accounts(account: str) -> bytes:
    return _envelope(
        f'<b:getAccountInvoices xmlns:b="{BILLING}"><accountNo>{account}</accountNo></b:getAccountInvoices>'
    )


def test_a_valid_rpc_request_gets_a_sample_of_the_output() -> None:
    mock, endpoint = _mock("billing/InvoiceService.wsdl")
    status, answer = mock.answer(endpoint, _accounts("ACC-1001001"), {})
    assert status == "200 OK"
    response = etree.fromstring(answer).find(f"{{{SOAP11}}}Body/{{{BILLING}}}getAccountInvoicesResponse")
    assert response is not None
    assert [child.tag for child in response] == ["accountNo", "invoices"]


def test_an_invalid_request_gets_a_client_fault_with_every_problem_located() -> None:
    mock, endpoint = _mock("billing/InvoiceService.wsdl")
    request = _envelope(
        f'<b:getAccountInvoices xmlns:b="{BILLING}">\n<accountNo>ACC-1</accountNo>\n<extra/></b:getAccountInvoices>'
    )
    status, answer = mock.answer(endpoint, request, {})
    code, reason = _fault(answer)
    assert (status, code) == ("500 Internal Server Error", "soapenv:Client")
    assert "line 3, /Envelope/Body/getAccountInvoices/extra" in reason
    problems = etree.fromstring(answer).findall(".//{urn:soapbridge:mock}problem")
    assert [(p.get("line"), p.get("path")) for p in problems] == [("3", "/Envelope/Body/getAccountInvoices/extra")]


def test_soap12_faults_say_sender_with_http_400() -> None:
    mock, endpoint = _mock("weather/WxFeed.wsdl")
    request = _envelope(f'<wx:GetCurrentObservation xmlns:wx="{WX}"><wx:Station/></wx:GetCurrentObservation>', SOAP12)
    status, answer = mock.answer(endpoint, request, {})
    code, reason = _fault(answer)
    assert (status, code) == ("400 Bad Request", "soapenv:Sender")
    assert "/Envelope/Body/GetCurrentObservation/Station" in reason


@pytest.mark.parametrize(
    ("request_body", "expected_code", "expected_reason"),
    [
        (b"<not-xml", "soapenv:Client", "not well-formed"),
        (b"<!DOCTYPE x [<!ENTITY e 'x'>]><x>&e;</x>", "soapenv:Client", "DOCTYPE"),
        (b"<plain/>", "soapenv:Client", "not a SOAP envelope"),
        (_envelope("<nothing/>"), "soapenv:Client", "accepts nothing"),
        (_envelope(""), "soapenv:Client", "Body is empty"),
        (_envelope(f'<b:getAccountInvoices xmlns:b="{BILLING}"/>', SOAP12), "soapenv:VersionMismatch", "SOAP 1.2"),
    ],
)
def test_bad_requests_get_faults_never_a_traceback(
    request_body: bytes, expected_code: str, expected_reason: str
) -> None:
    mock, endpoint = _mock("billing/InvoiceService.wsdl")
    status, answer = mock.answer(endpoint, request_body, {})
    code, reason = _fault(answer)
    assert status == "500 Internal Server Error"
    assert code == expected_code
    assert expected_reason in reason


def test_canned_files_answer_and_the_index_selects_by_xpath() -> None:
    mock, endpoint = _mock("billing/InvoiceService.wsdl", FIXTURES / "billing")
    status, answer = mock.answer(endpoint, _accounts("ACC-1001001"), {})
    assert status == "200 OK"
    assert etree.fromstring(answer).findtext(".//invoiceNo") == "INV-2024-0042"
    status, answer = mock.answer(endpoint, _accounts("ACC-9999999"), {})
    assert status == "500 Internal Server Error"
    assert _fault(answer) == ("soapenv:Client", "unknown account ACC-9999999")


def test_a_body_element_file_is_wrapped_in_the_ports_soap_version() -> None:
    mock, endpoint = _mock("weather/WxFeed.wsdl", FIXTURES / "weather")
    request = _envelope(
        f'<wx:GetCurrentObservation xmlns:wx="{WX}"><wx:StationICAO>KLAX</wx:StationICAO></wx:GetCurrentObservation>',
        SOAP12,
    )
    status, answer = mock.answer(endpoint, request, {"content-type": "application/soap+xml"})
    root = etree.fromstring(answer)
    assert (status, root.tag) == ("200 OK", f"{{{SOAP12}}}Envelope")
    assert root.findtext(f".//{{{WX}}}StationICAO") == "KLAX"


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        ('[[nosuchOp]]\nfile = "getAccountInvoices.xml"\n', "index.toml: nosuchOp: unknown operation nosuchOp"),
        (
            '[[getAccountInvoices]]\nfile = "missing.xml"\n',
            "index.toml: getAccountInvoices[0].file: no file missing.xml",
        ),
        (
            '[[getAccountInvoices]]\nwhen = "//["\nfile = "getAccountInvoices.xml"\n',
            "index.toml: getAccountInvoices[0].when: not a valid XPath expression",
        ),
        ('[[response]]\nfile = "getAccountInvoices.xml"\n', "index.toml: response[0].operation: missing"),
        ('[[getAccountInvoices]]\nfile = "../x.xml"\nif = "1"\n', "index.toml: getAccountInvoices[0].if: unknown key"),
    ],
)
def test_a_bad_index_fails_at_start_up_naming_file_and_key(tmp_path: Path, index: str, expected: str) -> None:
    shutil.copy(FIXTURES / "billing" / "getAccountInvoices.xml", tmp_path)
    (tmp_path / "index.toml").write_text(index)
    with pytest.raises(ConfigError) as raised:
        _mock("billing/InvoiceService.wsdl", tmp_path)
    assert expected in raised.value.message


def test_an_operation_name_that_prefixes_another_does_not_take_its_files(tmp_path: Path) -> None:
    (tmp_path / "getAccountInvoicesX.xml").write_text("<nope/>")
    mock, _ = _mock("billing/InvoiceService.wsdl", tmp_path)
    assert mock.responses is not None
    assert mock.responses.choose("getAccountInvoices", etree.fromstring(_accounts("ACC-1001001"))) is None


def test_the_published_wsdl_and_its_schemas_point_at_the_mock() -> None:
    mock, _ = _mock("weather/WxFeed.wsdl")
    wsdl = etree.fromstring(mock.publication.top("http://127.0.0.1:9"))
    address = wsdl.find(".//{http://schemas.xmlsoap.org/wsdl/soap12/}address")
    assert address is not None and address.get("location") == "http://127.0.0.1:9/WxFeedSoap12"
    imported = wsdl.find(".//{http://www.w3.org/2001/XMLSchema}import")
    assert imported is not None
    location = imported.get("schemaLocation", "")
    assert location.startswith("http://127.0.0.1:9/documents/") and location.endswith("/WxFeedTypes.xsd")
    schema = mock.publication.document(location.removeprefix("http://127.0.0.1:9"), "http://127.0.0.1:9")
    assert schema is not None and b"ForecastType" in schema


def test_an_unknown_binding_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no SOAP binding named Nope; the WSDL's SOAP bindings: WxFeedSoap12"):
        load_mock(load_wsdl(ROOT / "wsdl/weather/WxFeed.wsdl"), binding="Nope")
