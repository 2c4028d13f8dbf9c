"""node-soap (npm `soap`), which reads the live WSDL at run time: there is no code to generate."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.running import RunningGateway

from .harness import Endpoint, require, run_report
from .scenario import check_report, outstanding

NODE = Path(__file__).parent / "node"


def test_node(endpoint: Endpoint, interop_gateway: RunningGateway) -> None:
    require("node")
    _require_installed()
    owed = outstanding(interop_gateway.base)
    report = run_report(["node", "client.js", endpoint.wsdl_url, endpoint.version], NODE, timeout=60)
    check_report(report, endpoint.version, "Error with root.Envelope.Body.Fault", interop_gateway.base, owed)


def _require_installed() -> None:
    """The pinned node-soap comes from package-lock.json; scripts/test installs it, pytest alone does not."""
    if not (NODE / "node_modules" / "soap" / "package.json").exists():
        pytest.fail(f"node-soap is not installed: run `npm ci --prefix {NODE}`", pytrace=False)


def test_node_without_soap12_switch(interop_gateway: RunningGateway) -> None:
    """Why client.js sets forceSoap12Headers: node-soap posts SOAP 1.1 whatever the WSDL's binding says."""
    require("node")
    _require_installed()
    wsdl_url = Endpoint.fetch(interop_gateway.base, "1.2").wsdl_url
    report = run_report(["node", "without_soap12_switch.js", wsdl_url], NODE, timeout=60)
    assert str(report["code"]).rpartition(":")[2] == "VersionMismatch"
