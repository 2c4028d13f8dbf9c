"""The issue's "done when", against a real `soapbridge serve` and its emulators with faults switched on.

The gateway runs on a copy of the project with short timeouts: billing (connect 1 s, operation 1 s,
deadline 2 s) for the fault modes and retries, weather (breaker: 3 failures, 1 s cool-down) for the breaker.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from lxml import etree

from soapbridge.namespaces import CANONICAL, SOAP11_ENV
from tests.conftest import ROOT
from tests.emulator_admin import EmulatorAdmin
from tests.resilience.conftest import shorten
from tests.running import RunningGateway, start_gateway, stop_gateway
from tests.security.contentsafety import call

DEADLINE = 2.0
MARGIN = 1.5
LIST_INVOICES = f'<ListInvoices xmlns="{CANONICAL}"><customerId>1001</customerId></ListInvoices>'
FORECAST = f'<GetForecast xmlns="{CANONICAL}"><stationId>EGLL</stationId><days>1</days></GetForecast>'
PAYMENT = (
    f'<RecordPayment xmlns="{CANONICAL}"><invoiceId>INV-2024-0101</invoiceId><amount>1.00</amount>'
    "<currency>GBP</currency><paidOn>2024-02-01</paidOn><reference>resilience test</reference></RecordPayment>"
)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    home = tmp_path_factory.mktemp("home")
    for folder in ("adapters", "wsdl", "xslt"):  # copies: the project refuses files that resolve outside it
        shutil.copytree(ROOT / folder, home / folder)
    shutil.copy(ROOT / "clients.toml", home / "clients.toml")
    quick = {"timeouts": {"connect": 1.0, "operation": 1.0, "deadline": DEADLINE}}
    retry = {"retry": {"backoff": 0.05, "max_backoff": 0.1}}
    shorten(home, "billing", **quick, **retry, breaker={"failures": 10})  # the fault modes must not open it
    shorten(home, "weather", **quick, **retry, breaker={"failures": 3, "cooldown": 1.0, "max_cooldown": 2.0})
    process, running = start_gateway(extra_env={"SOAPBRIDGE_HOME": str(home)})
    try:
        yield running
    finally:
        stop_gateway(process)


@pytest.fixture(scope="module")
def admin(gateway: RunningGateway) -> EmulatorAdmin:
    return EmulatorAdmin(gateway.admin)


def outcome(response: requests.Response) -> tuple[str, str, str]:
    """("ok", "", "") for an answer, else (canonical code, system, message) of the SOAP 1.1 fault."""
    document = etree.fromstring(response.content)
    fault = document.find(f".//{{{SOAP11_ENV}}}Fault")
    if fault is None:
        return "ok", "", ""
    assert fault.findtext("faultcode") == "soap:Server", response.text
    detail = {etree.QName(child).localname: child.text or "" for child in fault.find("detail")[0]}  # type: ignore[index]
    return detail["code"], detail.get("system", ""), detail["message"]


def timed(base: str, body: str, operation: str) -> tuple[tuple[str, str, str], float]:
    started = time.monotonic()
    response = call(base, body, operation)
    return outcome(response), time.monotonic() - started


@pytest.mark.parametrize(
    ("mode", "code", "says"),
    [
        ("down", "UpstreamUnavailable", "billing answered HTTP 503 with an HTML page, not SOAP"),
        ("refuse", "UpstreamUnavailable", "billing refused the connection"),
        ("slow", "UpstreamTimeout", "billing did not answer within 1.0 s"),
        ("hang", "UpstreamTimeout", "billing did not answer within 1.0 s"),
        ("html500", "UpstreamUnavailable", "billing answered HTTP 500 with an HTML page, not SOAP"),
        ("truncated", "UpstreamUnavailable", "billing closed the connection before its whole answer arrived"),
        ("garbage", "UpstreamUnavailable", "billing answered with something that is not XML"),
        ("reset", "UpstreamUnavailable", "billing reset or closed the connection without answering"),
        ("fault", "UpstreamFault", "billing answered with a fault that soapbridge does not map"),
    ],
)
def test_each_fault_mode_gives_its_typed_fault_within_the_deadline(
    gateway: RunningGateway, admin: EmulatorAdmin, mode: str, code: str, says: str
) -> None:
    admin.set_fault("billing", mode, delay_ms=3000 if mode == "slow" else None)
    try:
        (got, system, message), elapsed = timed(gateway.base, LIST_INVOICES, "ListInvoices")
    finally:
        admin.clear("billing")
    assert (got, system, message) == (code, "billing", says)
    assert elapsed < DEADLINE + MARGIN
    assert outcome(call(gateway.base, LIST_INVOICES, "ListInvoices"))[0] == "ok"  # recovered, and the count reset


def test_an_idempotent_read_is_tried_again_after_resets(gateway: RunningGateway, admin: EmulatorAdmin) -> None:
    admin.zero("billing")
    admin.set_fault("billing", "reset", times=2)
    assert outcome(call(gateway.base, LIST_INVOICES, "ListInvoices"))[0] == "ok"
    assert admin.calls("billing", "getAccountInvoices") == 3


def test_record_payment_is_never_tried_again(gateway: RunningGateway, admin: EmulatorAdmin) -> None:
    admin.zero("billing")
    admin.set_fault("billing", "reset", times=1)
    try:
        got = outcome(call(gateway.base, PAYMENT, "RecordPayment"))
    finally:
        admin.clear("billing")
    assert got[:2] == ("UpstreamUnavailable", "billing")
    assert admin.calls("billing", "postPayment") == 1


def readiness(base: str) -> dict[str, object]:
    """weather's entry in /readyz: an open breaker leaves the gateway ready, and says so."""
    response = requests.get(f"{base}/readyz", timeout=10)
    assert response.status_code == 200, response.text
    entry: dict[str, object] = json.loads(response.content)["upstreams"]["weather"]
    return entry


def test_the_breaker_opens_stops_calling_half_opens_once_and_recovers(
    gateway: RunningGateway, admin: EmulatorAdmin
) -> None:
    admin.zero("weather")
    admin.set_fault("weather", "html500")
    for _ in range(3):
        assert outcome(call(gateway.base, FORECAST, "GetForecast"))[0] == "UpstreamUnavailable"
    assert admin.calls("weather") == 3
    code, system, message = outcome(call(gateway.base, FORECAST, "GetForecast"))
    assert (code, system) == ("UpstreamUnavailable", "weather") and "weather is failing" in message
    assert admin.calls("weather") == 3  # open: no call went out
    state = readiness(gateway.base)
    retry_in = state["retry_in"]
    assert (state["state"], state["consecutive_failures"]) == ("open", 3)
    assert isinstance(retry_in, float | int) and 0 <= retry_in <= 1

    admin.set_fault("weather", "slow", delay_ms=800)  # healthy again, slowly enough to keep the probe in flight
    time.sleep(1.2)
    with ThreadPoolExecutor(2) as pool:
        both = list(pool.map(lambda _: outcome(call(gateway.base, FORECAST, "GetForecast")), range(2)))
    assert sorted(code for code, _, _ in both) == ["UpstreamUnavailable", "ok"], both
    assert any("trial call" in message for _, _, message in both)
    assert admin.calls("weather") == 4  # exactly one probe

    admin.clear("weather")
    assert outcome(call(gateway.base, FORECAST, "GetForecast"))[0] == "ok"
    state = readiness(gateway.base)
    assert (state["state"], state["consecutive_failures"]) == ("closed", 0)
