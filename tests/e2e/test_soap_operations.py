"""Every canonical operation through zeep clients generated from the live WSDLs (SOAP 1.1 and 1.2)."""

from __future__ import annotations

import math
import uuid
from decimal import Decimal

import pytest
import requests
import zeep
from lxml import etree

from tests.running import RunningGateway

WX = "http://aerowx.example.net/WxFeed/2005/03/types"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"


def fahrenheit_tenths_to_celsius(tenths: int) -> float:
    """The same double arithmetic and rounding (XPath round: floor(x + 0.5)) as the stylesheet."""
    return math.floor(((tenths / 10) - 32) * 5 / 9 * 10 + 0.5) / 10


def knots_to_kph(knots: int) -> float:
    return math.floor(knots * 1.852 * 10 + 0.5) / 10


def test_get_customer(soap: zeep.Client) -> None:
    customer = soap.service.GetCustomer(customerId="1001")
    assert (customer.id, customer.name, customer.email) == ("1001", "Ada Lovelace", "ada.lovelace@example.com")
    assert (customer.status, customer.address.city, customer.address.country) == ("active", "London", "GB")
    assert str(customer.since) == "2015-03-10"


def test_search_customers_returns_every_match(soap: zeep.Client) -> None:
    london = soap.service.SearchCustomers(city="London")
    assert len(london) >= 2
    assert {"Ada Lovelace"} <= {c.name for c in london}
    assert {c.address.city for c in london} == {"London"}


def test_search_customers_with_one_match_is_still_a_list(soap: zeep.Client) -> None:
    arlington = soap.service.SearchCustomers(city="Arlington")
    assert [c.name for c in arlington] == ["Grace Hopper"]


def test_search_customers_by_status(soap: zeep.Client) -> None:
    inactive = soap.service.SearchCustomers(status="inactive")
    assert "Alan Turing" in {c.name for c in inactive}
    assert {c.status for c in inactive} == {"inactive"}


def test_update_customer_changes_what_later_reads_see(soap: zeep.Client) -> None:
    customer = soap.service.GetCustomer(customerId="1003")
    phone = "+44 161 555 " + ("0111" if "soap11" in soap.wsdl.location else "0112")
    customer.phone = phone
    updated = soap.service.UpdateCustomer(customer=customer)
    assert updated.phone == phone
    assert soap.service.GetCustomer(customerId="1003").phone == phone


def test_list_invoices(soap: zeep.Client) -> None:
    invoices = soap.service.ListInvoices(customerId="1002")
    assert invoices and {i.currency for i in invoices} == {"USD"}
    assert {i.customerId for i in invoices} == {"1002"}
    for invoice in invoices:
        assert sum(line.amount for line in invoice.line) == invoice.total
    assert {i.status for i in soap.service.ListInvoices(customerId="1001", status="overdue")} == {"overdue"}


def test_record_payment_reduces_the_outstanding_amount(soap: zeep.Client) -> None:
    def outstanding() -> Decimal:
        return next(i.outstanding for i in soap.service.ListInvoices(customerId="1001") if i.id == "INV-2024-0242")

    before = outstanding()
    receipt = soap.service.RecordPayment(
        invoiceId="INV-2024-0242", amount=Decimal("1.25"), currency="GBP", paidOn="2026-11-20", reference="e2e test"
    )
    assert (receipt.invoiceId, receipt.currency, receipt.status) == ("INV-2024-0242", "GBP", "applied")
    assert receipt.remainingBalance == before - Decimal("1.25") == outstanding()
    assert receipt.paymentId


def test_current_weather_converts_units(soap: zeep.Client, gateway: RunningGateway) -> None:
    before = _raw_observation(gateway, "EGLL")
    observation = soap.service.GetCurrentWeather(stationId="EGLL")
    after = _raw_observation(gateway, "EGLL")
    expected = [
        (
            fahrenheit_tenths_to_celsius(int(raw["TempF10"])),
            knots_to_kph(int(raw["WindSpeedKt"])),
            int(raw["RelHumPct"]),
        )
        for raw in (before, after)
    ]
    got = (float(observation.temperatureC), float(observation.windKph), observation.humidityPercent)
    assert got in expected
    assert observation.stationId == "EGLL"
    assert observation.observedAt.tzinfo is not None and observation.observedAt.utcoffset().total_seconds() == 0


def test_forecast_has_the_days_asked_for(soap: zeep.Client) -> None:
    forecast = soap.service.GetForecast(stationId="KJFK", days=3)
    assert forecast.stationId == "KJFK"
    assert len(forecast.day) == 3
    assert all(day.minC <= day.maxC for day in forecast.day)
    dates = [day.date for day in forecast.day]
    assert dates == sorted(dates) and len(set(dates)) == 3


def test_subscribe_customer_uses_the_crm_email(soap: zeep.Client) -> None:
    subscription = soap.service.SubscribeCustomer(customerId="1003", listId="product-updates")
    assert (subscription.customerId, subscription.listId) == ("1003", "product-updates")
    assert subscription.email == "alan.turing@example.com"
    assert subscription.status == "subscribed"


def test_customer_account_combines_crm_and_billing(soap: zeep.Client) -> None:
    account = soap.service.GetCustomerAccount(customerId="1001")
    assert account.customer.name == "Ada Lovelace"
    assert {i.status for i in account.openInvoice} <= {"open", "overdue"}
    assert account.balance == sum(i.outstanding for i in account.openInvoice)
    assert account.currency == "GBP"


def test_unknown_customer_is_a_typed_client_fault(soap: zeep.Client) -> None:
    with pytest.raises(zeep.exceptions.Fault) as caught:
        soap.service.GetCustomer(customerId="9999")
    fault = caught.value
    assert fault.code in ("soap:Client", "soap:Sender")
    detail = fault.detail.find("{urn:soapbridge:canonical:v1}GatewayFault")
    assert detail.findtext("{urn:soapbridge:canonical:v1}code") == "NotFound"
    assert detail.findtext("{urn:soapbridge:canonical:v1}system") == "crm"
    assert "Traceback" not in fault.message


def test_invalid_request_is_a_client_fault_naming_the_field(gateway: RunningGateway) -> None:
    envelope = (
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b'<GetCustomer xmlns="urn:soapbridge:canonical:v1"><customerId>abc</customerId></GetCustomer>'
        b"</s:Body></s:Envelope>"
    )
    response = requests.post(f"{gateway.base}/soap11", data=envelope, headers={"Content-Type": "text/xml"}, timeout=10)
    assert response.status_code == 500
    fault = etree.fromstring(response.content)
    assert fault.findtext(".//faultcode") == "soap:Client"
    assert fault.findtext(".//faultstring").startswith("customerId: ")
    assert "SCHEMAV" not in response.text


def _raw_observation(gateway: RunningGateway, station: str) -> dict[str, str]:
    url, licence = gateway.emulators["weather"], gateway.env["SOAPBRIDGE_WEATHER_LICENCE"]
    addressing = (  # the feed is a WS-Addressing service: it refuses a request without these
        f'<e:Header><a:Action xmlns:a="{WSA}">http://aerowx.example.net/WxFeed/2005/03/GetCurrentObservation</a:Action>'
        f'<a:MessageID xmlns:a="{WSA}">urn:uuid:{uuid.uuid4()}</a:MessageID></e:Header>'
    )
    body = (
        f'<e:Envelope xmlns:e="{SOAP12}">{addressing}<e:Body><GetCurrentObservation xmlns="{WX}">'
        f"<LicenceKey>{licence}</LicenceKey><StationICAO>{station}</StationICAO>"
        "</GetCurrentObservation></e:Body></e:Envelope>"
    )
    response = requests.post(url, data=body.encode(), headers={"Content-Type": "application/soap+xml"}, timeout=10)
    observation = etree.fromstring(response.content).find(f".//{{{WX}}}Observation")
    return {etree.QName(child).localname: child.text or "" for child in observation}
