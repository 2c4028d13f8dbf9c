"""Adapter parameters reach every stylesheet as xsl:params; a secret one reaches the legacy system and nothing else:
no log line, fault, status page or golden file."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import requests
from lxml import etree

from soapbridge.config import load_adapter
from soapbridge.engine.mapping import Stylesheet
from soapbridge.gateway import create_app
from soapbridge.legacy._server import start
from soapbridge.legacy.weather import make_emulator
from soapbridge.namespaces import CANONICAL, SOAP12_ENV
from soapbridge.settings import Auth, Settings
from soapbridge.toolkit.check import check_project
from soapbridge.upstream.envelope import LegacyFault
from soapbridge.upstream.faults import compile_rules, translate
from tests.conftest import CREDENTIALS, ROOT
from tests.running import serving, start_gateway, stop_gateway

ECHO = """<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:param name="licence"/><xsl:param name="region"/>
  <xsl:template match="/"><out licence="{$licence}" region="{$region}"/></xsl:template>
</xsl:stylesheet>
"""
WEATHER_CALLS = (
    ("GetCurrentWeather", {"stationId": "EGLL"}),
    ("GetCurrentWeather", {"stationId": "ZZZZ"}),
    ("GetForecast", {"stationId": "EGLL", "days": 2}),
    ("GetForecast", {"stationId": "ZZZZ", "days": 2}),
    ("GetForecast", {"stationId": "EGLL", "days": 0}),
)


def test_a_stylesheet_gets_its_adapters_parameters_over_a_request_field_of_the_same_name(tmp_path: Path) -> None:
    (tmp_path / "echo.xsl").write_text(ECHO)
    sheet = Stylesheet(tmp_path / "echo.xsl", "echo.xsl").with_parameters({"licence": "L", "unused": "U"})
    out = sheet.apply(etree.Element("in"), {"licence": "from the request", "region": "EU"})
    assert dict(out.attrib) == {"licence": "L", "region": "EU"}
    assert Stylesheet(tmp_path / "echo.xsl", "echo.xsl").apply(etree.Element("in")).get("licence") == ""


def test_the_licence_reaches_the_feed_and_a_refused_one_is_an_upstream_fault_without_it(project: Path) -> None:
    right, wrong = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    with start(make_emulator(ROOT / "wsdl", lambda: dt.datetime.now(dt.UTC), 0, right)) as feed:
        for licence, expected in ((right, 200), (wrong, 502)):
            env = {**CREDENTIALS, "SOAPBRIDGE_WEATHER_URL": feed.url, "SOAPBRIDGE_WEATHER_LICENCE": licence}
            gateway = create_app(Settings(root=project, env=env, auth=Auth(enabled=False)))
            with serving(gateway, "gateway") as base:
                answer = requests.post(f"{base}/json/GetCurrentWeather", json={"stationId": "EGLL"}, timeout=10)
            assert answer.status_code == expected, answer.text
            assert licence not in answer.text
    assert answer.json()["detail"] == "the weather feed refused the gateway's licence key"


def test_a_legacy_fault_that_echoes_a_secret_does_not_pass_it_on() -> None:
    secret = secrets.token_urlsafe(16)
    env = {**CREDENTIALS, "SOAPBRIDGE_WEATHER_LICENCE": secret}
    rules = compile_rules(load_adapter(ROOT / "adapters" / "weather.toml", Settings(root=ROOT, env=env)))
    fault = etree.fromstring(
        f"<e:Fault xmlns:e='{SOAP12_ENV}'><e:Detail><InvalidRequestFault xmlns='http://aerowx.example.net/WxFeed/2005/"
        f"03/types'><Parameter>NumDays</Parameter><Message>x</Message></InvalidRequestFault></e:Detail></e:Fault>"
    )
    error = translate(LegacyFault("env:Sender", f"licence {secret} may not ask for 0 days", fault), rules, "weather")
    assert error.fault_code == "InvalidRequest"
    assert error.message == "licence *** may not ask for 0 days"


def test_golden_samples_hold_placeholders_and_pass_with_or_without_the_secret() -> None:
    secret = secrets.token_urlsafe(16)
    for env in ({}, {"SOAPBRIDGE_WEATHER_LICENCE": secret}):
        report = check_project(Settings(root=ROOT, env=env))
        assert report.ok, report.failures
    outputs = sorted((ROOT / "xslt" / "weather" / "samples").glob("*.request*.out.xml"))
    assert outputs and all("<wx:LicenceKey>{{licence}}</wx:LicenceKey>" in path.read_text() for path in outputs)


def test_the_secret_is_in_no_log_line_fault_or_page_of_a_real_gateway() -> None:
    """serve with debug logs (the legacy exchange included), calls that succeed and fail, and every page."""
    secret = secrets.token_urlsafe(24)
    extra = {"SOAPBRIDGE_WEATHER_LICENCE": secret, "SOAPBRIDGE_LOG_LEVEL": "debug", "SOAPBRIDGE_LOG_EXCHANGE": "on"}
    process, gateway = start_gateway(extra_env=extra)
    seen = []
    try:
        for operation, fields in WEATHER_CALLS:
            seen.append(requests.post(f"{gateway.base}/json/{operation}", json=fields, timeout=10).text)
            seen.append(_soap12(gateway.base, operation, fields))
        for page in ("/", "/readyz", "/healthz", "/metrics", "/openapi.json", "/soap12?wsdl"):
            seen.append(requests.get(f"{gateway.base}{page}", timeout=10).text)
        assert '"NotFound"' in seen[6] and "Station ZZZZ" in seen[6]  # GetForecast ZZZZ over JSON: the answer rule
    finally:
        assert stop_gateway(process) == 0
    output = gateway.all_output()
    assert "weather GetDailyForecast sent to" in output  # the legacy exchange was logged, the body included
    assert "<wx:LicenceKey>***</wx:LicenceKey>" in output
    assert not [text for text in seen if secret in text]
    assert secret not in output


def test_serve_hands_the_feed_and_the_gateway_the_same_generated_licence() -> None:
    process, gateway = start_gateway(extra_env={"SOAPBRIDGE_WEATHER_LICENCE": ""})  # unset: serve makes one up
    try:
        answer = requests.post(f"{gateway.base}/json/GetCurrentWeather", json={"stationId": "EGLL"}, timeout=10)
    finally:
        assert stop_gateway(process) == 0
    assert answer.status_code == 200, answer.text


def _soap12(base: str, operation: str, fields: dict[str, object]) -> str:
    children = "".join(f"<cn:{name}>{value}</cn:{name}>" for name, value in fields.items())
    body = f"<cn:{operation} xmlns:cn='{CANONICAL}'>{children}</cn:{operation}>"
    envelope = f"<e:Envelope xmlns:e='{SOAP12_ENV}'><e:Body>{body}</e:Body></e:Envelope>"
    headers = {"Content-Type": "application/soap+xml"}
    return requests.post(f"{base}/soap12", data=envelope.encode(), headers=headers, timeout=10).text
