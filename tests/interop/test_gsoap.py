"""gSOAP (C++): wsdl2h and soapcpp2 generate a typed proxy from the live WSDL; gsoap/client.cpp makes the calls.

No SOAP version flag is given to either tool: the generated client must take SOAP 1.1 or 1.2 from the WSDL's
binding alone (a stray soap12 namespace in a 1.1 WSDL once made wsdl2h generate a 1.2 client).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.running import RunningGateway

from .harness import Endpoint, StubCache, require, run, run_report
from .scenario import check_report, outstanding

CLIENT = Path(__file__).parent / "gsoap" / "client.cpp"
#: What Debian's libgsoap++ was built with (Cflags of its gsoap++.pc): struct soap's layout depends on them.
LIBGSOAP_DEFINES = ["-DWITH_IPV6", "-DWITH_DOM"]
#: The envelope namespace a generated client posts: the first row of its .nsmap table, SOAP-ENV.
ENVELOPE = {"1.1": "http://schemas.xmlsoap.org/soap/envelope/", "1.2": "http://www.w3.org/2003/05/soap-envelope"}
#: The C++ type of some members, as soapcpp2 declares them in soapStub.h: required elements are plain values,
#: integers are int, an optional element is a pointer, and a repeating one a std::vector.
MEMBER_TYPES = {
    ("ns1__Customer", "id"): "std::string",
    ("ns1__Customer", "status"): "enum ns1__CustomerStatus",
    ("ns1__Customer", "phone"): "std::string *",
    ("_ns1__GetForecast", "days"): "int",
    ("ns1__WeatherObservation", "humidityPercent"): "int",
    ("ns1__PaymentReceipt", "remainingBalance"): "std::string",
    ("_ns1__SearchCustomersResponse", "customer"): "std::vector<ns1__Customer *>",
}


@pytest.fixture
def generated(endpoint: Endpoint, stubs: StubCache) -> Path:
    require("wsdl2h", "soapcpp2", "g++")
    return stubs.get("gsoap", endpoint, _build(endpoint))


def test_gsoap(endpoint: Endpoint, interop_gateway: RunningGateway, generated: Path) -> None:
    owed = outstanding(interop_gateway.base)
    report = run_report([generated / "client", endpoint.url], generated, timeout=60)
    check_report(report, endpoint.version, "ns1__GatewayFaultDetail", interop_gateway.base, owed)
    # gSOAP writes a QName as its own prefix for the namespace it read: `"":NotFound` if the subcode had none.
    assert report["fault"]["subcodeQName"] == (None if endpoint.version == "1.1" else "ns1:NotFound")


def test_gsoap_client_posts_the_binding_soap_version(endpoint: Endpoint, generated: Path) -> None:
    nsmap = (generated / "Soapbridge.nsmap").read_text()
    posted = re.search(r'\{\s*"SOAP-ENV",\s*"([^"]+)"', nsmap)
    assert posted, nsmap
    assert posted.group(1) == ENVELOPE[endpoint.version]


def test_gsoap_types_follow_the_schema(generated: Path) -> None:
    stub = (generated / "soapStub.h").read_text()
    declared = {(cls, name): _member_type(stub, cls, name) for cls, name in MEMBER_TYPES}
    assert declared == MEMBER_TYPES


def _build(endpoint: Endpoint) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        run(["wsdl2h", "-o", "soapbridge.h", endpoint.wsdl_url], folder)
        run(["soapcpp2", "-j", "-C", "-x", "soapbridge.h"], folder)
        sources: list[str | Path] = [CLIENT, "soapC.cpp", "soapSoapbridgeProxy.cpp"]
        run(["g++", "-O0", *LIBGSOAP_DEFINES, "-I.", "-o", "client", *sources, "-lgsoap++"], folder)

    return build


def _member_type(stub: str, cls: str, member: str) -> str | None:
    body = re.search(rf"^class SOAP_CMAC {cls} \{{(.*?)^\}};", stub, re.MULTILINE | re.DOTALL)
    declaration = body and re.search(rf"^\s+(\S.*?)\s*\b{member};$", body.group(1), re.MULTILINE)
    return declaration.group(1) if declaration else None
