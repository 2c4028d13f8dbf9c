"""GET /metrics of an in-process gateway after a known mix of calls: every count exact.

The emulators run in threads; billing is switched into a fault mode for one call (a server fault)
and into "reset" for one try (a retry). The mix runs once per module, then each test reads it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests

from soapbridge.gateway import create_app
from soapbridge.legacy import SYSTEMS, build
from soapbridge.legacy._server import RunningEmulator, start
from soapbridge.legacy.faults import Fault
from soapbridge.namespaces import CANONICAL
from soapbridge.settings import Auth, Settings
from tests.conftest import CREDENTIALS, ROOT
from tests.running import serving
from tests.telemetry.scrape import Scrape, scrape, soap

CUSTOMER = f'<GetCustomer xmlns="{CANONICAL}"><customerId>1001</customerId></GetCustomer>'
INVOICES = f'<ListInvoices xmlns="{CANONICAL}"><customerId>1001</customerId></ListInvoices>'
DOCTYPE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'
#: (operation, protocol, outcome) of each request the mix makes, in order.
MIX = [
    ("GetCustomer", "soap11", "ok"),
    ("GetCustomer", "soap12", "ok"),
    ("GetCustomer", "json", "ok"),
    ("GetCustomer", "json", "client_fault"),  # fails the canonical XSD
    ("none", "json", "client_fault"),  # no such operation
    ("none", "soap11", "client_fault"),  # a DOCTYPE: refused unparsed
    ("none", "json", "client_fault"),  # gzip: refused unread
    ("ListInvoices", "json", "server_fault"),  # billing answers with a SOAP fault
    ("ListInvoices", "soap11", "ok"),  # after one reset connection and a retry
]


@pytest.fixture(scope="module")
def emulators() -> Iterator[dict[str, RunningEmulator]]:
    running = {name: start(build(name, ROOT / "wsdl", CREDENTIALS)) for name in SYSTEMS}
    try:
        yield running
    finally:
        for emulator in running.values():
            emulator.stop()


@pytest.fixture(scope="module")
def mix(emulators: dict[str, RunningEmulator]) -> Iterator[tuple[Scrape, str]]:
    """The scrape after the mix, and the gateway's base URL."""
    env = {**CREDENTIALS, **{f"SOAPBRIDGE_{name.upper()}_URL": e.url for name, e in emulators.items()}}
    with serving(create_app(Settings(root=ROOT, env=env, auth=Auth(enabled=False))), "gateway") as base:
        statuses = [
            soap(base, "11", CUSTOMER, "GetCustomer").status_code,
            soap(base, "12", CUSTOMER, "GetCustomer").status_code,
            requests.post(f"{base}/json/GetCustomer", json={"customerId": "1001"}, timeout=30).status_code,
            requests.post(f"{base}/json/GetCustomer", json={"customerId": "x"}, timeout=30).status_code,
            requests.post(f"{base}/json/NoSuchOperation", json={}, timeout=30).status_code,
            soap(base, "11", CUSTOMER, "GetCustomer", prolog=DOCTYPE).status_code,
            requests.post(
                f"{base}/json/GetCustomer", data=b"\x1f\x8b", headers={"Content-Encoding": "gzip"}, timeout=30
            ).status_code,
        ]
        emulators["billing"].switch.set(Fault("fault", times=1))
        statuses.append(requests.post(f"{base}/json/ListInvoices", json={"customerId": "1001"}, timeout=30).status_code)
        emulators["billing"].switch.set(Fault("reset", times=1))
        statuses.append(soap(base, "11", INVOICES, "ListInvoices").status_code)
        for path in ("/soap11?wsdl", "/soap12?wsdl", "/healthz", "/metrics"):  # none of these is counted
            assert requests.get(base + path, timeout=30).status_code == 200
        assert [status // 100 for status in statuses] == [2, 2, 2, 4, 4, 5, 4, 5, 2]  # a SOAP 1.1 fault is a 500
        assert statuses[6] == 415
        yield scrape(base), base


def test_requests_are_counted_by_operation_protocol_and_outcome(mix: tuple[Scrape, str]) -> None:
    metrics, _ = mix
    expected: dict[tuple[str, str, str], int] = {}
    for labels in MIX:
        expected[labels] = expected.get(labels, 0) + 1
    for (operation, protocol, outcome), count in expected.items():
        got = metrics.value("soapbridge_requests_total", operation=operation, protocol=protocol, outcome=outcome)
        assert got == count, (operation, protocol, outcome)
    assert metrics.total("soapbridge_requests_total") == len(MIX)  # pages, WSDLs and /metrics are not counted


def test_each_request_is_timed_once(mix: tuple[Scrape, str]) -> None:
    metrics, _ = mix
    count = "soapbridge_request_duration_seconds_count"
    assert metrics.total(count) == len(MIX)
    assert metrics.value(count, operation="GetCustomer", protocol="json") == 2
    assert metrics.value(count, operation="none", protocol="soap11") == 1
    slowest = "soapbridge_request_duration_seconds_bucket"
    assert metrics.value(slowest, operation="ListInvoices", protocol="soap11", le="30.0") == 1
    assert metrics.value(slowest, operation="ListInvoices", protocol="soap11", le="+Inf") == 1


def test_upstream_tries_are_counted_by_system_operation_and_outcome(mix: tuple[Scrape, str]) -> None:
    metrics, _ = mix
    calls = "soapbridge_upstream_calls_total"
    assert metrics.value(calls, system="crm", operation="Z_CRM_CUSTOMER_READ", outcome="ok") == 3
    assert metrics.value(calls, system="billing", operation="getAccountInvoices", outcome="fault") == 1
    assert metrics.value(calls, system="billing", operation="getAccountInvoices", outcome="unavailable") == 1
    assert metrics.value(calls, system="billing", operation="getAccountInvoices", outcome="ok") == 1
    assert metrics.total(calls) == 6
    timed = "soapbridge_upstream_call_duration_seconds_count"
    assert metrics.value(timed, system="billing", operation="getAccountInvoices") == 3


def test_retries_validation_failures_and_refusals(mix: tuple[Scrape, str]) -> None:
    metrics, _ = mix
    assert metrics.value("soapbridge_upstream_retries_total", system="billing", operation="getAccountInvoices") == 1
    assert metrics.total("soapbridge_upstream_retries_total") == 1
    assert metrics.value("soapbridge_validation_failures_total", direction="request") == 1
    assert metrics.total("soapbridge_validation_failures_total") == 1
    assert metrics.value("soapbridge_rejected_requests_total", reason="doctype") == 1
    assert metrics.value("soapbridge_rejected_requests_total", reason="compressed") == 1
    assert metrics.total("soapbridge_rejected_requests_total") == 2


def test_every_breaker_is_shown_closed(mix: tuple[Scrape, str]) -> None:
    metrics, _ = mix
    for system in SYSTEMS:
        assert metrics.value("soapbridge_upstream_breaker_state", system=system) == 0


def test_no_label_carries_an_id_or_a_client_string(mix: tuple[Scrape, str]) -> None:
    metrics, _ = mix
    allowed = {
        "operation": {"GetCustomer", "ListInvoices", "none", "Z_CRM_CUSTOMER_READ", "getAccountInvoices"},
        "protocol": {"soap11", "soap12", "json"},
        "outcome": {"ok", "client_fault", "server_fault", "fault", "unavailable"},
        "system": set(SYSTEMS),
        "direction": {"request"},
        "reason": {"doctype", "compressed"},
    }
    for _, labels in metrics.samples:
        for name, value in labels:
            if name != "le":
                assert value in allowed[name], (name, value)


def test_gateways_in_one_process_count_apart(mix: tuple[Scrape, str], emulators: dict[str, RunningEmulator]) -> None:
    env = {**CREDENTIALS, **{f"SOAPBRIDGE_{name.upper()}_URL": e.url for name, e in emulators.items()}}
    with serving(create_app(Settings(root=ROOT, env=env, auth=Auth(enabled=False))), "second") as base:
        assert soap(base, "11", CUSTOMER, "GetCustomer").status_code == 200
        assert scrape(base).total("soapbridge_requests_total") == 1
    assert scrape(mix[1]).total("soapbridge_requests_total") == len(MIX)


def test_every_sample_names_the_instance(mix: tuple[Scrape, str]) -> None:
    metrics, _ = mix
    assert metrics.instances == {socket.gethostname()}  # no SOAPBRIDGE_INSTANCE: the host's name
