"""GET /openapi.json: a valid OpenAPI 3.1 document, derived from the canonical XSD, that the wire keeps to."""

from __future__ import annotations

import gzip
import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

import soapbridge
from soapbridge.contract import Contract
from soapbridge.gateway.openapi import build_document
from soapbridge.jsonform import load_shapes
from tests.conftest import ROOT

XSD = ROOT / "wsdl" / "canonical" / "soapbridge-v1.xsd"
PROBLEM = "application/problem+json"
#: A request that succeeds against the emulators, for every operation the gateway serves.
GOOD_CALLS: dict[str, dict[str, Any]] = {
    "GetCustomer": {"customerId": "1001"},
    "SearchCustomers": {},
    "ListInvoices": {"customerId": "1001"},
    "GetCurrentWeather": {"stationId": "RJTT"},
    "GetForecast": {"stationId": "LFPG", "days": 3},
    "GetCustomerAccount": {"customerId": "1001"},
    "SubscribeCustomer": {"customerId": "1002", "listId": "newsletter"},
    "ListCustomerChanges": {"limit": 2},
    "ListFinishedEncounters": {"limit": 2},
    "CreateInvoice": {
        "customerId": "1005",
        "externalRef": "E-OPENAPI-1",
        "issuedOn": "2026-11-30",
        "currency": "USD",
        "line": [{"description": "Office visit", "quantity": 1, "unitPrice": 85.00}],
    },
    "ListSubscribers": {"listId": "newsletter", "page": 1, "pageSize": 2},
    "SubscribeContact": {"listId": "events", "customerId": "1006", "email": "hedy.lamarr@example.org"},
    "UnsubscribeCustomer": {"listId": "newsletter", "customerId": "1002"},
    "RecordPayment": {
        "invoiceId": "INV-2024-0242",
        "amount": 1.25,
        "currency": "GBP",
        "paidOn": "2026-11-21",
        "reference": "openapi test",
    },
    "UpdateCustomer": {
        "customer": {
            "id": "1003",
            "name": "Barbara Liskov",
            "email": "barbara@example.org",
            "status": "active",
            "since": "2020-05-01",
            "address": {"street": "32 Vassar St", "postalCode": "02139", "city": "Cambridge", "country": "US"},
            "tag": ["vip"],
        }
    },
}


@pytest.fixture(scope="module")
def document(base_url: str) -> dict[str, Any]:
    answer = requests.get(f"{base_url}/openapi.json", timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    assert "max-age" in answer.headers["Cache-Control"]
    body: dict[str, Any] = answer.json()
    return body


def conforms(document: dict[str, Any], component: str, instance: Any) -> list[str]:
    """The ways instance breaks the document's schema component, with formats checked."""
    schema = {"components": document["components"], "$ref": f"#/components/schemas/{component}"}
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(instance)]


def test_the_served_document_is_valid_openapi_3_1_with_every_operation(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document, cls=OpenAPIV31SpecValidator)
    assert set(document["paths"]) == {f"/json/{name}" for name in GOOD_CALLS}
    assert document["info"]["version"] == soapbridge.__version__
    assert document["servers"] == [{"url": "/"}]
    assert "security" not in document  # this gateway runs with SOAPBRIDGE_AUTH=off: it asks for nothing
    responses = document["paths"]["/json/GetCustomer"]["post"]["responses"]
    assert {"200", "400", "404", "409", "413", "415", "500", "502", "504"} == set(responses)


def test_with_authentication_the_document_asks_for_http_basic() -> None:
    contract = Contract(XSD)
    authenticated = build_document(load_shapes(XSD), contract.operations.values(), authenticated=True)
    validate(authenticated, cls=OpenAPIV31SpecValidator)
    assert authenticated["security"] == [{"basic": []}]
    assert authenticated["components"]["securitySchemes"]["basic"] | {"description": ""} == {
        "type": "http",
        "scheme": "basic",
        "description": "",
    }
    responses = authenticated["paths"]["/json/RecordPayment"]["post"]["responses"]
    assert {"401", "403"} <= set(responses)
    assert "WWW-Authenticate" in authenticated["components"]["responses"]["401"]["headers"]


def test_schemas_say_what_the_xsd_says(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    customer, given = schemas["Customer"], schemas["CustomerInput"]
    assert customer["properties"]["tag"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Identifier"},
        "maxItems": 20,
    }
    assert "tag" in customer["required"] and "tag" not in given["required"]  # an answer always has the array
    assert "phone" not in customer["required"] and customer["additionalProperties"] is False
    assert customer["properties"]["since"] == {"type": "string", "format": "date"}
    assert schemas["CustomerId"]["pattern"] == "^(?:[1-9][0-9]{0,9})$"
    assert schemas["CustomerStatus"]["enum"] == ["active", "inactive", "blocked"]
    assert schemas["Text"] == {"type": "string", "minLength": 1, "maxLength": 200}
    assert schemas["ForecastDays"] == {"type": "integer", "minimum": 1, "maximum": 10}
    assert schemas["RecordPayment"]["properties"]["amount"]["exclusiveMinimum"] == 0
    assert schemas["Money"]["type"] == "number" and schemas["Money"]["exclusiveMaximum"] == 10**18
    assert schemas["Invoice"]["properties"]["line"]["minItems"] == 1
    assert schemas["Invoice"]["properties"]["outstanding"]["description"].startswith("What is still to be paid")
    assert schemas["CountryCode"]["description"] == "ISO 3166-1 alpha-2."
    assert schemas["UtcDateTime"]["format"] == "date-time"
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail", "code"}
    assert "UpstreamTimeout" in schemas["FaultCode"]["enum"]


def test_operations_carry_their_documentation_and_headers(document: dict[str, Any]) -> None:
    get_customer = document["paths"]["/json/GetCustomer"]["post"]
    assert get_customer["description"] == "The customer with this id. NotFound when there is none."
    assert get_customer["operationId"] == "GetCustomer"
    names = {parameter["$ref"].rsplit("/", 1)[1] for parameter in get_customer["parameters"]}
    assert names == {"X-Correlation-ID"}
    payment = document["paths"]["/json/RecordPayment"]["post"]
    assert {parameter["$ref"].rsplit("/", 1)[1] for parameter in payment["parameters"]} == {
        "X-Correlation-ID",
        "Idempotency-Key",
    }
    assert document["components"]["parameters"]["Idempotency-Key"]["schema"]["pattern"] == "^(?:[ -~]{1,255})$"
    assert "Idempotent-Replayed" in payment["responses"]["200"]["headers"]


@pytest.mark.parametrize("operation", list(GOOD_CALLS))
def test_real_answers_keep_to_the_document(base_url: str, document: dict[str, Any], operation: str) -> None:
    answer = requests.post(f"{base_url}/json/{operation}", json=GOOD_CALLS[operation], timeout=30)
    assert answer.status_code == 200, answer.text
    assert conforms(document, operation, GOOD_CALLS[operation]) == []
    assert conforms(document, f"{operation}Response", answer.json()) == []


def post(base_url: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """A raw POST, for the requests that requests will not send (an announced length it never sends)."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    try:
        connection.request("POST", path, body, headers)
        answer = connection.getresponse()
        return answer.status, {key.lower(): value for key, value in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def test_every_json_error_is_problem_details(base_url: str, document: dict[str, Any]) -> None:
    json_type = {"Content-Type": "application/json"}
    answers = {
        404: requests.post(f"{base_url}/json/GetCustomer", json={"customerId": "9999"}, timeout=10),
        400: requests.post(f"{base_url}/json/NoSuchOperation", json={}, timeout=10),
        405: requests.get(f"{base_url}/json/GetCustomer", timeout=10),
        415: requests.post(
            f"{base_url}/json/GetCustomer",
            data=gzip.compress(b'{"customerId": "1001"}'),
            headers={**json_type, "Content-Encoding": "gzip"},
            timeout=10,
        ),
    }
    assert answers[405].headers["Allow"] == "POST"
    for status, answer in answers.items():
        assert (answer.status_code, answer.headers["Content-Type"]) == (status, PROBLEM)
        assert answer.json()["status"] == status
        assert conforms(document, "Problem", answer.json()) == []
    status, headers, body = post(base_url, "/json/GetCustomer", b"", {**json_type, "Content-Length": str(2**30)})
    assert (status, headers["content-type"], json.loads(body)["status"]) == (413, PROBLEM, 413)


def test_a_body_not_declared_as_json_is_a_415_problem(base_url: str, document: dict[str, Any]) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Content-Type": content_type} if content_type else {}
        answer = requests.post(
            f"{base_url}/json/GetCustomer", data=b'{"customerId": "1001"}', headers=headers, timeout=10
        )
        assert (answer.status_code, answer.headers["Content-Type"]) == (415, PROBLEM), content_type
        assert (answer.json()["status"], answer.json()["code"]) == (415, "InvalidRequest")
        assert "must be application/json" in answer.json()["detail"]
        assert conforms(document, "Problem", answer.json()) == []


def test_a_character_no_xml_can_carry_is_the_clients_fault(base_url: str) -> None:
    answer = requests.post(f"{base_url}/json/SearchCustomers", json={"name": "Ada\x11"}, timeout=10)
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidRequest")
