""".NET through Mono: `wsdl` generates a SoapHttpClientProtocol proxy from the live WSDL; mono/Client.cs calls it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.running import RunningGateway

from .harness import Endpoint, StubCache, require, run, run_report
from .scenario import check_report, outstanding

CLIENT = Path(__file__).parent / "mono" / "Client.cs"
PROXY = "Soapbridge.cs"

#: wsdl's protocol switch, the same as .NET's wsdl.exe: it imports only the binding of the protocol it is
#: asked for, SOAP 1.1 by default. Given the soap12 WSDL without it, it writes a proxy with no class at all.
PROTOCOL = {"1.1": [], "1.2": ["-protocol:SOAP12"]}

#: Generated members the issue is about: wrapped operations (parameters in, the result out, not
#: GetCustomerResponse GetCustomer(GetCustomer)), arrays for repeated elements, and sized types
#: (int, decimal, dates) rather than strings.
SIGNATURES = (
    "public Customer GetCustomer(string customerId)",
    "public Customer[] SearchCustomers(string name, string city, CustomerStatus status,",
    "public PaymentReceipt RecordPayment(string invoiceId, decimal amount, string currency,",
    "public Forecast GetForecast(string stationId, int days)",
    "public decimal remainingBalance",
    "public ForecastDay[] day",
    "public System.DateTime since",
)


def test_mono(endpoint: Endpoint, interop_gateway: RunningGateway, stubs: StubCache) -> None:
    require("wsdl", "mcs", "mono")
    folder = stubs.get("mono", endpoint, lambda folder: _build(folder, endpoint))
    _check_proxy((folder / PROXY).read_text(), endpoint.version)
    owed = outstanding(interop_gateway.base)
    report = run_report(["mono", folder / "Client.exe", endpoint.url], folder, timeout=60)
    check_report(report, endpoint.version, "SoapException", interop_gateway.base, owed)


def _build(folder: Path, endpoint: Endpoint) -> None:
    output = run(["wsdl", *PROTOCOL[endpoint.version], f"-out:{PROXY}", endpoint.wsdl_url], folder, timeout=60)
    if endpoint.version == "1.1":
        # The tool checks WS-I Basic Profile 1.1 conformance as it imports (BP 1.1 covers SOAP 1.1 only).
        assert "warnings" not in output, f"wsdl warned about the SOAP 1.1 WSDL:\n{output}"
    references = ("-r:System.Web.Services", "-r:System.Xml", "-r:System.Web.Extensions")
    run(["mcs", *references, "-out:Client.exe", PROXY, CLIENT], folder, timeout=60)


def _check_proxy(proxy: str, version: str) -> None:
    missing = [signature for signature in SIGNATURES if signature not in proxy]
    assert not missing, "the generated proxy lacks:\n  " + "\n  ".join(missing)
    assert "SoapParameterStyle.Bare" not in proxy
    soap12 = re.search(r"this\.SoapVersion = System\.Web\.Services\.Protocols\.SoapProtocolVersion\.Soap12;", proxy)
    assert bool(soap12) == (version == "1.2"), f"the proxy for SOAP {version} sets SoapVersion wrongly"
