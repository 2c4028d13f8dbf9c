"""Hostile answers from a legacy system end in a Server fault that names nothing, and the gateway carries on.

A misbehaving legacy server answers every POST with one payload; billing is pointed at it, weather at
its emulator. Whatever billing sends, the client gets soap:Server with no upstream URL, file path,
libxml2 code or canary text, the listener gets no connection, and a forecast works right after.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from soapbridge.config import load_adapter
from soapbridge.errors import UpstreamUnavailable
from soapbridge.legacy import build
from soapbridge.legacy._server import start
from soapbridge.namespaces import CANONICAL, SOAP11_ENV
from soapbridge.settings import Settings
from soapbridge.upstream.client import UpstreamTransport
from tests.conftest import CREDENTIALS
from tests.security.contentsafety import (
    CANARY_TEXT,
    Listener,
    answering,
    call,
    fault,
    forecast_works,
    gateway,
    write_canary,
)

LIST_INVOICES = f'<ListInvoices xmlns="{CANONICAL}"><customerId>1001</customerId></ListInvoices>'
BILLING = "urn:example-billing:InvoiceService"


def envelope(inner: str, prolog: str = "") -> bytes:
    body = f'<b:getAccountInvoicesResponse xmlns:b="{BILLING}">{inner}</b:getAccountInvoicesResponse>'
    soap = f'<soapenv:Envelope xmlns:soapenv="{SOAP11_ENV}"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>'
    return f"{prolog}{soap}".encode()


def payloads(canary: Path, listener: Listener) -> dict[str, bytes]:
    laughs = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    return {
        "XXE to a local file": envelope("&x;", f'<!DOCTYPE e [<!ENTITY x SYSTEM "{canary.as_uri()}">]>'),
        "XXE to a loopback URL": envelope("&x;", f'<!DOCTYPE e [<!ENTITY x SYSTEM "{listener.url}/x">]>'),
        "parameter-entity XXE": envelope("", f'<!DOCTYPE e [<!ENTITY % p SYSTEM "{canary.as_uri()}"> %p;]>'),
        "billion laughs": envelope("&a9;", f"<!DOCTYPE e [{laughs}]>"),
        "quadratic blowup": envelope("&b;" * 20_000, f'<!DOCTYPE e [<!ENTITY b "{"x" * 20_000}">]>'),
        "external DTD": envelope("", f'<!DOCTYPE e SYSTEM "{listener.url}/x.dtd">'),
        "XInclude": envelope(
            f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{canary.as_uri()}" parse="text"/>'
        ),
        "deep nesting": envelope("<n>" * 10_000 + "</n>" * 10_000),
        "100,000 attributes": envelope("<n " + " ".join(f'a{i}="1"' for i in range(100_000)) + "/>"),
        "a 100,000-character name": envelope(f"<{'n' * 100_000}/>"),
        "invalid UTF-8": envelope("<n>\xff\xfe</n>").replace("\xff\xfe".encode(), b"\xff\xfe"),
        "a wrong declared encoding": envelope("<n>caf\u00e9</n>", '<?xml version="1.0" encoding="UTF-16"?>'),
        "non-XML": b"this is not XML at all",
        "a truncated document": envelope("<n>1001</n>")[:-40],
        "an empty body": b"",
        "an envelope of the other SOAP version": envelope("").replace(
            SOAP11_ENV.encode(), b"http://www.w3.org/2003/05/soap-envelope"
        ),
    }


HTML = b"<html><head><title>500 Internal Server Error</title></head><body><pre>at /opt/app</pre></body></html>"


@pytest.fixture
def weather(project: Path) -> Iterator[str]:
    with start(build("weather", project / "wsdl", CREDENTIALS)) as running:
        yield running.url


def assert_server_fault_naming_nothing(base: str, legacy: str, listener: Listener) -> None:
    response = call(base, LIST_INVOICES, "ListInvoices")
    code, canonical, _ = fault(response)
    assert code.endswith(":Server") and canonical.startswith("Upstream"), response.text
    for leak in (legacy, "127.0.0.1", "/tmp", CANARY_TEXT, "line ", "Traceback", "lxml", "libxml"):
        assert leak not in response.text, (leak, response.text)
    assert listener.connections == []
    assert forecast_works(base)


@pytest.mark.parametrize(
    "case",
    [
        "XXE to a local file",
        "XXE to a loopback URL",
        "parameter-entity XXE",
        "billion laughs",
        "quadratic blowup",
        "external DTD",
        "XInclude",
        "deep nesting",
        "100,000 attributes",
        "a 100,000-character name",
        "invalid UTF-8",
        "a wrong declared encoding",
        "non-XML",
        "a truncated document",
        "an empty body",
        "an envelope of the other SOAP version",
    ],
)
def test_a_hostile_answer_ends_in_a_server_fault(
    case: str, project: Path, weather: str, listener: Listener, tmp_path_factory: pytest.TempPathFactory
) -> None:
    payload = payloads(write_canary(tmp_path_factory.mktemp("outside")), listener)[case]
    with answering(lambda: payload) as legacy:
        env = {**CREDENTIALS, "SOAPBRIDGE_WEATHER_URL": weather, "SOAPBRIDGE_BILLING_URL": legacy}
        with gateway(project, env) as base:
            assert_server_fault_naming_nothing(base, legacy, listener)


@pytest.mark.parametrize("status", [200, 500, 503])
def test_an_html_error_page_ends_in_a_server_fault(
    status: int, project: Path, weather: str, listener: Listener
) -> None:
    with answering(lambda: HTML, "text/html", status) as legacy:
        env = {**CREDENTIALS, "SOAPBRIDGE_WEATHER_URL": weather, "SOAPBRIDGE_BILLING_URL": legacy}
        with gateway(project, env) as base:
            assert_server_fault_naming_nothing(base, legacy, listener)


def test_a_legacy_system_that_never_answers_times_out_on_the_adapters_operation_timeout(
    project: Path, weather: str, listener: Listener
) -> None:
    adapter = project / "adapters" / "billing.toml"
    adapter.write_text(adapter.read_text().replace("operation = 10.0", "operation = 0.5"))
    released = threading.Event()

    def stall() -> bytes:
        released.wait(timeout=30)
        return b""

    try:
        with answering(stall) as legacy:
            env = {**CREDENTIALS, "SOAPBRIDGE_WEATHER_URL": weather, "SOAPBRIDGE_BILLING_URL": legacy}
            with gateway(project, env) as base:
                response = call(base, LIST_INVOICES, "ListInvoices")
                code, canonical, message = fault(response)
                assert (code, canonical) == ("soap:Server", "UpstreamTimeout") and legacy not in message
                assert forecast_works(base)
    finally:
        released.set()


def test_the_transport_carries_the_adapters_timeouts(project: Path) -> None:
    settings = Settings(root=project, env=dict(CREDENTIALS))
    adapter = load_adapter(project / "adapters" / "billing.toml", settings)
    transport = UpstreamTransport(adapter)
    assert transport.timeouts == adapter.timeouts


def test_an_answer_over_the_body_limit_is_refused_without_reading_it_whole(project: Path) -> None:
    settings = Settings(root=project, env=dict(CREDENTIALS))
    adapter = load_adapter(project / "adapters" / "billing.toml", settings)
    answer = envelope("<n>" + "x" * 5000 + "</n>")
    with answering(lambda: answer) as legacy:
        small = UpstreamTransport(adapter, max_body=1000)
        with pytest.raises(UpstreamUnavailable, match="more than 1000 bytes"):
            small.post(legacy, b"<x/>", {"Content-Type": "text/xml"})
        assert UpstreamTransport(adapter, max_body=len(answer)).post(legacy, b"<x/>", {}).content == answer
