"""zeep, the client soapbridge itself uses upstream, generated from the live WSDL."""

from __future__ import annotations

from typing import Any

import zeep
from lxml import etree

from tests.running import RunningGateway

from .harness import Endpoint
from .scenario import INVOICE, PAYMENT, check_report, outstanding

CN = "{urn:soapbridge:canonical:v1}"


def test_zeep(endpoint: Endpoint, interop_gateway: RunningGateway) -> None:
    owed = outstanding(interop_gateway.base)
    report = _report(zeep.Client(endpoint.wsdl_url).service)
    check_report(report, endpoint.version, "Fault", interop_gateway.base, owed)


def _report(service: Any) -> dict[str, Any]:
    customer = service.GetCustomer(customerId="1001")
    many = service.SearchCustomers(city="London")
    one = service.SearchCustomers(city="Arlington")
    receipt = service.RecordPayment(
        invoiceId=INVOICE, amount=PAYMENT, currency="GBP", paidOn="2026-11-20", reference="interop zeep"
    )
    forecast = service.GetForecast(stationId="KJFK", days=3)
    return {
        "getCustomer": {
            **{key: getattr(customer, key) for key in ("id", "name", "email", "status")},
            "city": customer.address.city,
            "country": customer.address.country,
            "since": customer.since.isoformat(),
        },
        "searchMany": {"array": isinstance(many, list), "names": [c.name for c in many]},
        "searchOne": {"array": isinstance(one, list), "names": [c.name for c in one]},
        "recordPayment": {
            key: str(getattr(receipt, key))
            for key in ("invoiceId", "currency", "status", "remainingBalance", "paymentId")
        },
        "forecast": {
            "stationId": forecast.stationId,
            "array": isinstance(forecast.day, list),
            "days": [{"date": d.date.isoformat(), "minC": str(d.minC), "maxC": str(d.maxC)} for d in forecast.day],
        },
        "fault": _fault(service),
    }


def _fault(service: Any) -> dict[str, Any]:
    try:
        service.GetCustomer(customerId="9999")
    except zeep.exceptions.Fault as fault:
        detail = fault.detail.find(f"{CN}GatewayFault")
        return {
            "kind": type(fault).__name__,
            "code": fault.code.rpartition(":")[2],
            "subcode": etree.QName(fault.subcodes[0]).localname if fault.subcodes else None,
            "detail": {"code": detail.findtext(f"{CN}code"), "system": detail.findtext(f"{CN}system")},
            "message": fault.message,
        }
    return {}
