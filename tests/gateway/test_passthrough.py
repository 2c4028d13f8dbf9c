"""Pass-through operations end to end: an in-process gateway over loopback HTTP, the emulated systems in threads.

The shipped weather adapter publishes GetCurrentObservation at /passthrough/weather (SOAP 1.2, a read); the
tests that need a write publish the CRM's Z_CRM_CUSTOMER_UPDATE in a copy of the project.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import zeep
from lxml import etree
from zeep.helpers import serialize_object

from soapbridge.config import load_adapter
from soapbridge.errors import ConfigError
from soapbridge.gateway import create_app
from soapbridge.legacy import build
from soapbridge.legacy._server import RunningEmulator, start
from soapbridge.legacy.faults import Fault
from soapbridge.namespaces import SOAP11_ENV, SOAP12_ENV, WSA
from soapbridge.passwords import hash_password
from soapbridge.settings import Auth, Settings
from tests.conftest import CREDENTIALS, ROOT
from tests.running import serving

WX = "http://aerowx.example.net/WxFeed/2005/03/types"
ACTION = "http://aerowx.example.net/WxFeed/2005/03/GetCurrentObservation"
SOAP12 = {"Content-Type": f'application/soap+xml; charset=utf-8; action="{ACTION}"'}
LICENCE = CREDENTIALS["SOAPBRIDGE_WEATHER_LICENCE"]
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


def observation(station: str = "EGLL", licence: str = LICENCE) -> bytes:
    """A SOAP 1.2 request for GetCurrentObservation, its namespace declared on the Envelope (the payload
    inherits it, as SoapUI writes them)."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<env:Envelope xmlns:env="{SOAP12_ENV}" xmlns:wx="{WX}">'
        f"<env:Header/><env:Body>\n  <wx:GetCurrentObservation><wx:LicenceKey>{licence}</wx:LicenceKey>"
        f"<wx:StationICAO>{station}</wx:StationICAO></wx:GetCurrentObservation>\n</env:Body></env:Envelope>"
    ).encode()


@contextmanager
def emulated(*systems: str) -> Iterator[dict[str, RunningEmulator]]:
    running = {name: start(build(name, ROOT / "wsdl", CREDENTIALS)) for name in systems}
    try:
        yield running
    finally:
        for emulator in running.values():
            emulator.stop()


def gateway_env(running: dict[str, RunningEmulator]) -> dict[str, str]:
    return {**CREDENTIALS, **{f"SOAPBRIDGE_{name.upper()}_URL": r.url for name, r in running.items()}}


@pytest.fixture(scope="module")
def weather() -> Iterator[RunningEmulator]:
    with emulated("weather") as running:
        yield running["weather"]


@pytest.fixture(scope="module")
def base(weather: RunningEmulator) -> Iterator[str]:
    settings = Settings(root=ROOT, env=gateway_env({"weather": weather}), auth=Auth(enabled=False))
    with serving(create_app(settings), "gateway") as url:
        yield url


def post(
    base: str, body: bytes, headers: dict[str, str] | None = None, path: str = "/passthrough/weather"
) -> requests.Response:
    return requests.post(base + path, data=body, headers=headers or SOAP12, timeout=30)


def gateway_fault(response: requests.Response) -> tuple[str, str]:
    """(code, message) of the gateway's own SOAP fault: the canonical code of its cn:GatewayFault, or the SOAP
    code of an envelope fault (VersionMismatch, MustUnderstand), which has none."""
    envelope = etree.fromstring(response.content)
    detail = envelope.find(".//{urn:soapbridge:canonical:v1}GatewayFault")
    if detail is not None:
        return detail.findtext("{*}code") or "", detail.findtext("{*}message") or ""
    code = envelope.findtext(".//faultcode") or envelope.findtext(f".//{{{SOAP12_ENV}}}Value") or ""
    message = envelope.findtext(".//faultstring") or envelope.findtext(f".//{{{SOAP12_ENV}}}Text") or ""
    assert code, response.text
    return code.split(":")[-1], message


def test_an_observation_passes_through_in_soap_1_2_with_the_gateways_addressing(
    base: str, weather: RunningEmulator
) -> None:
    response = post(base, observation(), {**SOAP12, "X-Correlation-ID": "passthrough-test-0001"})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/soap+xml")
    answer = etree.fromstring(response.content)
    assert answer.findtext(f".//{{{WX}}}Observation/{{{WX}}}StationICAO") == "EGLL"
    received = weather.switch.received()[-1]
    assert received["operation"] == "GetCurrentObservation"
    assert received["addressing"]["Action"] == ACTION  # the feed refuses a request without WS-Addressing
    assert received["headers"]["X-Correlation-ID"] == "passthrough-test-0001"


def test_a_legacy_fault_comes_back_as_the_legacy_system_sent_it(base: str, weather: RunningEmulator) -> None:
    through = post(base, observation("ZZZZ"))
    direct = requests.post(weather.url, data=_with_addressing(observation("ZZZZ")), headers=SOAP12, timeout=30)
    assert (through.status_code, through.content) == (direct.status_code, direct.content)
    assert through.status_code == 400 and b"UnknownStationFault" in through.content


def _with_addressing(envelope: bytes) -> bytes:
    action = f'<wsa:Action xmlns:wsa="{WSA}">{ACTION}</wsa:Action>'
    blocks = action + f'<wsa:MessageID xmlns:wsa="{WSA}">urn:uuid:1</wsa:MessageID>'
    return envelope.replace(b"<env:Header/>", f"<env:Header>{blocks}</env:Header>".encode())


def test_the_published_wsdl_is_the_legacy_one_at_the_gateways_address_and_zeep_calls_through_it(base: str) -> None:
    wsdl = etree.fromstring(requests.get(f"{base}/passthrough/weather?wsdl", timeout=10).content)
    ports = wsdl.findall("{http://schemas.xmlsoap.org/wsdl/}service/{http://schemas.xmlsoap.org/wsdl/}port")
    assert [port[0].get("location") for port in ports] == [f"{base}/passthrough/weather"]
    operations = wsdl.xpath("//*[local-name()='binding']/*[local-name()='operation']/@name")
    assert operations == ["GetCurrentObservation"]  # only what passes through
    assert b"schemaLocation" not in etree.tostring(wsdl)  # the types are inlined: a client fetches nothing more
    client = zeep.Client(f"{base}/passthrough/weather?wsdl")
    result = client.service.GetCurrentObservation(LicenceKey=LICENCE, StationICAO="LFPG")
    assert result.StationICAO == "LFPG"  # zeep unwraps the answer's one Observation


@pytest.mark.parametrize(
    ("body", "headers", "status", "code", "says"),
    [
        (observation().replace(SOAP12_ENV.encode(), SOAP11_ENV.encode()), {"Content-Type": "text/xml"}, 500,
         "VersionMismatch", "this endpoint speaks SOAP 1.2"),
        (observation().replace(SOAP12_ENV.encode(), SOAP11_ENV.encode()), SOAP12, 500, "VersionMismatch",
         "the envelope is {http://schemas.xmlsoap.org/soap/envelope/}Envelope"),
        (observation()[:-30], SOAP12, 400, "InvalidRequest", "the request is not well-formed XML"),
        (observation().replace(b"</wx:StationICAO>", b"</wx:Station>"), SOAP12, 400, "InvalidRequest",
         "the request is not well-formed XML"),
        (observation().replace(b"\n</env:Body>", b"<wx:GetCurrentObservation/></env:Body>"), SOAP12, 400,
         "InvalidRequest", "the SOAP Body must hold exactly one element and no text; it holds more"),
        (observation().replace(b"wx:GetCurrentObservation>", b"wx:ListStations>"), SOAP12, 400, "InvalidRequest",
         "weather passes through no operation that takes"),
        (re.sub(rb"<env:Body>.*</env:Body>", b"<env:Body/>", observation(), flags=re.S), SOAP12, 400,
         "InvalidRequest", "the SOAP Body must hold exactly one element; it holds none"),
        (observation(), {"Content-Type": 'application/soap+xml; action="urn:other"'}, 400, "InvalidRequest",
         "the SOAPAction 'urn:other' does not match"),
        (observation().replace(b"utf-8", b"iso-8859-1"), SOAP12, 400, "InvalidRequest",
         "a pass-through request must be UTF-8"),
    ],
    ids=["soap11-media-type", "soap11-envelope", "truncated", "mismatched-tags", "two-payloads",
         "not-passed-through", "empty-body", "wrong-action", "latin-1"],
)  # fmt: skip
def test_a_request_the_gateway_refuses_gets_its_typed_fault(
    base: str, body: bytes, headers: dict[str, str], status: int, code: str, says: str
) -> None:
    response = post(base, body, headers)
    assert response.status_code == status, response.text
    got, message = gateway_fault(response)
    assert got == code and says in message, message


def test_a_mustunderstand_block_the_gateway_does_not_know_is_refused(base: str) -> None:
    block = b'<x:Private xmlns:x="urn:private" env:mustUnderstand="true"/>'
    response = post(base, observation().replace(b"<env:Header/>", b"<env:Header>" + block + b"</env:Header>"))
    assert response.status_code == 500 and b"MustUnderstand" in response.content, response.text


def test_pass_through_calls_are_counted_logged_and_listed(base: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="soapbridge.request"):
        assert post(base, observation()).status_code == 200
    line = next(record.getMessage() for record in caplog.records if record.name == "soapbridge.request")
    assert line.startswith("weather.GetCurrentObservation over passthrough: ok, 200"), line
    assert "upstream weather.GetCurrentObservation ok" in line
    metrics = requests.get(f"{base}/metrics", timeout=10).text
    counted = re.search(
        r'soapbridge_requests_total\{[^}]*operation="weather.GetCurrentObservation"[^}]*protocol="passthrough"', metrics
    )
    assert counted is not None, metrics
    assert "passthrough" not in requests.get(f"{base}/openapi.json", timeout=10).text  # no JSON form
    assert b"GetCurrentObservation" not in requests.get(f"{base}/soap11?wsdl", timeout=10).content
    page = requests.get(f"{base}/", timeout=10).text
    assert 'id="operation-weather.GetCurrentObservation"' in page and "/passthrough/weather?wsdl" in page


def test_a_passed_through_read_is_tried_again_and_then_trips_the_breaker(tmp_path: Path, project: Path) -> None:
    _shorten_breaker(project / "adapters" / "weather.toml")
    with emulated("weather") as running:
        switch = running["weather"].switch
        settings = Settings(root=project, env=gateway_env(running), auth=Auth(enabled=False))
        with serving(create_app(settings), "gateway") as url:
            switch.set(Fault("down", times=1))
            assert post(url, observation()).status_code == 200  # the 503 was tried again
            assert switch.status()["calls"] == 2
            switch.zero()
            switch.set(Fault("html500"))
            for _ in range(3):  # a read: each call tries up to 3 times, and the breaker opens after 2 failures
                response = post(url, observation())
                assert gateway_fault(response)[0] == "UpstreamUnavailable"
            calls = switch.status()["calls"]
            code, message = gateway_fault(post(url, observation()))
            assert code == "UpstreamUnavailable" and "weather is failing" in message, message
            assert switch.status()["calls"] == calls  # open: nothing went out


def test_a_slow_system_gets_the_gateways_timeout_within_the_operations_deadline(project: Path) -> None:
    adapter = project / "adapters" / "weather.toml"
    adapter.write_text(adapter.read_text() + "\n[passthrough.GetCurrentObservation.timeouts]\noperation = 0.5\n")
    with emulated("weather") as running:
        running["weather"].switch.set(Fault("slow", delay_ms=2000))
        settings = Settings(root=project, env=gateway_env(running), auth=Auth(enabled=False))
        with serving(create_app(settings), "gateway") as url:
            started = time.monotonic()
            code, message = gateway_fault(post(url, observation()))
            elapsed = time.monotonic() - started
            running["weather"].switch.clear()
    assert (code, message) == ("UpstreamTimeout", "weather did not answer within 0.5 s")
    assert elapsed < 1.5


def _shorten_breaker(adapter: Path) -> None:
    text = adapter.read_text().replace("failures = 5", "failures = 2").replace("cooldown = 10.0", "cooldown = 60.0")
    adapter.write_text(text.replace("backoff = 0.2", "backoff = 0.01"))


UPDATE = (
    f'<soapenv:Envelope xmlns:soapenv="{SOAP11_ENV}"><soapenv:Body>'
    '<n0:Z_CRM_CUSTOMER_UPDATE xmlns:n0="urn:example-erp:crm:customer:v3"><IS_CUSTOMER><KUNNR>0000001001</KUNNR>'
    "<NAME1>Ada King</NAME1><SMTP_ADDR>ada.king@example.com</SMTP_ADDR><TELF1>+44 20 7946 0099</TELF1>"
    "<STRAS>10 St James's Square</STRAS><PSTLZ>SW1Y 4LE</PSTLZ><ORT01>London</ORT01><LAND1>GB</LAND1>"
    "<ERDAT>20150310</ERDAT><STATUS>A</STATUS><T_TAGS/></IS_CUSTOMER></n0:Z_CRM_CUSTOMER_UPDATE>"
    "</soapenv:Body></soapenv:Envelope>"
).encode()
UPDATE_HEADERS = {"Content-Type": "text/xml; charset=utf-8", "Idempotency-Key": "update-ada-1"}


def test_an_idempotency_key_on_a_passed_through_write_replays_the_first_answer(project: Path) -> None:
    with (project / "adapters" / "crm.toml").open("a") as adapter:
        adapter.write("\n[passthrough.Z_CRM_CUSTOMER_UPDATE]\n")
    with emulated("crm") as running:
        settings = Settings(root=project, env=gateway_env(running), auth=Auth(enabled=False))
        with serving(create_app(settings), "gateway") as url:
            first = post(url, UPDATE, UPDATE_HEADERS, "/passthrough/crm")
            again = post(url, UPDATE, UPDATE_HEADERS, "/passthrough/crm")
            other = post(url, UPDATE.replace(b"Ada King", b"Ada"), UPDATE_HEADERS, "/passthrough/crm")
            calls = running["crm"].switch.status()["operations"]
    assert first.status_code == 200, first.text  # the CRM took the gateway's WS-Security token
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert calls.get("Z_CRM_CUSTOMER_UPDATE") == 1
    assert gateway_fault(other)[1].endswith("was used with a different request")


def test_authentication_applies_and_a_client_is_allowed_the_operation_by_its_qualified_name(
    project: Path, weather: RunningEmulator
) -> None:
    secret = hash_password("right-password", n=2)
    (project / "clients.toml").write_text(
        f'[clients.reader]\npassword = "{secret}"\noperations = ["weather.GetCurrentObservation"]\n'
        f'[clients.other]\npassword = "{secret}"\noperations = ["GetForecast"]\n'
    )
    settings = Settings(root=project, env=gateway_env({"weather": weather}), auth=Auth(plain_http="loopback"))
    with serving(create_app(settings), "gateway") as url:
        anonymous = post(url, observation())
        reader = post(url, _signed(observation(), "reader"))
        other = post(url, _signed(observation(), "other"))
    assert anonymous.status_code in (400, 401) and gateway_fault(anonymous)[0] == "Unauthenticated"
    assert reader.status_code == 200, reader.text
    assert gateway_fault(other)[0] == "Forbidden"


def _signed(envelope: bytes, username: str) -> bytes:
    token = (
        f'<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken><wsse:Username>{username}</wsse:Username>'
        "<wsse:Password>right-password</wsse:Password></wsse:UsernameToken></wsse:Security>"
    )
    return envelope.replace(b"<env:Header/>", f"<env:Header>{token}</env:Header>".encode())


@pytest.mark.parametrize(
    ("table", "says"),
    [
        (
            "[passthrough.GetCurrentObservation]\nretries = 2\n",
            "passthrough.GetCurrentObservation.retries: unknown key",
        ),
        ('[passthrough.GetCurrentObservation]\nidempotent = "yes"\n', "expected true or false"),
        ("[passthrough]\nGetCurrentObservation = true\n", "passthrough.GetCurrentObservation: expected a table"),
    ],
)
def test_a_malformed_passthrough_table_is_refused_naming_its_key(project: Path, table: str, says: str) -> None:
    adapter = project / "adapters" / "weather.toml"
    text = adapter.read_text()
    adapter.write_text(text[: text.index("[passthrough.GetCurrentObservation]")] + table)
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_adapter(adapter, Settings(root=project, env=CREDENTIALS))


def test_an_rpc_literal_soap_1_1_operation_passes_through_and_zeep_calls_it(project: Path) -> None:
    with (project / "adapters" / "billing.toml").open("a") as adapter:
        adapter.write("\n[passthrough.getAccountInvoices]\nidempotent = true\n")
    with emulated("billing") as running:
        settings = Settings(root=project, env=gateway_env(running), auth=Auth(enabled=False))
        with serving(create_app(settings), "gateway") as url:
            through = zeep.Client(f"{url}/passthrough/billing?wsdl").service.getAccountInvoices("ACC-001001")
            direct = zeep.Client(str(project / "wsdl" / "billing" / "InvoiceService.wsdl"))
            service = direct.create_service(next(iter(direct.wsdl.bindings)), running["billing"].url)
            expected = service.getAccountInvoices("ACC-001001")
    assert serialize_object(through) == serialize_object(expected)
    assert serialize_object(through)["invoices"]["item"]
