"""Slow clients cannot hold the gateway: a real `soapbridge serve`, flooded over loopback with connections that
send a request's head or body a byte at a time, or declare a chunk they never send, still answers everyone
else, closes each slow connection within its timeout, refuses a declared size over the limit unread, and lets
one peer address hold only so many connections.

The flood comes from several loopback addresses (127.0.0.10, .11, ...), as it would from many peers, each
under the bound per peer, so that it is the timeouts that hold it off; the bound has its own test.
"""

from __future__ import annotations

import http.client
import selectors
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from soapbridge.cli.buffering import LINGER
from soapbridge.errors import ConfigError
from soapbridge.settings import Connections
from tests.running import RunningGateway, start_gateway, stop_gateway

HEADER_TIMEOUT = 2
BODY_TIMEOUT = 2
IDLE_TIMEOUT = 1
PER_PEER = 20
#: Beyond a timeout, how late the gateway may close: its deadlines are looked at four times a second.
SLACK = 1.0
SLOW_HEADS = 40
SLOW_BODIES = 40
PER_ADDRESS = 10
CONNECTIONS_HELD = "soapbridge_worker_connections"
#: A head that never ends, and a body that never does.
SLOW_HEAD = b"POST /soap11 HTTP/1.1\r\nHost: gw\r\nX-Slow: " + b"a" * 1000
SLOW_BODY_HEAD = b"POST /soap11 HTTP/1.1\r\nHost: gw\r\nContent-Type: text/xml\r\nContent-Length: 5000\r\n\r\n"
HUGE_CHUNK_HEAD = b"POST /soap11 HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n" + f"{2**80:x}\r\n".encode()


@pytest.fixture(scope="module")
def gateway() -> Iterator[RunningGateway]:
    process, running = start_gateway(
        extra_env={
            "SOAPBRIDGE_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
            "SOAPBRIDGE_BODY_TIMEOUT": str(BODY_TIMEOUT),
            "SOAPBRIDGE_IDLE_TIMEOUT": str(IDLE_TIMEOUT),
            "SOAPBRIDGE_MAX_CONNECTIONS_PER_PEER": str(PER_PEER),
        }
    )
    try:
        yield running
    finally:
        assert stop_gateway(process) == 0


def _address(base: str) -> tuple[str, int]:
    parts = urlsplit(base)
    return parts.hostname or "127.0.0.1", parts.port or 80


def _connect(base: str, source: str, first: bytes = b"") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.connect(_address(base))
    if first:
        sock.sendall(first)
    return sock


@dataclass
class Slow:
    """A flood connection: what it still dribbles, when it opened, and what the gateway did to it."""

    kind: str
    sock: socket.socket
    pending: bytes
    opened: float = field(default_factory=time.monotonic)
    answer: bytes = b""
    closed_after: float | None = None


@dataclass
class FloodOutcome:
    slow: list[Slow]
    normal_statuses: list[int]


def _flood(base: str) -> list[Slow]:
    slow = []
    for index in range(SLOW_HEADS + SLOW_BODIES):
        source = f"127.0.0.{10 + index // PER_ADDRESS}"
        if index < SLOW_HEADS:
            slow.append(Slow("head", _connect(base, source, SLOW_HEAD[:1]), SLOW_HEAD[1:]))
        else:
            slow.append(Slow("body", _connect(base, source, SLOW_BODY_HEAD + b"<"), b"<" * 4999))
    slow.append(Slow("huge chunk", _connect(base, "127.0.0.30", HUGE_CHUNK_HEAD), b""))
    return slow


def _dribble(slow: list[Slow], until: float) -> None:
    """A byte every half second on every open flood connection; record when the gateway closes each."""
    selector = selectors.DefaultSelector()
    for connection in slow:
        selector.register(connection.sock, selectors.EVENT_READ, connection)
    next_byte = time.monotonic()
    while selector.get_map() and time.monotonic() < until:
        for key, _ in selector.select(0.05):
            connection = key.data
            try:
                data = connection.sock.recv(4096)
            except ConnectionResetError:
                data = b""
            connection.answer += data
            if not data:
                connection.closed_after = time.monotonic() - connection.opened
                selector.unregister(connection.sock)
        if time.monotonic() >= next_byte:
            next_byte += 0.5
            for connection in slow:
                if connection.closed_after is None and connection.pending:
                    try:
                        connection.sock.send(connection.pending[:1])
                        connection.pending = connection.pending[1:]
                    except OSError:
                        pass
    selector.close()


def _get(base: str, path: str) -> int:
    connection = http.client.HTTPConnection(*_address(base), timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@pytest.fixture(scope="module")
def flood(gateway: RunningGateway) -> Iterator[FloodOutcome]:
    """The flood, dribbling for as long as the gateway keeps it (10 s at most), while normal requests go on."""
    slow = _flood(gateway.base)
    dribbler = threading.Thread(target=_dribble, args=(slow, time.monotonic() + 10))
    dribbler.start()
    try:
        statuses = []
        for _ in range(10):
            statuses += [_get(gateway.base, "/readyz"), _get(gateway.base, "/soap11?wsdl")]
            time.sleep(0.1)
        dribbler.join()
        yield FloodOutcome(slow, statuses)
    finally:
        dribbler.join()
        for connection in slow:
            connection.sock.close()


def test_normal_requests_are_answered_while_slow_clients_hold_connections(flood: FloodOutcome) -> None:
    assert flood.normal_statuses == [200] * 20


def test_the_gateway_closes_every_slow_head_and_body_within_its_timeout(flood: FloodOutcome) -> None:
    for connection in flood.slow:
        if connection.kind == "huge chunk":
            continue
        bound = HEADER_TIMEOUT if connection.kind == "head" else BODY_TIMEOUT
        assert connection.closed_after is not None, f"a slow {connection.kind} is still open after 10 s"
        assert connection.closed_after <= bound + SLACK, (connection.kind, connection.closed_after)
        assert connection.answer.startswith(b"HTTP/1.1 408 "), connection.answer[:80]


def test_the_gateway_counts_no_connection_it_has_closed(gateway: RunningGateway, flood: FloodOutcome) -> None:
    time.sleep(LINGER + SLACK)  # the flood's sockets are closed; the gateway's last lingering ones end by then
    with urllib.request.urlopen(f"{gateway.base}/metrics", timeout=5) as response:
        metrics = response.read().decode()
    held = [float(line.split()[-1]) for line in metrics.splitlines() if line.startswith(CONNECTIONS_HELD + "{")]
    assert sum(held) == 1


def test_a_chunk_declared_at_2_to_the_80_bytes_is_refused_at_once(flood: FloodOutcome) -> None:
    huge = next(connection for connection in flood.slow if connection.kind == "huge chunk")
    assert huge.closed_after is not None and huge.closed_after < HEADER_TIMEOUT
    assert huge.answer.startswith((b"HTTP/1.1 400 ", b"HTTP/1.1 413 ")), huge.answer[:80]


@pytest.mark.parametrize(
    "head",
    [
        f"POST /soap11 HTTP/1.1\r\nHost: gw\r\nContent-Length: {2**40}\r\n\r\n",
        f"POST /soap11 HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n{2**40:x}\r\n",
    ],
    ids=["content-length", "chunk"],
)
def test_a_declared_size_over_the_body_limit_is_refused_413_unread(gateway: RunningGateway, head: str) -> None:
    with _connect(gateway.base, "127.0.0.40", head.encode()) as sock:
        sock.settimeout(5)
        answer = _read_to_close(sock)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"Connection: close" in answer


def test_one_peer_holds_at_most_its_bound_and_gets_503_beyond_it(gateway: RunningGateway) -> None:
    """Two workers share each peer's count; two that accept at the same instant may let one more in."""
    held = [_connect(gateway.base, "127.0.0.50") for _ in range(PER_PEER + 10)]
    try:
        time.sleep(0.5)
        refused = [sock for sock in held if _answered_503(sock)]
        assert 9 <= len(refused) <= 10
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.5)  # the gateway notices the closes on its next turn
    with _connect(gateway.base, "127.0.0.50", b"GET /readyz HTTP/1.1\r\nHost: gw\r\n\r\n") as sock:
        sock.settimeout(5)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")  # its connections closed, the peer is welcome again


def test_an_idle_kept_alive_connection_is_closed(gateway: RunningGateway) -> None:
    request = b"GET /readyz HTTP/1.1\r\nHost: gw\r\n\r\n"
    with _connect(gateway.base, "127.0.0.60", request * 2) as sock:  # two pipelined requests, two answers
        sock.settimeout(IDLE_TIMEOUT + SLACK + 2)
        started = time.monotonic()
        answers = _read_to_close(sock)
        assert answers.count(b"HTTP/1.1 200 ") == 2
        assert time.monotonic() - started <= IDLE_TIMEOUT + SLACK


def test_a_client_expecting_100_continue_is_told_once_and_answered(gateway: RunningGateway) -> None:
    body = b"<not-an-envelope/>"
    head = f"POST /soap11 HTTP/1.1\r\nHost: gw\r\nContent-Type: text/xml\r\nContent-Length: {len(body)}\r\n"
    with _connect(gateway.base, "127.0.0.70", (head + "Expect: 100-continue\r\n\r\n").encode()) as sock:
        sock.settimeout(5)
        assert sock.recv(4096) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 ") and b" 100 " not in answer.split(b"\r\n")[0]


def _read_to_close(sock: socket.socket) -> bytes:
    answer = b""
    while data := sock.recv(65536):
        answer += data
    return answer


def _answered_503(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(4096).startswith(b"HTTP/1.1 503 ")
    except BlockingIOError:
        return False


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("SOAPBRIDGE_HEADER_TIMEOUT", "0"),
        ("SOAPBRIDGE_BODY_TIMEOUT", "1.5"),
        ("SOAPBRIDGE_MAX_CONNECTIONS_PER_PEER", "-1"),
    ],
)
def test_a_bad_bound_stops_the_settings_naming_its_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Connections.from_env({key: value})
    assert raised.value.key == key
