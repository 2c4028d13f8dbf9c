"""The bench's parts, as real processes on loopback: the canned upstream, the reference proxy and the gateway
answer every scenario with the same canonical body, at the sizes the scenarios claim; the naive Spyne + zeep peer
answers its scenarios with the gateway's canonical body too."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3
from lxml import etree

from bench.project import gateway_env, prepare_project, reference_env
from bench.run import NAIVE_SCENARIOS, canonical_body
from bench.scenarios import Scenario, direct, scenarios, upstream_baseline
from soapbridge.config import OperationConfig
from tests.conftest import ROOT
from tests.running import free_port, start_gateway, stop_gateway

#: Whether this gateway has content-based routing (the adapter files' `route` key).
ROUTING = "route" in {field.name for field in dataclasses.fields(OperationConfig)}
http = urllib3.PoolManager(timeout=30, retries=False)


@dataclasses.dataclass
class Stack:
    upstream: str
    reference: str
    gateway: str
    naive: str


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    project = prepare_project(tmp_path_factory.mktemp("bench-project"), routing=ROUTING)
    children: list[subprocess.Popen[str]] = []
    try:
        upstream = _start_upstream(project, children)
        reference = _start_peer("bench.reference:app", project, upstream, children)
        naive = _start_peer("bench.naive:app", project, upstream, children)
        process, gateway = start_gateway(
            extra_env={k: v for k, v in gateway_env(project, upstream).items() if k.startswith("SOAPBRIDGE_")},
            extra_args=["--no-emulators"],
        )
        try:
            yield Stack(upstream, reference, gateway.base, naive)
        finally:
            assert stop_gateway(process) == 0
    finally:
        for child in children:
            _stop(child)


def _start_upstream(project: Path, children: list[subprocess.Popen[str]]) -> str:
    env = {**os.environ, "SOAPBRIDGE_HOME": str(project)}
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.upstream", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    children.append(child)
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.startswith("ready http://"), f"the canned upstream did not start: {line!r}"
    return line.split()[1]


def _start_peer(app: str, project: Path, upstream: str, children: list[subprocess.Popen[str]]) -> str:
    """The reference proxy or the naive peer, under the gateway's gunicorn settings."""
    base = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "2", "--threads", "8"]
    child = subprocess.Popen(
        [*command, "-b", base.removeprefix("http://"), "--log-level", "warning", app],
        cwd=ROOT,
        env=reference_env(project, upstream),
        start_new_session=True,
        text=True,
    )
    children.append(child)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            http.request("GET", f"{base}/", timeout=1)
            return base
        except urllib3.exceptions.HTTPError:
            assert child.poll() is None, f"{app} exited"
            time.sleep(0.1)
    raise AssertionError(f"{app} did not start within 30 s")


def _stop(child: subprocess.Popen[str]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=15)
    finally:
        leftover = subprocess.run(["pgrep", "-g", str(child.pid)], capture_output=True, text=True).stdout.split()
        if leftover:
            os.killpg(child.pid, signal.SIGKILL)
        assert not leftover, f"processes left behind: {leftover}"


def _post(base: str, scenario: Scenario) -> urllib3.BaseHTTPResponse:
    return http.request("POST", base + scenario.path, body=scenario.body, headers=scenario.headers)


def _canonical(answer: bytes) -> bytes:
    """The SOAP Body's one child, exclusive-C14N'd."""
    body = etree.fromstring(answer)[-1]
    return bytes(etree.tostring(body[0], method="c14n", exclusive=True))


@pytest.mark.parametrize("scenario", scenarios(), ids=lambda scenario: scenario.key.replace(" ", "-"))
def test_the_reference_and_the_gateway_answer_alike(stack: Stack, scenario: Scenario) -> None:
    if scenario.name == "routing" and not ROUTING:
        pytest.skip("this gateway has no content-based routing yet")
    ours, reference = _post(stack.gateway, scenario), _post(stack.reference, scenario)
    assert (ours.status, reference.status) == (200, 200), (ours.data[:400], reference.data[:400])
    if scenario.path.startswith("/json/"):
        assert json.loads(ours.data) == json.loads(reference.data)
    else:
        assert _canonical(ours.data) == _canonical(reference.data)


@pytest.mark.parametrize("key", NAIVE_SCENARIOS)
def test_the_naive_peer_answers_the_gateways_canonical_body(stack: Stack, key: str) -> None:
    scenario = next(scenario for scenario in scenarios() if scenario.key == key)
    ours, naive = _post(stack.gateway, scenario), _post(stack.naive, scenario)
    assert (ours.status, naive.status) == (200, 200), (ours.data[:400], naive.data[:400])
    assert canonical_body(naive.data) == canonical_body(ours.data)
    assert b"tns:customer" in naive.data  # Spyne's own prefixes: the comparison is by names, not by bytes


def test_each_canonical_response_is_about_its_label(stack: Stack) -> None:
    sizes = {}
    for scenario in scenarios():
        if scenario.path == "/soap11" and (ROUTING or scenario.name != "routing"):
            answer = _post(stack.gateway, scenario)
            sizes[scenario.key] = len(etree.tostring(etree.fromstring(answer.data)[-1][0]))
    print("canonical response sizes:", sizes)
    for scenario in scenarios():
        if scenario.key in sizes:
            assert abs(sizes[scenario.key] - scenario.nominal_bytes) <= 0.35 * scenario.nominal_bytes, scenario.key


def test_direct_passes_the_legacy_answer_through_byte_for_byte_on_both_sides(stack: Stack) -> None:
    """The gateway's pass-through and the reference's give the canned upstream's recording as it is (bench.run's
    check compares the two bodies exactly), and the scenario's label is its request's size."""
    scenario = direct()
    ours, reference = _post(stack.gateway, scenario), _post(stack.reference, scenario)
    assert (ours.status, reference.status) == (200, 200), (ours.data[:400], reference.data[:400])
    assert ours.data == reference.data and b"GetCurrentObservationResponse" in ours.data
    assert ours.headers["Content-Type"] == reference.headers["Content-Type"]
    assert abs(len(scenario.body) - scenario.nominal_bytes) <= 0.15 * scenario.nominal_bytes


def test_the_upstream_baseline_is_answered_as_the_gateway_is(stack: Stack) -> None:
    baseline = upstream_baseline()
    answer = _post(stack.upstream, baseline)
    assert answer.status == 200
    assert b"<KUNNR>0000002001</KUNNR>" in answer.data


def test_an_unknown_request_gets_a_fault_that_says_what_did_not_match(stack: Stack) -> None:
    answer = http.request("POST", f"{stack.upstream}/crm", body=b"<nothing/>", headers={"SOAPAction": '"urn:nope"'})
    assert answer.status == 500
    fault = etree.fromstring(answer.data)
    assert fault.findtext(".//faultcode").endswith(":Server")
    assert "no recording for POST /crm with SOAPAction 'urn:nope'" in fault.findtext(".//faultstring")


def test_the_upstream_keeps_a_connection_alive(stack: Stack) -> None:
    baseline = upstream_baseline()
    host, port = stack.upstream.removeprefix("http://").split(":")
    pool = urllib3.HTTPConnectionPool(host, int(port), maxsize=1)
    with pool:
        for _ in range(3):
            assert pool.request("POST", baseline.path, body=baseline.body, headers=baseline.headers).status == 200
        assert pool.num_connections == 1
