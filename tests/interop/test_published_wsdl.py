"""The WSDL a running `soapbridge serve` publishes: the same from every worker process and every start."""

from __future__ import annotations

from soapbridge.contract import Contract
from soapbridge.gateway.wsdl import ADDRESS_PLACEHOLDER, build_wsdl
from tests.conftest import ROOT
from tests.running import RunningGateway

from .harness import Endpoint


def test_every_worker_and_every_start_publish_the_same_wsdl(
    endpoint: Endpoint, interop_gateway: RunningGateway
) -> None:
    # several fetches spread over the gateway's worker processes
    fetched = {Endpoint.fetch(interop_gateway.base, endpoint.version).wsdl for _ in range(8)}
    assert fetched == {endpoint.wsdl}
    # and a build in this process, started at another time, is the same document
    contract = Contract(ROOT / "wsdl" / "canonical" / "soapbridge-v1.xsd")
    built = build_wsdl(contract, contract.operations, endpoint.version)
    assert built.replace(ADDRESS_PLACEHOLDER.encode(), endpoint.url.encode()) == endpoint.wsdl
