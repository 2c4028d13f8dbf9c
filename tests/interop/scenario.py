"""What every interop client does, and what its report must say.

A client program, generated from the live WSDL of one endpoint, makes these calls with its own
typed stubs and prints one JSON object as the last line of its output:

    getCustomer    GetCustomer(customerId="1001")
                   {"id", "name", "email", "status", "city", "country", "since": "YYYY-MM-DD"}
    searchMany     SearchCustomers(city="London")
                   {"array": <the result is the language's list/array type>, "names": [...]}
    searchOne      SearchCustomers(city="Arlington"), exactly one match
                   {"array": ..., "names": [...]}
    recordPayment  RecordPayment(invoiceId="INV-2024-0242", amount=1.25, currency="GBP",
                                 paidOn="2026-11-20", reference="interop <stack>")
                   {"invoiceId", "currency", "status", "remainingBalance", "paymentId"}
    forecast       GetForecast(stationId="KJFK", days=3)
                   {"stationId", "array": ..., "days": [{"date": "YYYY-MM-DD", "minC", "maxC"}]}
    fault          GetCustomer(customerId="9999"), which the CRM does not know
                   {"kind": <class or type name of the fault the stack raised>,
                    "code": <local part of the fault code: "Client" (1.1) or "Sender" (1.2)>,
                    "subcode": <local part of the first subcode (1.2), null for 1.1>,
                    "detail": {"code", "system"} read from the GatewayFault detail,
                    "message": <the fault string / reason text>}

Decimals may be JSON numbers or strings as the stack prints its decimal type; they are compared as
decimals. "array" is the language's own test (Array.isArray, is_array, a List or array type...).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import requests

CUSTOMER = {
    "id": "1001",
    "name": "Ada Lovelace",
    "email": "ada.lovelace@example.com",
    "status": "active",
    "city": "London",
    "country": "GB",
    "since": "2015-03-10",
}
INVOICE = "INV-2024-0242"
PAYMENT = Decimal("1.25")


def json_answer(base: str, operation: str, request: dict[str, Any]) -> dict[str, Any]:
    """The operation's answer through the gateway's JSON form: what a SOAP client's report is compared with."""
    response = requests.post(f"{base}/json/{operation}", json=request, timeout=30)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def outstanding(base: str) -> Decimal:
    """What is still owed on INVOICE, read through the gateway's JSON form."""
    invoices = json_answer(base, "ListInvoices", {"customerId": "1001"})["invoice"]
    return next(Decimal(str(i["outstanding"])) for i in invoices if i["id"] == INVOICE)


def _names(base: str, city: str) -> list[str]:
    return [c["name"] for c in json_answer(base, "SearchCustomers", {"city": city})["customer"]]


def _forecast(base: str) -> list[tuple[str, Decimal, Decimal]]:
    days = json_answer(base, "GetForecast", {"stationId": "KJFK", "days": 3})["forecast"]["day"]
    return [(d["date"], Decimal(str(d["minC"])), Decimal(str(d["maxC"]))) for d in days]


def check_report(
    report: dict[str, Any],
    version: str,
    fault_kind: str,
    base: str,
    owed_before: Decimal,
    *,
    fault_has_subcode: bool = True,
) -> None:
    """Assert every value of a client's report; list every mismatch at once.

    fault_has_subcode=False is for a stack whose typed fault carries no SOAP 1.2 subcode (PHP's SoapFault):
    its report must then say null, so this notices the day the stack starts exposing one.
    """
    wrong: list[str] = []

    def expect(what: str, got: Any, wanted: Any) -> None:
        if got != wanted:
            wrong.append(f"{what}: got {got!r}, expected {wanted!r}")

    def section(name: str) -> dict[str, Any]:
        value = report.get(name)
        if not isinstance(value, dict):
            wrong.append(f"{name}: missing from the report")
            return {}
        return value

    customer = section("getCustomer")
    for key, wanted in CUSTOMER.items():
        expect(f"getCustomer.{key}", customer.get(key), wanted)

    for name, city in (("searchMany", "London"), ("searchOne", "Arlington")):
        search = section(name)
        expect(f"{name}.array", search.get("array"), True)
        expect(f"{name}.names", search.get("names"), _names(base, city))
    expect("searchOne has one name", len(section("searchOne").get("names") or []), 1)

    receipt = section("recordPayment")
    expect("recordPayment.invoiceId", receipt.get("invoiceId"), INVOICE)
    expect("recordPayment.currency", receipt.get("currency"), "GBP")
    expect("recordPayment.status", receipt.get("status"), "applied")
    expect("recordPayment.remainingBalance", _decimal(receipt.get("remainingBalance")), owed_before - PAYMENT)
    if not receipt.get("paymentId"):
        wrong.append("recordPayment.paymentId: empty")

    forecast = section("forecast")
    expect("forecast.stationId", forecast.get("stationId"), "KJFK")
    expect("forecast.array", forecast.get("array"), True)
    days = [(d.get("date"), _decimal(d.get("minC")), _decimal(d.get("maxC"))) for d in forecast.get("days") or []]
    expect("forecast.days", days, _forecast(base))

    fault = section("fault")
    expect("fault.kind", fault.get("kind"), fault_kind)
    expect("fault.code", fault.get("code"), "Client" if version == "1.1" else "Sender")
    expect("fault.subcode", fault.get("subcode"), "NotFound" if version == "1.2" and fault_has_subcode else None)
    expect("fault.detail", fault.get("detail"), {"code": "NotFound", "system": "crm"})
    if not fault.get("message"):
        wrong.append("fault.message: empty")

    assert not wrong, f"SOAP {version} client report differs:\n  " + "\n  ".join(wrong)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
