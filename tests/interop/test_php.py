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
    check_report(report, endpoint.version, "SoapFault", interop_gateway.base, owed)


def test_php_without_single_element_arrays(interop_gateway: RunningGateway) -> None:
    """Why client.php sets SOAP_SINGLE_ELEMENT_ARRAYS: without it one match is an object, not an array of one."""
    require("php")
    wsdl_url = Endpoint.fetch(interop_gateway.base, "1.1").wsdl_url
    report = run_report(["php", "single_element.php", wsdl_url], PHP, timeout=60)
    assert report == {"many": "array", "one": "object"}
