"""Outbound credentials come from the environment and go nowhere else: not into a fault, not into the log.

A real `soapbridge serve` calls a crm emulator that expects other credentials than the ones the
gateway was given, so every crm call is refused upstream; the known secrets must appear neither
in what clients are told nor in anything the gateway printed (gunicorn's and soapbridge's logs).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from tests.conftest import ROOT
from tests.running import start_gateway, stop_gateway

GATEWAY_USER = "gw-" + secrets.token_hex(6)
GATEWAY_SECRET = "gateway-secret-" + secrets.token_urlsafe(12)
UPSTREAM_SECRET = "upstream-secret-" + secrets.token_urlsafe(12)
MAILING_SECRET = "mailing-secret-" + secrets.token_urlsafe(12)


@dataclass
class Served:
    base: str
    output: list[str]


@pytest.fixture(scope="module")
def crm_url() -> Iterator[str]:
    """An emulated crm that accepts only UPSTREAM_SECRET."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
    env.update(SOAPBRIDGE_CRM_USERNAME=GATEWAY_USER, SOAPBRIDGE_CRM_PASSWORD=UPSTREAM_SECRET)
    command = [sys.executable, "-m", "soapbridge", "legacy", "--systems", "crm", "--watch-stdin"]
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdin is not None
    url = child.stdout.readline().split()[1]
    try:
        yield url
    finally:
        child.stdin.close()
        child.wait(timeout=10)


@pytest.fixture(scope="module")
def served(crm_url: str) -> Iterator[Served]:
    env = {
        "SOAPBRIDGE_CRM_URL": crm_url,
        "SOAPBRIDGE_CRM_USERNAME": GATEWAY_USER,
        "SOAPBRIDGE_CRM_PASSWORD": GATEWAY_SECRET,
        "SOAPBRIDGE_MAILING_PASSWORD": MAILING_SECRET,
    }
    process, running = start_gateway(extra_env=env)
    try:
        yield Served(running.base, running.output)
    finally:
        assert stop_gateway(process) == 0
        running.all_output()


def assert_no_secret(text: str) -> None:
    for secret in (GATEWAY_SECRET, UPSTREAM_SECRET, MAILING_SECRET):
        assert secret not in text


def test_an_upstream_refusal_of_our_credentials_is_an_upstream_fault_without_them(served: Served) -> None:
    answer = requests.post(f"{served.base}/json/GetCustomer", json={"customerId": "1001"}, timeout=30)
    assert (answer.status_code, answer.json()["code"]) == (502, "UpstreamFault")
    assert answer.json().get("system") == "crm"
    assert_no_secret(answer.text)


def test_soap_faults_of_every_crm_operation_hold_no_secret(served: Served) -> None:
    for version, content_type in (("11", "text/xml"), ("12", "application/soap+xml")):
        namespace = (
            "http://schemas.xmlsoap.org/soap/envelope/"
            if version == "11"
            else "http://www.w3.org/2003/05/soap-envelope"
        )
        body = (
            f'<e:Envelope xmlns:e="{namespace}"><e:Body><SubscribeCustomer xmlns="urn:soapbridge:canonical:v1">'
            "<customerId>1001</customerId><listId>news</listId></SubscribeCustomer></e:Body></e:Envelope>"
        )
        answer = requests.post(
            f"{served.base}/soap{version}", data=body, headers={"Content-Type": content_type}, timeout=30
        )
        assert answer.status_code in (400, 500, 502) and b"Fault" in answer.content
        assert_no_secret(answer.text)


def test_the_gateway_log_holds_no_secret(served: Served) -> None:
    requests.post(f"{served.base}/json/SearchCustomers", json={"name": "Ada"}, timeout=30)
    assert requests.get(f"{served.base}/healthz", timeout=10).status_code == 200
    output = "".join(served.output)
    assert "refused the gateway's WS-Security credentials" in output, output  # the log did record the refusals
    assert_no_secret(output)
