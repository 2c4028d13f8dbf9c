"""Answer rules ([[answers]]) and messages from XPath: in-band legacy errors and legacy faults become typed canonical
faults, in canonical words, over real HTTP on SOAP 1.1, SOAP 1.2 and JSON."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from lxml import etree

from soapbridge.config import load_adapter
from soapbridge.errors import NotFoundError, RequestError, UpstreamFault
from soapbridge.gateway import create_app
from soapbridge.legacy import build
from soapbridge.legacy._server import RunningEmulator, start
from soapbridge.namespaces import CANONICAL, SOAP11_ENV, SOAP12_ENV
from soapbridge.settings import Auth, Settings
from soapbridge.upstream.faults import compile_answer_rules, refuse_answer
from tests.conftest import CREDENTIALS, ROOT
from tests.running import serving

WX = "http://aerowx.example.net/WxFeed/2005/03/types"
FORECAST_ZZZZ = (
    f"<cn:GetForecast xmlns:cn='{CANONICAL}'><cn:stationId>ZZZZ</cn:stationId><cn:days>2</cn:days></cn:GetForecast>"
)
FORECAST_EGLL = FORECAST_ZZZZ.replace("ZZZZ", "EGLL")
#: A response stylesheet that refuses whatever it is given: when an answer rule holds, it must not run.
REFUSING = """<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="/"><xsl:message terminate="yes">the response stylesheet ran</xsl:message></xsl:template>
</xsl:stylesheet>
"""


@pytest.fixture(scope="module")
def emulators() -> Iterator[dict[str, RunningEmulator]]:
    running = {name: start(build(name, ROOT / "wsdl", CREDENTIALS)) for name in ("crm", "weather")}
    try:
        yield running
    finally:
        for emulator in running.values():
            emulator.stop()


def settings(root: Path, emulators: dict[str, RunningEmulator]) -> Settings:
    urls = {f"SOAPBRIDGE_{name.upper()}_URL": emulator.url for name, emulator in emulators.items()}
    return Settings(root=root, env={**CREDENTIALS, **urls}, auth=Auth(enabled=False))


@pytest.fixture(scope="module")
def gateway(emulators: dict[str, RunningEmulator]) -> Iterator[str]:
    with serving(create_app(settings(ROOT, emulators)), "gateway") as base:
        yield base


def soap(base: str, version: str, body: str) -> requests.Response:
    namespace, media = (SOAP11_ENV, "text/xml") if version == "11" else (SOAP12_ENV, "application/soap+xml")
    envelope = f"<e:Envelope xmlns:e='{namespace}'><e:Body>{body}</e:Body></e:Envelope>"
    return requests.post(f"{base}/soap{version}", data=envelope.encode(), headers={"Content-Type": media}, timeout=10)


def gateway_fault(response: requests.Response) -> tuple[str, str, str]:
    """The SOAP fault code and the cn:GatewayFault's code and message."""
    answer = etree.fromstring(response.content)
    code = answer.findtext(".//faultcode") or answer.findtext(f".//{{{SOAP12_ENV}}}Code/{{{SOAP12_ENV}}}Value")
    detail = answer.find(f".//{{{CANONICAL}}}GatewayFault")
    assert detail is not None, response.text
    return str(code), str(detail.findtext(f"{{{CANONICAL}}}code")), str(detail.findtext(f"{{{CANONICAL}}}message"))


@pytest.mark.parametrize(("version", "side"), [("11", "soap:Client"), ("12", "soap:Sender")])
def test_an_in_band_unknown_station_is_a_not_found_client_fault_on_soap(gateway: str, version: str, side: str) -> None:
    response = soap(gateway, version, FORECAST_ZZZZ)
    assert response.status_code == (500 if version == "11" else 400)
    assert gateway_fault(response) == (side, "NotFound", "Station ZZZZ is not covered by this subscription")


def test_an_in_band_unknown_station_is_a_404_on_json(gateway: str) -> None:
    response = requests.post(f"{gateway}/json/GetForecast", json={"stationId": "ZZZZ", "days": 2}, timeout=10)
    assert response.status_code == 404
    problem = response.json()
    assert (problem["code"], problem["system"]) == ("NotFound", "weather")
    assert problem["detail"] == "Station ZZZZ is not covered by this subscription"


def test_an_ordinary_answer_still_reaches_the_response_stylesheet(gateway: str) -> None:
    response = soap(gateway, "12", FORECAST_EGLL)
    assert response.status_code == 200
    assert len(etree.fromstring(response.content).findall(f".//{{{CANONICAL}}}day")) == 2


def test_a_crm_not_found_speaks_of_the_canonical_customer_id(gateway: str) -> None:
    response = requests.post(f"{gateway}/json/GetCustomer", json={"customerId": "9999"}, timeout=10)
    assert response.status_code == 404
    assert response.json()["detail"] == "customer 9999 does not exist"  # the CRM itself says 0000009999
    body = f"<cn:GetCustomer xmlns:cn='{CANONICAL}'><cn:customerId>9999</cn:customerId></cn:GetCustomer>"
    assert gateway_fault(soap(gateway, "11", body)) == ("soap:Client", "NotFound", "customer 9999 does not exist")


def test_a_fault_rule_message_from_the_fault_names_the_station(gateway: str) -> None:
    body = f"<cn:GetCurrentWeather xmlns:cn='{CANONICAL}'><cn:stationId>ZZZZ</cn:stationId></cn:GetCurrentWeather>"
    assert gateway_fault(soap(gateway, "12", body)) == (
        "soap:Sender",
        "NotFound",
        "station ZZZZ is not in the weather feed",
    )


def test_a_matching_answer_rule_stops_the_response_stylesheet(
    project: Path, emulators: dict[str, RunningEmulator]
) -> None:
    (project / "xslt" / "weather" / "GetForecast.response.xsl").write_text(REFUSING)
    with serving(create_app(settings(project, emulators)), "gateway") as base:
        assert gateway_fault(soap(base, "12", FORECAST_ZZZZ))[1] == "NotFound"
        assert gateway_fault(soap(base, "12", FORECAST_EGLL))[1] == "InternalError"  # it does run otherwise


def answer(text: str) -> etree._Element:
    return etree.fromstring(f"<GetDailyForecastResponse xmlns='{WX}'>{text}</GetDailyForecastResponse>")


def test_a_message_from_the_answer_is_short_plain_text() -> None:
    rules = compile_answer_rules(load_adapter(ROOT / "adapters" / "weather.toml", Settings(root=ROOT, env=CREDENTIALS)))
    said = "<b>Station</b>\nXXXX\u2028" + "x" * 2000
    flagged = answer(f"<IsError>true</IsError><ErrorCode>STATION_UNKNOWN</ErrorCode><ErrorMessage>{''}</ErrorMessage>")
    flagged[-1].text = said
    with pytest.raises(NotFoundError) as raised:
        refuse_answer(flagged, rules, "weather")
    assert raised.value.message.startswith("Station XXXX x")
    assert len(raised.value.message) == 512 and raised.value.message.endswith("…")
    assert "\n" not in raised.value.message and "<" not in raised.value.message


def test_an_empty_message_from_falls_back_to_the_fixed_message() -> None:
    rules = compile_answer_rules(load_adapter(ROOT / "adapters" / "weather.toml", Settings(root=ROOT, env=CREDENTIALS)))
    with pytest.raises(NotFoundError, match=r"^the station is not in the weather feed$"):
        refuse_answer(answer("<IsError>true</IsError><ErrorCode>STATION_UNKNOWN</ErrorCode>"), rules, "weather")
    with pytest.raises(UpstreamFault, match=r"^the weather feed answered with an error$"):
        refuse_answer(answer("<IsError>true</IsError><ErrorCode>QUOTA</ErrorCode>"), rules, "weather")
    refuse_answer(answer("<IsError>false</IsError>"), rules, "weather")  # no rule holds: nothing raised


@pytest.mark.parametrize(("code", "error"), [("InvalidRequest", RequestError), ("NotFound", NotFoundError)])
def test_a_rule_s_canonical_fault_names_the_system_whatever_its_code(code: str, error: type[Exception]) -> None:
    adapter = load_adapter(ROOT / "adapters" / "weather.toml", Settings(root=ROOT, env=CREDENTIALS))
    rule = replace(adapter.answers[0], code=code)
    rules = compile_answer_rules(replace(adapter, answers=(rule,)))
    with pytest.raises(error) as raised:
        refuse_answer(answer("<IsError>true</IsError><ErrorCode>STATION_UNKNOWN</ErrorCode>"), rules, "weather")
    assert getattr(raised.value, "system", None) == "weather"
