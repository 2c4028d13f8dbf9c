"""The JSON form of the same operations: same data as SOAP, arrays stay arrays, numbers are numbers."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import requests
import zeep
import zeep.helpers

from tests.running import RunningGateway


def call(gateway: RunningGateway, operation: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{gateway.base}/json/{operation}", json=body, timeout=10)


def decoded(response: requests.Response) -> Any:
    return json.loads(response.content, parse_float=Decimal)


def test_json_matches_soap(gateway: RunningGateway) -> None:
    soap = zeep.helpers.serialize_object(gateway.client("11").service.GetCustomer(customerId="1002"), dict)
    response = call(gateway, "GetCustomer", {"customerId": "1002"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    customer = decoded(response)["customer"]
    assert customer["name"] == soap["name"] == "Grace Hopper"
    assert customer["address"] == {key: soap["address"][key] for key in customer["address"]}
    assert customer["since"] == str(soap["since"])
    assert customer["tag"] == soap["tag"]


def test_repeated_elements_are_arrays_even_with_one_item(gateway: RunningGateway) -> None:
    customers = decoded(call(gateway, "SearchCustomers", {"city": "Arlington"}))["customer"]
    assert isinstance(customers, list) and len(customers) == 1
    assert isinstance(customers[0]["tag"], list)
    assert decoded(call(gateway, "SearchCustomers", {"name": "Nobody Of That Name"})) == {"customer": []}


def test_numbers_are_json_numbers_with_their_exact_digits(gateway: RunningGateway) -> None:
    response = call(gateway, "ListInvoices", {"customerId": "1001", "status": "overdue"})
    raw = response.text
    invoice = decoded(response)["invoice"][0]
    assert isinstance(invoice["total"], Decimal) and invoice["total"] == Decimal("539.90")
    assert '"total":539.90' in raw  # written as a number, trailing zero kept
    soap = gateway.client("12").service.ListInvoices(customerId="1001", status="overdue")[0]
    assert invoice["total"] == soap.total and invoice["outstanding"] == soap.outstanding
    observation = decoded(call(gateway, "GetCurrentWeather", {"stationId": "RJTT"}))["observation"]
    assert isinstance(observation["humidityPercent"], int)
    assert isinstance(observation["temperatureC"], Decimal)


def test_json_request_numbers_keep_their_precision(gateway: RunningGateway) -> None:
    forecast = decoded(call(gateway, "GetForecast", {"stationId": "LFPG", "days": 2}))["forecast"]
    assert len(forecast["day"]) == 2
    receipt = decoded(
        call(
            gateway,
            "RecordPayment",
            {
                "invoiceId": "INV-2024-0242",
                "amount": 0.10,
                "currency": "GBP",
                "paidOn": "2026-11-21",
                "reference": "json precision",
            },
        )
    )
    assert receipt["receipt"]["status"] == "applied"


def test_errors_are_problem_details(gateway: RunningGateway) -> None:
    response = call(gateway, "GetCustomer", {"customerId": "9999"})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], problem["system"], problem["status"]) == ("NotFound", "crm", 404)


def test_unknown_fields_and_operations_are_refused(gateway: RunningGateway) -> None:
    typo = call(gateway, "GetCustomer", {"customerID": "1001"})
    assert typo.status_code == 400 and "customerID" in typo.json()["detail"]
    assert call(gateway, "NoSuchOperation", {}).status_code == 400
    not_json = requests.post(
        f"{gateway.base}/json/GetCustomer", data=b"{", headers={"Content-Type": "application/json"}, timeout=10
    )
    assert not_json.status_code == 400 and not_json.json()["code"] == "InvalidRequest"
