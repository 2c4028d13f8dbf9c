"""/healthz and /readyz: in-process for their content, and on a real serve for readiness while draining."""

from __future__ import annotations

import http.client
import json
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from soapbridge.config import load_adapters
from soapbridge.gateway import Gateway, create_app
from soapbridge.settings import Auth, Settings
from tests.conftest import CREDENTIALS, ROOT
from tests.running import serving, start_gateway, stop_gateway

SETTINGS = Settings(root=ROOT, env=CREDENTIALS, auth=Auth(enabled=False))


@pytest.fixture(scope="module")
def gateway() -> Gateway:
    return create_app(SETTINGS)


@pytest.fixture(scope="module")
def base(gateway: Gateway) -> Iterator[str]:
    with serving(gateway, "health") as url:
        yield url


def readiness(base: str) -> tuple[int, dict[str, Any]]:
    response = requests.get(f"{base}/readyz", timeout=10)
    assert response.headers["Content-Type"] == "application/json"
    document: dict[str, Any] = response.json()
    return response.status_code, document


def test_healthz_says_the_process_is_up(base: str) -> None:
    response = requests.get(f"{base}/healthz", timeout=10)
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_counts_what_the_engine_loaded_and_lists_each_upstream(base: str) -> None:
    adapters = load_adapters(SETTINGS)
    sheets = {
        path
        for adapter in adapters
        for operation in adapter.operations.values()
        for path in (operation.response, operation.request, *(step.request for step in operation.steps))
        if path is not None
    }
    status, document = readiness(base)
    assert status == 200 and document["ready"] is True and document["draining"] is False
    assert document["wsdls"] == len([adapter for adapter in adapters if adapter.wsdl is not None]) == 5
    assert document["stylesheets"] == len(sheets)
    assert document["operations"] == sum(len(adapter.operations) for adapter in adapters)
    assert set(document["upstreams"]) == {"billing", "crm", "ehr", "mailing", "weather"}
    for entry in document["upstreams"].values():
        assert entry["state"] == "closed" and entry["consecutive_failures"] == 0


def test_an_open_circuit_is_listed_but_leaves_the_gateway_ready() -> None:
    gateway = create_app(SETTINGS)  # its own: the circuit stays open for a while
    breaker = gateway.engine.upstreams["weather"].breaker
    for _ in range(breaker.config.failures):
        breaker.failed(probe=False)
    with serving(gateway, "health-open") as url:
        status, document = readiness(url)
    assert status == 200 and document["ready"] is True
    assert document["upstreams"]["weather"]["state"] == "open"
    assert document["upstreams"]["weather"]["consecutive_failures"] == breaker.config.failures
    assert document["upstreams"]["crm"]["state"] == "closed"


def test_a_draining_gateway_is_not_ready(gateway: Gateway, base: str) -> None:
    gateway.health.draining = True
    try:
        status, document = readiness(base)
    finally:
        gateway.health.draining = False
    assert status == 503
    assert document["ready"] is False and document["draining"] is True and document["wsdls"] == 5
    assert requests.get(f"{base}/healthz", timeout=10).status_code == 200  # still up, only not taking new work


def test_after_sigterm_readyz_answers_503_on_a_kept_alive_connection() -> None:
    """After SIGTERM the listener is closed, so only a connection opened before can ask: gunicorn keeps those
    open for a moment, and answers their requests with Connection: close."""
    process, running = start_gateway()
    host, port = running.base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        statuses = [_get_readyz(connection)]
        process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while statuses[-1][0] == 200 and time.monotonic() < deadline:
            time.sleep(0.02)
            statuses.append(_get_readyz(connection))
    finally:
        connection.close()
        code = stop_gateway(process)
    assert statuses[0][0] == 200
    assert statuses[-1][0] == 503 and statuses[-1][1]["ready"] is False and statuses[-1][1]["draining"] is True
    assert code == 0


def _get_readyz(connection: http.client.HTTPConnection) -> tuple[int, dict[str, Any]]:
    connection.request("GET", "/readyz")
    response = connection.getresponse()
    return response.status, json.loads(response.read())
