"""The upstream transport keeps connections alive across calls, goes through the proxy the environment names
(unless NO_PROXY spares the system), and sends the adapter's Basic credentials; over real loopback sockets."""

from __future__ import annotations

import base64
import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from soapbridge.config import AdapterConfig, load_adapter
from soapbridge.errors import UpstreamUnavailable
from soapbridge.settings import Settings
from soapbridge.upstream.transport import UpstreamTransport
from tests.conftest import CREDENTIALS
from tests.resilience.conftest import read_request
from tests.running import accepting, free_port

ANSWER = b"<answer/>"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@dataclass
class KeepAlive:
    """A loopback HTTP/1.1 server that answers every request on a connection until the client closes it."""

    port: int = 0
    answer: bytes = ANSWER
    connections: int = 0
    heads: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/legacy"

    def serve(self, connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError):
            while request := read_request(connection):
                self.heads.append(request.partition(b"\r\n\r\n")[0])
                head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % len(self.answer)
                connection.sendall(head + self.answer)

    def accept(self, connection: socket.socket, peer: str) -> None:
        self.connections += 1
        threading.Thread(target=self.serve, args=(connection,), daemon=True).start()


@contextmanager
def keep_alive(answer: bytes = ANSWER) -> Iterator[KeepAlive]:
    server = KeepAlive(answer=answer)
    with accepting(server.accept) as port:
        server.port = port
        yield server


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: the machine's own proxy variables would send loopback calls elsewhere."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def lines(head: bytes) -> list[bytes]:
    """A request head's lines, lower-cased: header names are case-insensitive."""
    return head.lower().split(b"\r\n")


def adapter(project: Path, system: str = "billing") -> AdapterConfig:
    return load_adapter(project / "adapters" / f"{system}.toml", Settings(root=project, env=dict(CREDENTIALS)))


def test_one_connection_serves_call_after_call(project: Path) -> None:
    transport = UpstreamTransport(adapter(project))
    with keep_alive() as legacy:
        answers = [transport.post(legacy.url, b"<x/>", {"Content-Type": "text/xml"}) for _ in range(5)]
    assert [answer.content for answer in answers] == [ANSWER] * 5
    assert (legacy.connections, len(legacy.heads)) == (1, 5)


def test_an_answer_refused_half_read_does_not_leave_its_rest_to_the_next_call(project: Path) -> None:
    with keep_alive(b"<big>" + b"x" * 5000 + b"</big>") as legacy:
        transport = UpstreamTransport(adapter(project), max_body=1000)
        with pytest.raises(UpstreamUnavailable, match="more than 1000 bytes"):
            transport.post(legacy.url, b"<x/>", {})
        legacy.answer = ANSWER
        assert transport.post(legacy.url, b"<x/>", {}).content == ANSWER
    assert legacy.connections == 2


def test_a_proxy_from_the_environment_carries_the_call(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with keep_alive() as proxy:
        monkeypatch.setenv("HTTP_PROXY", f"http://gateway:s%40cret@127.0.0.1:{proxy.port}")
        answer = UpstreamTransport(adapter(project)).post("http://billing.internal:8080/ws", b"<x/>", {})
    assert answer.content == ANSWER
    request_line, *_ = proxy.heads[0].split(b"\r\n")
    assert request_line == b"POST http://billing.internal:8080/ws HTTP/1.1"
    assert b"proxy-authorization: basic " + base64.b64encode(b"gateway:s@cret").lower() in lines(proxy.heads[0])


def test_no_proxy_spares_a_system(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # nothing listens: a proxied call fails
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    with keep_alive() as legacy:
        assert UpstreamTransport(adapter(project)).post(legacy.url, b"<x/>", {}).content == ANSWER


def test_a_proxy_that_cannot_be_reached_is_unavailable_and_nothing_was_sent(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(UpstreamUnavailable) as caught:
        UpstreamTransport(adapter(project)).post("http://billing.internal:8080/ws", b"<x/>", {})
    assert caught.value.message == "billing cannot be reached through the proxy"
    assert not caught.value.sent and caught.value.transient


def test_http_basic_credentials_go_with_every_call(project: Path) -> None:
    with keep_alive() as legacy:
        transport = UpstreamTransport(adapter(project, "mailing"))
        transport.post(legacy.url, b"<x/>", {})
        transport.post(legacy.url, b"<x/>", {})
    expected = b"authorization: basic " + base64.b64encode(b"u:p").lower()
    assert all(expected in lines(head) for head in legacy.heads) and len(legacy.heads) == 2
