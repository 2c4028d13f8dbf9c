"""GET /, the status page, from a real `soapbridge serve` (two workers) with weather pointed at a closed port.

The page is written as polyglot HTML5 (also well-formed XML), so lxml reads it as a tree here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from lxml import etree

import soapbridge
from soapbridge.gateway.status import hide_credentials
from tests.conftest import ROOT
from tests.running import RunningGateway, free_port, start_gateway, stop_gateway

#: Secrets in weather's endpoint: the page must show neither.
USER_PASSWORD, QUERY_SECRET = "hunter2", "s3cr3t-key"
SYSTEMS = sorted(tomllib.loads(path.read_text())["system"]["name"] for path in (ROOT / "adapters").glob("*.toml"))
WSDL = "{http://schemas.xmlsoap.org/wsdl/}"
#: Page loads sent at once, so that both workers get some.
PAGES_AT_ONCE = 8


@pytest.fixture(scope="module")
def gateway() -> Iterator[RunningGateway]:
    refused = f"http://ops:{USER_PASSWORD}@127.0.0.1:{free_port()}/wx?apikey={QUERY_SECRET}"
    process, running = start_gateway(extra_env={"SOAPBRIDGE_WEATHER_URL": refused})
    try:
        yield running
    finally:
        assert stop_gateway(process) == 0


def page(gateway: RunningGateway) -> tuple[requests.Response, etree._Element]:
    response = requests.get(gateway.base + "/", timeout=10)
    return response, etree.fromstring(response.content, etree.XMLParser(resolve_entities=False, no_network=True))


def cell(document: etree._Element, system: str, label: str) -> str:
    found = document.xpath(f"//tr[@id='adapter-{system}']/td[@data-label='{label}']")
    assert found, f"no {label} cell for {system}"
    return " ".join(" ".join(found[0].xpath(".//text()")).split())  # a <br/> reads as a space


def json_call(gateway: RunningGateway, operation: str, body: dict[str, str]) -> int:
    return requests.post(f"{gateway.base}/json/{operation}", json=body, timeout=30).status_code


def test_a_plain_html5_page_never_cached(gateway: RunningGateway) -> None:
    response, document = page(gateway)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Correlation-ID"]
    assert response.text.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert not document.xpath("//script") and not document.xpath("//@*[starts-with(name(), 'on')]")
    assert document.xpath("string(//meta[@http-equiv='refresh']/@content)") == "15"
    assert document.xpath("string(//*[@id='version'])") == soapbridge.__version__
    assert requests.head(gateway.base + "/", timeout=10).status_code == 200
    assert requests.post(gateway.base + "/", timeout=10).status_code == 405


def test_every_adapter_with_its_endpoint_and_circuit(gateway: RunningGateway) -> None:
    response, document = page(gateway)
    assert document.xpath("//table[@id='adapters']/tbody/tr/@id") == [f"adapter-{name}" for name in SYSTEMS]
    assert cell(document, "crm", "Endpoint") == gateway.emulators["crm"]
    assert cell(document, "crm", "Circuit") == "closed"
    assert cell(document, "composite", "Upstream") == "none: composes other operations"
    weather = cell(document, "weather", "Endpoint")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/wx\?apikey=\*\*\*", weather), weather
    assert USER_PASSWORD not in response.text and QUERY_SECRET not in response.text and "ops@" not in response.text


def test_every_operation_and_the_contract_links(gateway: RunningGateway) -> None:
    _, document = page(gateway)
    wsdl = requests.get(gateway.base + "/soap11?wsdl", timeout=10)
    served = sorted({element.get("name") for element in etree.fromstring(wsdl.content).iter(f"{WSDL}operation")})
    passed_through = ["operation-weather.GetCurrentObservation"]  # after the canonical ones, with no JSON form
    rows = document.xpath("//table[@id='operations']/tbody/tr/@id")
    assert rows == [f"operation-{name}" for name in served] + passed_through
    assert document.xpath("//tr[@id='operation-weather.GetCurrentObservation']//a/@href") == [
        "/passthrough/weather?wsdl"
    ]
    links = document.xpath("//ul[@id='links']/li/a/@href")
    assert links == ["/soap11?wsdl", "/soap12?wsdl", "/openapi.json", "/metrics", "/readyz", "/healthz"]
    for href in ("/soap11?wsdl", "/soap12?wsdl", "/readyz", "/healthz"):
        assert requests.get(gateway.base + href, timeout=10).status_code == 200, href


def test_recent_tries_are_the_same_from_every_worker(gateway: RunningGateway) -> None:
    for customer in ("1001", "1002", "1003"):
        assert json_call(gateway, "GetCustomer", {"customerId": customer}) == 200
    assert json_call(gateway, "GetCustomer", {"customerId": "9999"}) == 404  # a SOAP fault: an answer
    shown, workers = set(), set()
    with ThreadPoolExecutor(PAGES_AT_ONCE) as pool:
        for _ in range(20):  # rounds of loads at once until both workers have answered: one idle worker
            for _, document in pool.map(lambda _: page(gateway), range(PAGES_AT_ONCE)):  # may take every
                workers.add(document.xpath("string(//*[@id='worker'])"))  # load made one after another
                shown.add(cell(document, "crm", "Recent"))
            if len(workers) == 2:
                break
    assert len(workers) == 2, "one worker answered every request"
    assert shown == {"4 tries, 0 failed (0%), 1 SOAP fault"}
    assert cell(document, "billing", "Recent") == "no calls"


def test_a_system_that_does_not_answer_shows_failures_and_its_open_circuit(gateway: RunningGateway) -> None:
    for _ in range(3):  # 3 tries each (an idempotent read): the circuit opens after 5 failures in a row
        assert json_call(gateway, "GetCurrentWeather", {"stationId": "RJTT"}) >= 500
    _, document = page(gateway)
    circuit = cell(document, "weather", "Circuit")
    assert re.fullmatch(r"open next try in \d+ s", circuit), circuit
    recent = re.fullmatch(r"(\d+) tries, (\d+) failed \(100%\)", cell(document, "weather", "Recent"))
    assert recent and int(recent.group(1)) == int(recent.group(2)) >= 5


def test_credentials_are_hidden_from_any_endpoint() -> None:
    assert hide_credentials("https://user:pw@erp.example:8443/sap/bc/soap?sap-client=100&token=x#f") == (
        "https://erp.example:8443/sap/bc/soap?sap-client=***&token=***"
    )
    assert hide_credentials("http://[::1]:8080/crm") == "http://[::1]:8080/crm"
