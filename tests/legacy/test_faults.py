"""Fault injection, seen from a plain HTTP or socket client: each mode on the wire, `times`, and call counts.

The emulators and their admin endpoint run in this process, on loopback, as `soapbridge legacy` runs them.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from lxml import etree

from soapbridge.errors import XmlError
from soapbridge.legacy import build
from soapbridge.legacy._server import RunningEmulator, start
from soapbridge.legacy.admin import start_admin
from soapbridge.legacy.billing import NS, BillingEmulator
from soapbridge.wsgi import Background
from soapbridge.xmlparse import parse_bytes
from tests.emulator_admin import EmulatorAdmin

ROOT = Path(__file__).resolve().parents[2]
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
PAYMENT = {
    "invoiceNo": "INV-2024-0242",
    "amountCents": "100",
    "currency": "GBP",
    "valueDate": "02.05.2024",
    "reference": "fault injection",
}


@pytest.fixture(scope="module")
def systems() -> Iterator[dict[str, RunningEmulator]]:
    running = {name: start(build(name, ROOT / "wsdl", {})) for name in ("billing", "weather")}
    yield running
    for emulator in running.values():
        emulator.stop(grace=5)


@pytest.fixture(scope="module")
def admin_server(systems: dict[str, RunningEmulator]) -> Iterator[Background]:
    def reseed(running: RunningEmulator) -> None:
        running.replace(build(running.emulator.name, ROOT / "wsdl", {}))

    admin = start_admin(
        {name: emulator.switch for name, emulator in systems.items()},
        {name: partial(reseed, emulator) for name, emulator in systems.items()},
    )
    yield admin
    admin.stop()


@pytest.fixture
def admin(admin_server: Background, systems: dict[str, RunningEmulator]) -> Iterator[EmulatorAdmin]:
    """The client, with every system normal, counted from zero, and billing's ledger at its seed."""
    client = EmulatorAdmin(admin_server.url)
    for name in systems:
        client.clear(name)
        client.zero(name)
    assert isinstance(systems["billing"].emulator, BillingEmulator)
    systems["billing"].emulator.state.reset()
    yield client
    for name in systems:
        client.clear(name)


@pytest.fixture
def billing(systems: dict[str, RunningEmulator]) -> RunningEmulator:
    return systems["billing"]


def envelope(operation: str, **parts: str) -> bytes:
    """A billing rpc/literal request."""
    root = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soapenv": SOAP11})
    call = etree.SubElement(etree.SubElement(root, f"{{{SOAP11}}}Body"), f"{{{NS}}}{operation}", nsmap={"b": NS})
    for name, value in parts.items():
        etree.SubElement(call, name).text = value
    return bytes(etree.tostring(root))


INVOICES = envelope("getAccountInvoices", accountNo="ACC-001001")


def post(http, url: str, body: bytes = INVOICES, timeout: float = 5) -> requests.Response:
    return http.post(url, data=body, headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=timeout)


def raw_exchange(url: str, body: bytes = INVOICES) -> tuple[bytes, bytes]:
    """POST over a bare socket and read until the server closes: (head, body as received)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as conn:
        head = f"POST {parts.path} HTTP/1.0\r\nContent-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n"
        conn.sendall(head.encode() + body)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    answer_head, _, answer_body = received.partition(b"\r\n\r\n")
    return answer_head, answer_body


def content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise AssertionError(f"no Content-Length in {head!r}")


# -- the modes on the wire --------------------------------------------------------------------


def test_normal_answers_and_counts_per_operation(
    admin: EmulatorAdmin, billing: RunningEmulator, http: requests.Session
) -> None:
    assert post(http, billing.url).status_code == 200
    assert post(http, billing.url).status_code == 200
    post(http, billing.url, envelope("postPayment", **PAYMENT))
    http.get(billing.url + "?wsdl", timeout=5)  # not a call
    assert admin.status("billing") == {
        "system": "billing",
        "fault": {"mode": "normal", "times": None, "delay_ms": 0},
        "calls": 3,
        "operations": {"getAccountInvoices": 2, "postPayment": 1},
    }
    assert admin.calls("billing", "postPayment") == 1
    assert admin.calls("billing", "nothing") == 0
    assert admin.zero("billing")["calls"] == 0


def test_down_is_a_503_html_page_with_retry_after(
    admin: EmulatorAdmin, billing: RunningEmulator, http: requests.Session
) -> None:
    admin.set_fault("billing", "down")
    response = post(http, billing.url)
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("text/html")
    assert int(response.headers["Retry-After"]) > 0
    assert b"<title>503 Service Unavailable</title>" in response.content
    assert admin.calls("billing", "getAccountInvoices") == 1  # counted before the fault applies


def test_html500_is_an_html_error_page(admin: EmulatorAdmin, billing: RunningEmulator, http: requests.Session) -> None:
    admin.set_fault("billing", "html500")
    response = post(http, billing.url)
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"500 - Internal server error." in response.content


def test_garbage_is_a_complete_200_that_is_not_xml(admin: EmulatorAdmin, billing: RunningEmulator) -> None:
    admin.set_fault("billing", "garbage")
    head, body = raw_exchange(billing.url)
    assert head.startswith(b"HTTP/1.0 200") and b"text/xml" in head
    assert len(body) == content_length(head)
    with pytest.raises(XmlError):
        parse_bytes(body)


@pytest.mark.parametrize(("system", "envelope_ns", "status"), [("billing", SOAP11, 500), ("weather", SOAP12, 500)])
def test_fault_is_the_systems_own_soap_server_fault(
    admin: EmulatorAdmin,
    systems: dict[str, RunningEmulator],
    http: requests.Session,
    system: str,
    envelope_ns: str,
    status: int,
) -> None:
    admin.set_fault(system, "fault")
    response = post(http, systems[system].url)
    assert response.status_code == status
    fault = parse_bytes(response.content).find(f"{{{envelope_ns}}}Body/{{{envelope_ns}}}Fault")
    assert fault is not None
    code = fault.findtext("faultcode") if envelope_ns == SOAP11 else fault.findtext(f".//{{{SOAP12}}}Value")
    assert code is not None and code.endswith(("Server", "Receiver"))


def test_truncated_claims_the_whole_envelope_and_sends_half(
    admin: EmulatorAdmin, billing: RunningEmulator, http: requests.Session
) -> None:
    admin.set_fault("billing", "truncated")
    head, body = raw_exchange(billing.url)
    assert head.startswith(b"HTTP/1.0 200")
    assert len(body) == content_length(head) // 2
    assert body.startswith(b"<?xml")
    admin.set_fault("billing", "truncated")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        post(http, billing.url)


def test_truncated_did_the_work_its_answer_was_lost(admin: EmulatorAdmin, billing: RunningEmulator) -> None:
    """The one mode that runs the operation: the dangerous case for a write, which idempotency keys are for."""
    assert isinstance(billing.emulator, BillingEmulator)
    admin.set_fault("billing", "truncated")
    raw_exchange(billing.url, envelope("postPayment", **PAYMENT))
    assert len(billing.emulator.state.payments) == 1


@pytest.mark.parametrize("mode", ["down", "html500", "garbage", "fault", "reset"])
def test_other_faults_leave_the_ledger_alone(admin: EmulatorAdmin, billing: RunningEmulator, mode: str) -> None:
    assert isinstance(billing.emulator, BillingEmulator)
    admin.set_fault("billing", mode)
    with contextlib.suppress(ConnectionResetError):
        raw_exchange(billing.url, envelope("postPayment", **PAYMENT))
    assert billing.emulator.state.payments == []


def test_reset_resets_the_connection_after_reading_the_request(
    admin: EmulatorAdmin, billing: RunningEmulator, http
) -> None:
    admin.set_fault("billing", "reset")
    with pytest.raises(ConnectionResetError):
        raw_exchange(billing.url)
    admin.set_fault("billing", "reset")
    with pytest.raises(requests.ConnectionError):
        post(http, billing.url)
    assert admin.calls("billing") == 2


def test_refuse_closes_the_port_and_clearing_reopens_it(
    admin: EmulatorAdmin, billing: RunningEmulator, http: requests.Session
) -> None:
    admin.set_fault("billing", "refuse")
    parts = urlsplit(billing.url)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((parts.hostname, parts.port), timeout=5).close()
    admin.set_fault("billing", "slow", delay_ms=0)  # any other mode listens again
    assert post(http, billing.url).status_code == 200
    admin.set_fault("billing", "refuse")
    admin.clear("billing")
    assert post(http, billing.url).status_code == 200
    assert admin.calls("billing") == 2


def test_slow_answers_normally_after_the_delay(
    admin: EmulatorAdmin, billing: RunningEmulator, http: requests.Session
) -> None:
    admin.set_fault("billing", "slow", delay_ms=300)
    started = time.monotonic()
    response = post(http, billing.url)
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200
    assert parse_bytes(response.content).find(f"{{{SOAP11}}}Body/{{{NS}}}getAccountInvoicesResponse") is not None


def test_hang_never_answers_until_the_mode_changes(
    admin: EmulatorAdmin, billing: RunningEmulator, http: requests.Session
) -> None:
    admin.set_fault("billing", "hang")
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(http, billing.url, timeout=0.3)
    in_flight = list(billing.server.in_flight)  # the hanging one, and perhaps one still closing an earlier answer
    assert any(thread.is_alive() for thread in in_flight)
    admin.clear("billing")
    for thread in in_flight:
        thread.join(timeout=5)
    assert not any(thread.is_alive() for thread in in_flight)


def test_times_gives_the_fault_to_the_next_n_requests_only(
    admin: EmulatorAdmin, billing: RunningEmulator, http
) -> None:
    assert admin.set_fault("billing", "down", times=2)["fault"] == {"mode": "down", "times": 2, "delay_ms": 0}
    assert post(http, billing.url).status_code == 503
    assert admin.status("billing")["fault"]["times"] == 1
    assert post(http, billing.url).status_code == 503
    assert admin.status("billing")["fault"] == {"mode": "normal", "times": None, "delay_ms": 0}
    assert post(http, billing.url).status_code == 200
    assert admin.calls("billing") == 3


def test_a_system_switches_alone(
    admin: EmulatorAdmin, systems: dict[str, RunningEmulator], http: requests.Session
) -> None:
    admin.set_fault("billing", "down")
    assert admin.status("weather")["fault"]["mode"] == "normal"
    assert post(http, systems["weather"].url).status_code != 503
    assert admin.calls("weather") == 1 and admin.calls("billing") == 0


def test_reset_seeds_again_back_to_normal_from_zero(
    admin: EmulatorAdmin, billing: RunningEmulator, http: requests.Session
) -> None:
    post(http, billing.url, envelope("postPayment", **PAYMENT))
    assert isinstance(billing.emulator, BillingEmulator) and len(billing.emulator.state.payments) == 1
    admin.set_fault("billing", "refuse")
    status = admin.reset("billing")
    assert status == {
        "system": "billing",
        "fault": {"mode": "normal", "times": None, "delay_ms": 0},
        "calls": 0,
        "operations": {},
    }
    assert post(http, billing.url).status_code == 200
    assert isinstance(billing.emulator, BillingEmulator) and billing.emulator.state.payments == []


# -- the admin endpoint -----------------------------------------------------------------------


def test_admin_listens_on_loopback_only(admin_server: Background) -> None:
    assert admin_server.server.server_address[0] == "127.0.0.1"
    assert admin_server.url.startswith("http://127.0.0.1:")


def test_admin_lists_its_systems(admin: EmulatorAdmin, http: requests.Session) -> None:
    assert http.get(admin.url + "/systems", timeout=5).json() == {"systems": ["billing", "weather"]}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"mode": "sleepy"}, "unknown mode 'sleepy'"),
        ({"mode": "down", "times": 0}, "times"),
        ({"mode": "down", "times": "2"}, "times"),
        ({"mode": "down", "times": True}, "times"),
        ({"mode": "slow", "delay_ms": -1}, "delay_ms"),
        ({"mode": "slow", "delay_ms": 1.5}, "delay_ms"),
        ({"mode": "refuse", "times": 1}, "times does not apply"),
        ({"mode": "down", "after": 2}, "unknown field 'after'"),
        ({"times": 2}, "expected a JSON object"),
        (["down"], "expected a JSON object"),
    ],
)
def test_a_bad_fault_is_a_400_with_a_one_line_error(
    admin: EmulatorAdmin, http: requests.Session, body: object, words: str
) -> None:
    response = http.put(f"{admin.url}/systems/billing/fault", json=body, timeout=5)
    assert response.status_code == 400
    error = response.json()["error"]
    assert words in error and "\n" not in error
    assert admin.status("billing")["fault"]["mode"] == "normal"


def test_a_body_that_is_not_json_is_a_400(admin: EmulatorAdmin, http: requests.Session) -> None:
    response = http.put(f"{admin.url}/systems/billing/fault", data=b"down", timeout=5)
    assert response.status_code == 400
    assert "not JSON" in response.json()["error"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/systems/erp", 404),
        ("PUT", "/systems/erp/fault", 404),
        ("GET", "/elsewhere", 404),
        ("POST", "/systems/billing/fault", 405),
        ("GET", "/systems/billing/calls", 405),
    ],
)
def test_unknown_systems_and_routes(
    admin: EmulatorAdmin, http: requests.Session, method: str, path: str, status: int
) -> None:
    response = http.request(method, admin.url + path, json={"mode": "down"}, timeout=5)
    assert response.status_code == status
    assert response.json()["error"]
