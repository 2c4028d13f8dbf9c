"""Stopping `soapbridge serve`: SIGTERM and Ctrl-C drain in-flight requests, and the grace period bounds the wait.

The burst opens its 200 connections from one thread, as fast as the kernel completes handshakes,
so that many are still in the listen backlog (handshake done, request sent, not yet accepted)
when SIGTERM arrives: exactly the requests a plain gthread worker would reset.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from lxml import etree

from soapbridge.namespaces import CANONICAL, SOAP11_ENV, SOAP12_ENV
from tests.emulator_admin import EmulatorAdmin
from tests.running import RunningGateway, start_gateway

BURST = 200
#: Each legacy call takes this long, so the burst is still in flight (16 threads, ~4 s of work) at SIGTERM.
SLOW_MS = 300
MARGIN = 5.0

#: (check of the answer's status and body, raw HTTP request) for each kind of request in the burst.
Call = tuple[Callable[[int, bytes], bool], bytes]


def soap(version: str, body: str, operation: str) -> bytes:
    envelope = SOAP11_ENV if version == "11" else SOAP12_ENV
    data = f'<e:Envelope xmlns:e="{envelope}"><e:Body>{body}</e:Body></e:Envelope>'.encode()
    if version == "11":
        headers = f'Content-Type: text/xml; charset=utf-8\r\nSOAPAction: "{CANONICAL}/{operation}"\r\n'
    else:
        headers = f'Content-Type: application/soap+xml; charset=utf-8; action="{CANONICAL}/{operation}"\r\n'
    return _http(f"/soap{version}", headers, data)


def json_call(operation: str, body: dict[str, object]) -> bytes:
    return _http(f"/json/{operation}", "Content-Type: application/json\r\n", json.dumps(body).encode())


def _http(path: str, headers: str, data: bytes) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: gateway\r\n{headers}Content-Length: {len(data)}\r\n\r\n"
    return head.encode() + data


def soap_answer(tag: str, text_path: str, expected: str) -> Callable[[int, bytes], bool]:
    def check(status: int, body: bytes) -> bool:
        document = etree.fromstring(body)
        answer = document.find(f".//{{{CANONICAL}}}{tag}")
        return status == 200 and answer is not None and answer.findtext(text_path) == expected

    return check


def json_answer(check: Callable[[dict[str, object]], bool]) -> Callable[[int, bytes], bool]:
    return lambda status, body: status == 200 and check(json.loads(body))


CALLS: list[Call] = [
    (
        soap_answer("GetCustomerResponse", f".//{{{CANONICAL}}}name", "Grace Hopper"),
        soap("11", f'<GetCustomer xmlns="{CANONICAL}"><customerId>1002</customerId></GetCustomer>', "GetCustomer"),
    ),
    (
        soap_answer("ListInvoicesResponse", f"{{{CANONICAL}}}invoice/{{{CANONICAL}}}id", "INV-2024-0101"),
        soap("12", f'<ListInvoices xmlns="{CANONICAL}"><customerId>1001</customerId></ListInvoices>', "ListInvoices"),
    ),
    (
        json_answer(lambda answer: answer["customer"]["name"] == "Grace Hopper"),  # type: ignore[index]
        json_call("GetCustomer", {"customerId": "1002"}),
    ),
    (
        json_answer(lambda answer: len(answer["forecast"]["day"]) == 2),  # type: ignore[index, arg-type]
        json_call("GetForecast", {"stationId": "LFPG", "days": 2}),
    ),
]


def answer(connection: socket.socket) -> tuple[int, bytes]:
    """Read one whole HTTP response; a reset or an early close raises."""
    response = http.client.HTTPResponse(connection)
    response.begin()
    return response.status, response.read()


def assert_stopped_cleanly(process: subprocess.Popen[str], gateway: RunningGateway, within: float) -> str:
    """serve exits 0 within `within` seconds and leaves no process of its group; returns its output."""
    code = process.wait(timeout=within)
    leftover = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
    output = gateway.all_output()
    assert code == 0, f"serve exited {code}:\n{output}"
    assert not leftover, f"processes left behind: {leftover}"
    assert "Traceback" not in output, output
    return output


def test_sigterm_during_a_burst_of_200_requests_loses_none() -> None:
    process, gateway = start_gateway()
    connections: list[socket.socket] = []
    try:
        admin = EmulatorAdmin(gateway.admin)
        for system in ("crm", "billing", "weather"):
            admin.set_fault(system, "slow", delay_ms=SLOW_MS)
        calls = [CALLS[index % len(CALLS)] for index in range(BURST)]
        for _, request in calls:
            connections.append(send(gateway, request))
        process.send_signal(signal.SIGTERM)
        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(_answer_or_error, connections))
    finally:
        for connection in connections:
            connection.close()
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    wrong = [
        (index, got if isinstance(got, str) else (got[0], got[1][:300]))
        for index, ((check, _), got) in enumerate(zip(calls, answers, strict=True))
        if isinstance(got, str) or not check(*got)
    ]
    assert not wrong, f"{len(wrong)} of {BURST} requests got no correct answer, e.g. {wrong[:3]}"
    assert_stopped_cleanly(process, gateway, within=30)


def _answer_or_error(connection: socket.socket) -> tuple[int, bytes] | str:
    try:
        return answer(connection)
    except (OSError, http.client.HTTPException) as exc:
        return f"{type(exc).__name__}: {exc}"


def send(gateway: RunningGateway, request: bytes) -> socket.socket:
    """A fresh connection with the request sent on it, its answer left to read."""
    host, port = gateway.base.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=60)
    connection.sendall(request)
    return connection


def slow_request(gateway: RunningGateway) -> socket.socket:
    """A GetForecast, left in flight while weather is slow."""
    return send(gateway, CALLS[3][1])


def test_ctrl_c_drains_like_sigterm_and_a_second_signal_does_not_cut_it_short() -> None:
    process, gateway = start_gateway()
    admin = EmulatorAdmin(gateway.admin)
    admin.set_fault("weather", "slow", delay_ms=2000)
    connection = slow_request(gateway)
    try:
        time.sleep(0.5)  # the request has reached weather
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole group
        time.sleep(0.3)
        os.killpg(process.pid, signal.SIGINT)  # an impatient second Ctrl-C
        process.send_signal(signal.SIGTERM)
        status, body = answer(connection)
    finally:
        connection.close()
    assert CALLS[3][0](status, body), body
    assert_stopped_cleanly(process, gateway, within=30)


def test_a_request_slower_than_the_grace_period_is_cut_off_and_serve_still_exits_0() -> None:
    process, gateway = start_gateway(extra_args=["--grace-period", "1"])
    EmulatorAdmin(gateway.admin).set_fault("weather", "hang")
    connection = slow_request(gateway)
    try:
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        got = _answer_or_error(connection)
    finally:
        connection.close()
    assert isinstance(got, str), f"the hanging request was answered: {got}"
    output = assert_stopped_cleanly(process, gateway, within=30)
    assert time.monotonic() - started < 1 + MARGIN
    assert "grace period over: stopping with 1 connection(s) still open" in output
    assert "SIGKILL" not in output  # the worker stopped by itself at the grace period; nothing had to kill it
