"""The gateway's log: its two formats, the request line, and what never goes in it.

The JSON format and the correlation ids over a real gateway are in test_correlation.py; here, the
text format over `soapbridge serve`, and the formatters and the setting on their own.
"""

from __future__ import annotations

import io
import json
import logging
import re
import secrets
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from soapbridge.errors import ConfigError
from soapbridge.passwords import hash_password
from soapbridge.settings import Settings
from soapbridge.telemetry.context import RequestTrace, UpstreamCall, tracing
from soapbridge.telemetry.logs import JsonFormatter, configure, log_request
from tests.conftest import ROOT
from tests.running import RunningGateway, start_gateway, stop_gateway

TEXT_LINE = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (?P<level>[A-Z]+) +(?P<logger>\S+) \[(?P<id>[^]]+)\] (?P<message>.*)"
)
LOG_WAIT = 10.0


@pytest.fixture(scope="module")
def text_gateway() -> Iterator[RunningGateway]:
    process, running = start_gateway(extra_env={"SOAPBRIDGE_LOG_FORMAT": "text"})
    try:
        yield running
    finally:
        assert stop_gateway(process) == 0


def text_lines(gateway: RunningGateway, correlation_id: str) -> list[re.Match[str]]:
    deadline = time.monotonic() + LOG_WAIT
    while True:
        found = [m for line in list(gateway.output) if (m := TEXT_LINE.fullmatch(line.rstrip("\n")))]
        mine = [m for m in found if m["id"] == correlation_id]
        if any(m["logger"] == "soapbridge.request" for m in mine) or time.monotonic() > deadline:
            return mine
        time.sleep(0.05)


def test_the_text_format_is_one_readable_line_per_record(text_gateway: RunningGateway) -> None:
    given = f"text-{uuid.uuid4()}"
    answer = requests.post(
        f"{text_gateway.base}/json/GetCurrentWeather",
        json={"stationId": "ZZZZ"},
        headers={"X-Correlation-ID": given},
        timeout=30,
    )

    assert answer.status_code == 404
    lines = text_lines(text_gateway, given)
    (request,) = [m for m in lines if m["logger"] == "soapbridge.request"]
    assert request["level"] == "INFO"
    assert re.fullmatch(
        r"GetCurrentWeather over json: client_fault NotFound, 404 in [\d.]+ ms from 127\.0\.0\.1; "
        r"upstream weather\.GetCurrentObservation fault [\d.]+ ms",
        request["message"],
    ), request["message"]
    assert not any(line.lstrip().startswith("{") for line in text_gateway.output)


def test_probes_are_not_logged_at_info(text_gateway: RunningGateway) -> None:
    given = f"probe-{uuid.uuid4()}"
    assert requests.get(f"{text_gateway.base}/healthz", headers={"X-Correlation-ID": given}, timeout=10).ok
    marker = f"marker-{uuid.uuid4()}"
    requests.get(f"{text_gateway.base}/soap11?wsdl", headers={"X-Correlation-ID": marker}, timeout=10)

    assert text_lines(text_gateway, marker)  # a later request's line is there, so the probe's would be too
    assert text_lines(text_gateway, given) == []


def test_the_request_line_names_the_client_and_never_its_credentials(tmp_path: Path) -> None:
    password = secrets.token_urlsafe(16)
    clients = tmp_path / "clients.toml"
    hashed = _hash(password)
    clients.write_text(f'[clients.reporting]\npassword = "{hashed}"\noperations = ["GetCurrentWeather"]\n')
    process, gateway = start_gateway(
        extra_env={"SOAPBRIDGE_AUTH": "on", "SOAPBRIDGE_CLIENTS": str(clients), "SOAPBRIDGE_LOG_FORMAT": "json"},
    )
    try:
        given = f"auth-{uuid.uuid4()}"
        answer = requests.post(
            f"{gateway.base}/json/GetCurrentWeather",
            json={"stationId": "EGLL"},
            auth=("reporting", password),
            headers={"X-Correlation-ID": given},
            timeout=30,
        )
        assert answer.status_code == 200
        deadline = time.monotonic() + LOG_WAIT
        while given not in "".join(gateway.output) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        assert stop_gateway(process) == 0
    (line,) = [json.loads(line) for line in gateway.output if given in line and "soapbridge.request" in line]
    assert line["client"] == "reporting"
    output = "".join(gateway.output)
    assert password not in output and hashed not in output and "Authorization" not in output


def test_json_lines_carry_the_request_fields_and_exceptions() -> None:
    stream = io.StringIO()
    handler = configure(Settings.from_env({"SOAPBRIDGE_HOME": str(ROOT), "SOAPBRIDGE_LOG_FORMAT": "json"}), stream)
    try:
        trace = RequestTrace("id-1", "soap11", "/soap11", operation="GetCustomer", client="crm-app")
        trace.client_address = "203.0.113.9"
        trace.upstream.append(UpstreamCall("crm", "Z_CRM_CUSTOMER_READ", "ok", 0.0123))
        trace.answered = trace.started + 0.0456  # what the gateway sets before its observers run
        with tracing(trace):
            try:
                raise ValueError("boom")
            except ValueError:
                logging.getLogger("soapbridge.gateway").exception("it failed")
            log_request(trace, _Status(200))
        logging.getLogger("soapbridge.gateway").warning("outside any request")
    finally:
        logging.getLogger().removeHandler(handler)
    failed, request, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert failed["correlation_id"] == "id-1" and "ValueError: boom" in failed["exception"]
    assert request["upstream"] == [
        {"system": "crm", "operation": "Z_CRM_CUSTOMER_READ", "outcome": "ok", "duration_ms": 12.3}
    ]
    assert (request["client"], request["operation"], request["status"]) == ("crm-app", "GetCustomer", 200)
    assert request["client_address"] == "203.0.113.9" and "client crm-app from 203.0.113.9" in request["message"]
    assert request["duration_ms"] == 45.6 and "200 in 45.6 ms" in request["message"]
    assert "correlation_id" not in outside and outside["level"] == "WARNING"


def test_the_format_setting_is_checked() -> None:
    with pytest.raises(ConfigError, match="SOAPBRIDGE_LOG_FORMAT"):
        Settings.from_env({"SOAPBRIDGE_HOME": str(ROOT), "SOAPBRIDGE_LOG_FORMAT": "xml"})
    auto = Settings.from_env({"SOAPBRIDGE_HOME": str(ROOT)})
    assert (auto.log_format, auto.log_level) == ("auto", "info")


def test_auto_is_json_off_a_terminal() -> None:
    stream = io.StringIO()
    handler = configure(Settings.from_env({"SOAPBRIDGE_HOME": str(ROOT)}), stream)
    logging.getLogger().removeHandler(handler)
    assert isinstance(handler.formatter, JsonFormatter)


class _Status:
    def __init__(self, status: int) -> None:
        self.status = status


def _hash(password: str) -> str:
    return hash_password(password)
