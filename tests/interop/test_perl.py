"""Perl's SOAP::WSDL: wsdl2perl generates typed classes from the live WSDL; perl/client.pl calls every operation.

SOAP::WSDL is the strict generator here: its message parser fails a call on any element its generated typemap does
not name, and that typemap names only the portType's messages, so even a header block the binding declares fails
it. When every answer carried cn:CorrelationID, every call failed ("Cannot resolve class for CorrelationID"). The
gateway now answers with header blocks only a client asked for, so the generated client works as generated: plain,
and with WS-Addressing (it then learns wsa:RelatesTo, the reply's standard block, and nothing else).

Two gaps of SOAP::WSDL 3.004 that are not the gateway's: it reads SOAP 1.1 only (wsdl2perl makes no interface from
the SOAP 1.2 WSDL), and it types a fault's detail as a string, so client.pl maps the GatewayFault's paths under
Fault/detail, the way its manual gives for what the generator leaves out (perl/SoapbridgeFaultDetail.pm).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.running import RunningGateway

from .harness import Endpoint, StubCache, require, run, run_report
from .scenario import check_report, json_answer, outstanding

PERL = Path(__file__).parent / "perl"
#: What client.pl calls besides the scenario's operations, and how it reads each answer (see client.pl).
SUBSCRIPTION = {"customerId": "1002", "listId": "newsletter", "email": "grace.hopper@example.com"}
UPDATED = {"id": "1002", "name": "Grace Hopper", "tags": ["enterprise"]}


def test_perl_soap_wsdl_calls_every_operation(interop_gateway: RunningGateway, stubs: StubCache, mode: str) -> None:
    endpoint = Endpoint.fetch(interop_gateway.base, "1.1")
    generated = stubs.get("perl", endpoint, _generate(endpoint))
    owed = outstanding(interop_gateway.base)

    report = run_report(["perl", PERL / "client.pl", generated, endpoint.url, mode], PERL, timeout=120)

    check_report(report, "1.1", "SOAP::WSDL::SOAP::Typelib::Fault11", interop_gateway.base, owed)
    _check_other_operations(report, interop_gateway.base)
    if mode == "wsa":
        related = report["related"]
        assert len(related) == 11 and all(sent == answered for sent, answered in related), related


def test_wsdl2perl_makes_no_interface_from_the_soap12_wsdl(interop_gateway: RunningGateway, tmp_path: Path) -> None:
    """Its generator knows soap:address only: a Perl client of the gateway speaks SOAP 1.1."""
    require("wsdl2perl")
    endpoint = Endpoint.fetch(interop_gateway.base, "1.2")
    _generate(endpoint)(tmp_path)
    assert (tmp_path / "MyTypemaps").is_dir() and not (tmp_path / "MyInterfaces").exists()


@pytest.fixture(params=["plain", "wsa"], ids=["plain", "ws-addressing"])
def mode(request: pytest.FixtureRequest) -> str:
    require("wsdl2perl", "perl")
    return str(request.param)


def _generate(endpoint: Endpoint) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        run(["wsdl2perl", "-b", folder, endpoint.wsdl_url], folder, timeout=120)

    return build


def _check_other_operations(report: dict[str, Any], base: str) -> None:
    """The operations beyond the scenario's, against the gateway's JSON answers read now (after the client's
    payment, which its GetCustomerAccount call follows)."""
    observation = json_answer(base, "GetCurrentWeather", {"stationId": "EGLL"})["observation"]
    weather = report["currentWeather"]
    assert {key: weather[key] for key in ("stationId", "observedAt", "condition")} == {
        key: observation[key] for key in ("stationId", "observedAt", "condition")
    }
    assert Decimal(weather["temperatureC"]) == Decimal(str(observation["temperatureC"]))
    account = json_answer(base, "GetCustomerAccount", {"customerId": "1001"})["account"]
    assert report["customerAccount"] == {
        "customerId": "1001",
        "balance": report["customerAccount"]["balance"],
        "openInvoices": [invoice["id"] for invoice in account["openInvoice"]],
    }
    assert Decimal(report["customerAccount"]["balance"]) == Decimal(str(account["balance"]))
    invoices = json_answer(base, "ListInvoices", {"customerId": "1001"})["invoice"]
    assert report["listInvoices"]["ids"] == [invoice["id"] for invoice in invoices]
    assert report["subscribeCustomer"] == SUBSCRIPTION | {"status": "subscribed"}
    assert report["updateCustomer"] == UPDATED
