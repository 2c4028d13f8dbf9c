"""`soapbridge mock` as a real process on loopback, called by zeep clients built from its ?wsdl."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import zeep
import zeep.exceptions

from soapbridge.cli import main
from tests.conftest import ROOT
from tests.corpora import WSDL, required

FIXTURES = ROOT / "tests" / "toolkit" / "fixtures" / "mock"
CORPUS = WSDL / "wsdl-to-postman" / "validWSDLs11"


@contextmanager
def running_mock(*arguments: str | Path) -> Iterator[dict[str, str]]:
    """The mock's endpoints by label (Service/Port); the process is stopped, and must exit 0, at the end."""
    command = [sys.executable, "-m", "soapbridge", "mock", *map(str, arguments), "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        endpoints = {}
        for line in process.stdout:
            if line.strip() == "ready":
                break
            _, label, _, version, url = line.split()
            assert version in ("1.1", "1.2") and url.startswith("http://127.0.0.1:")
            endpoints[label] = url
        else:
            pytest.fail(f"the mock did not start: {process.stderr.read() if process.stderr else ''}")
        yield endpoints
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
    assert code == 0


def _client(url: str) -> zeep.Client:
    return zeep.Client(url + "?wsdl")


def test_crm_answers_a_sample() -> None:
    with running_mock("wsdl/crm/ZCRM_CUSTOMER_V3.wsdl") as endpoints:
        customer = _client(endpoints["ZCRM_CUSTOMER_V3/ZCRM_CUSTOMER_V3_SOAP"]).service.Z_CRM_CUSTOMER_READ(
            IV_KUNNR="0000001002"
        )
    assert customer.STATUS == "A"
    assert customer.ERDAT == "0"
    assert [tag.TAG for tag in customer.T_TAGS.item] == ["string"]


def test_billing_rpc_answers_a_sample() -> None:
    with running_mock("wsdl/billing/InvoiceService.wsdl") as endpoints:
        result = _client(endpoints["InvoiceServiceService/InvoiceService"]).service.getAccountInvoices("ACC-1001001")
    assert re.fullmatch(r"ACC-[0-9]{6,10}", result.accountNo)
    (invoice,) = result.invoices.item
    assert (invoice.statusCode, invoice.currency, invoice.totalCents) == ("O", "AAA", 1)


def test_weather_soap12_with_imported_types_answers_a_sample() -> None:
    with running_mock("wsdl/weather/WxFeed.wsdl") as endpoints:
        answer = _client(endpoints["WxFeed/WxFeedSoap12"]).service.GetDailyForecast(StationICAO="EDDF", NumDays=3)
    forecast = answer.Forecast  # beside the feed's in-band error fields (IsError, ErrorCode, ErrorMessage)
    assert forecast.StationICAO == "AAAA"
    assert [day.WxCode for day in forecast.Day] == ["SKC"]


def test_mailing_answers_a_sample() -> None:
    with running_mock("wsdl/mailing/ListPostApi.wsdl") as endpoints:
        subscriber = _client(endpoints["ListPostApiService/ListPostApiPort"]).service.subscribe(
            listId="news", email="a@example.com"
        )
    assert (subscriber.subscriberId, subscriber.status) == (1, 0)


def test_billing_answers_canned_files_chosen_by_the_index() -> None:
    with running_mock("wsdl/billing/InvoiceService.wsdl", "--responses", FIXTURES / "billing") as endpoints:
        service = _client(endpoints["InvoiceServiceService/InvoiceService"]).service
        result = service.getAccountInvoices("ACC-1001001")
        with pytest.raises(zeep.exceptions.Fault) as fault:
            service.getAccountInvoices("ACC-9999999")
        confirmation = service.postPayment("INV-1", 100, "EUR", "01.03.2024", "ref")  # no file: a sample
    assert [invoice.invoiceNo for invoice in result.invoices.item] == ["INV-2024-0042"]
    assert fault.value.message == "unknown account ACC-9999999"
    assert confirmation.statusCode == "O"


def test_weather_answers_canned_envelopes_and_body_files() -> None:
    with running_mock("wsdl/weather/WxFeed.wsdl", "--responses", FIXTURES / "weather") as endpoints:
        service = _client(endpoints["WxFeed/WxFeedSoap12"]).service
        frankfurt = service.GetCurrentObservation(StationICAO="EDDF")
        los_angeles = service.GetCurrentObservation(StationICAO="KLAX")
    assert (frankfurt.StationICAO, frankfurt.TempF10) == ("EDDF", 482)
    assert (los_angeles.StationICAO, los_angeles.WxCode) == ("KLAX", "CLR")


def test_an_invalid_request_over_http_gets_a_fault_with_the_path() -> None:
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
        '<b:getAccountInvoices xmlns:b="urn:example-billing:InvoiceService"><account>ACC-1</account>'
        "</b:getAccountInvoices></soapenv:Body></soapenv:Envelope>"
    )
    with running_mock("wsdl/billing/InvoiceService.wsdl") as endpoints:
        response = requests.post(
            endpoints["InvoiceServiceService/InvoiceService"],
            data=envelope,
            headers={
                "Content-Type": "text/xml",
                "SOAPAction": '"urn:example-billing:InvoiceService#getAccountInvoices"',
            },
            timeout=10,
        )
    assert response.status_code == 500
    assert "<faultcode>soapenv:Client</faultcode>" in response.text
    assert 'path="/Envelope/Body/getAccountInvoices/account"' in response.text


def test_a_third_party_wsdl_with_soap11_and_soap12_ports() -> None:
    wsdl = required(CORPUS / "calculator-soap11and12.wsdl")
    with running_mock(wsdl) as endpoints:
        assert sorted(endpoints) == ["Calculator/CalculatorSoap", "Calculator/CalculatorSoap12"]
        for label, url in endpoints.items():
            client = _client(url)
            service = client.bind("Calculator", label.split("/")[1])
            assert service.Add(intA=2, intB=3) == 1


def test_numberconversion_is_mocked_and_called() -> None:
    wsdl = required(CORPUS / "numberConvertion.wsdl")
    with running_mock(wsdl, "--binding", "NumberConversionSoapBinding") as endpoints:
        (url,) = endpoints.values()
        assert _client(url).service.NumberToWords(ubiNum=42) == "string"


def test_usage_errors_exit_2_and_bad_input_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mock", str(tmp_path / "missing.wsdl")]) == 2
    assert "no WSDL file" in capsys.readouterr().err
    assert main(["mock", "wsdl/weather/WxFeed.wsdl", "--responses", str(tmp_path / "none")]) == 2
    assert "no responses folder" in capsys.readouterr().err
    (tmp_path / "index.toml").write_text('[[Nope]]\nfile = "x.xml"\n')
    assert main(["mock", str(ROOT / "wsdl/weather/WxFeed.wsdl"), "--responses", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith(f"soapbridge: {tmp_path / 'index.toml'}: Nope: unknown operation Nope")
    assert main(["mock", str(ROOT / "wsdl/weather/WxFeed.wsdl"), "--binding", "Nope"]) == 2
    (tmp_path / "bad.wsdl").write_text("<definitions")
    assert main(["mock", str(tmp_path / "bad.wsdl")]) == 1
    assert "not well-formed" in capsys.readouterr().err


def test_help_documents_the_index_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["mock", "--help"])
    text = capsys.readouterr().out
    assert "index.toml" in text and "[[response]]" in text and "when =" in text
