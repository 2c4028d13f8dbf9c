"""The Python stacks, clients built from the live WSDL at run time: zeep and suds-community.

suds writes SOAP 1.1 envelopes only, whatever the WSDL's binding: on the SOAP 1.2 endpoint it must
get a VersionMismatch fault it can read (a SOAP 1.1 fault naming SOAP 1.2 in an Upgrade header).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
import zeep
from lxml import etree
from suds import WebFault
from suds.client import Client as SudsClient

from tests.running import RunningGateway

from .harness import Endpoint
from .scenario import INVOICE, PAYMENT, check_report, outstanding

CN = "{urn:soapbridge:canonical:v1}"
logging.getLogger("suds").setLevel(logging.CRITICAL)  # suds logs every fault it raises at ERROR


def test_zeep(endpoint: Endpoint, interop_gateway: RunningGateway) -> None:
    owed = outstanding(interop_gateway.base)
    report = _report(zeep.Client(endpoint.wsdl_url).service, "zeep", _zeep_fault)
    check_report(report, endpoint.version, "Fault", interop_gateway.base, owed)


def test_suds(endpoint: Endpoint, interop_gateway: RunningGateway) -> None:
    service = SudsClient(endpoint.wsdl_url, cache=None).service
    if endpoint.version == "1.2":
        with pytest.raises(WebFault) as caught:
            service.GetCustomer(customerId="1001")
        assert caught.value.fault.faultcode.rpartition(":")[2] == "VersionMismatch"
        assert "SOAP 1.2" in caught.value.fault.faultstring
        return
    owed = outstanding(interop_gateway.base)
    check_report(_report(service, "suds", _suds_fault), endpoint.version, "WebFault", interop_gateway.base, owed)


def _report(service: Any, stack: str, fault: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    customer = service.GetCustomer(customerId="1001")
    many = service.SearchCustomers(city="London")
    one = service.SearchCustomers(city="Arlington")
    receipt = service.RecordPayment(
        invoiceId=INVOICE, amount=PAYMENT, currency="GBP", paidOn="2026-11-20", reference=f"interop {stack}"
    )
    forecast = service.GetForecast(stationId="KJFK", days=3)
    return {
        "getCustomer": {
            **{key: str(getattr(customer, key)) for key in ("id", "name", "email", "status")},
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
        "fault": fault(service),
    }


def _zeep_fault(service: Any) -> dict[str, Any]:
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


def _suds_fault(service: Any) -> dict[str, Any]:
    try:
        service.GetCustomer(customerId="9999")
    except WebFault as caught:
        fault = caught.fault
        return {
            "kind": type(caught).__name__,
            "code": fault.faultcode.rpartition(":")[2],
            "subcode": None,  # SOAP 1.1 has none, and suds speaks only 1.1
            "detail": {"code": fault.detail.GatewayFault.code, "system": fault.detail.GatewayFault.system},
            "message": fault.faultstring,
        }
    return {}
