"""PHP's SoapClient (ext/soap), which reads the live WSDL at run time: there is no code to generate."""

from __future__ import annotations

from pathlib import Path

from tests.running import RunningGateway

from .harness import Endpoint, require, run_report
from .scenario import check_report, outstanding

PHP = Path(__file__).parent / "php"


def test_php(endpoint: Endpoint, interop_gateway: RunningGateway) -> None:
    require("php")
    owed = outstanding(interop_gateway.base)
    report = run_report(["php", "client.php", endpoint.wsdl_url, endpoint.version], PHP, timeout=60)
    # ext/soap reads only Code/Value of a SOAP 1.2 fault (php_packet_soap.c): a SoapFault has no subcode.
    check_report(report, endpoint.version, "SoapFault", interop_gateway.base, owed, fault_has_subcode=False)


def test_php_without_client_options(interop_gateway: RunningGateway) -> None:
    """Why client.php sets its two options: without them one match is no array, and SOAP 1.2 is not spoken."""
    require("php")
    wsdl_urls = [Endpoint.fetch(interop_gateway.base, version).wsdl_url for version in ("1.1", "1.2")]
    report = run_report(["php", "without_options.php", *wsdl_urls], PHP, timeout=60)
    assert (report["many"], report["one"]) == ("array", "object")
    assert str(report["soap12"]).rpartition(":")[2] == "VersionMismatch"
