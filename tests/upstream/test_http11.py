"""What a legacy system's answer may look like on the wire, and what the transport makes of it: chunked bodies,
gzip and deflate (zlib or raw), an encoding not offered, a compressed bomb, 100 Continue, Connection: close, a
kept-alive connection the system closed while idle, and a head that is not HTTP; over real loopback sockets."""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from soapbridge.errors import UpstreamUnavailable
from soapbridge.upstream.transport import UpstreamTransport
from tests.resilience.conftest import billing, raw_server

BODY = b"<answer>" + b"soap " * 400 + b"</answer>"


def answer(body: bytes, *headers: bytes, status: bytes = b"200 OK") -> Callable[[socket.socket], None]:
    def behaviour(connection: socket.socket) -> None:
        head = b"HTTP/1.1 " + status + b"\r\nContent-Type: text/xml\r\n" + b"".join(h + b"\r\n" for h in headers)
        connection.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)

    return behaviour


def post(project: Path, url: str, max_body: int = 1_000_000) -> bytes:
    return UpstreamTransport(billing(project), max_body=max_body).post(url, b"<x/>", {}).content


def test_a_chunked_answer_is_read_whole(project: Path) -> None:
    def chunked(connection: socket.socket) -> None:
        parts = [BODY[:700], BODY[700:1500], BODY[1500:]]
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts)
        connection.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")

    with raw_server(chunked) as url:
        assert post(project, url) == BODY


@pytest.mark.parametrize(
    ("encoding", "encoded"),
    [
        (b"gzip", gzip.compress(BODY)),
        (b"deflate", zlib.compress(BODY)),
        (b"deflate", zlib.compress(BODY)[2:-4]),  # raw deflate, as some servers send it
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw"],
)
def test_a_compressed_answer_is_decoded(project: Path, encoding: bytes, encoded: bytes) -> None:
    with raw_server(answer(encoded, b"Content-Encoding: " + encoding)) as url:
        assert post(project, url) == BODY


def test_a_compressed_bomb_stops_at_the_body_limit(project: Path) -> None:
    bomb = gzip.compress(b"A" * 50_000_000)  # 50 MB in about 50 KB
    with raw_server(answer(bomb, b"Content-Encoding: gzip")) as url, pytest.raises(UpstreamUnavailable) as caught:
        post(project, url, max_body=100_000)
    assert caught.value.message == "billing answered with more than 100000 bytes"


@pytest.mark.parametrize(
    ("headers", "body", "message"),
    [
        ((b"Content-Encoding: br",), BODY, "billing answered with an answer in 'br', which was not offered"),
        ((b"Content-Encoding: gzip",), b"not gzip at all", "billing answered with a body that is not valid gzip"),
    ],
    ids=["not-offered", "broken"],
)
def test_an_answer_that_does_not_decode_is_unavailable(
    project: Path, headers: tuple[bytes, ...], body: bytes, message: str
) -> None:
    with raw_server(answer(body, *headers)) as url, pytest.raises(UpstreamUnavailable) as caught:
        post(project, url)
    assert caught.value.message == message


def test_100_continue_comes_before_the_answer(project: Path) -> None:
    def continuing(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        answer(BODY)(connection)

    with raw_server(continuing) as url:
        assert post(project, url) == BODY


def test_connection_close_and_an_idle_close_each_get_a_new_connection(project: Path) -> None:
    connections: list[int] = []

    def closing(connection: socket.socket) -> None:
        connections.append(1)
        answer(BODY, b"Connection: close")(connection)

    transport = UpstreamTransport(billing(project))
    with raw_server(closing) as url:  # raw_server answers one request per connection, then closes it
        assert [transport.post(url, b"<x/>", {}).content for _ in range(3)] == [BODY] * 3
    assert len(connections) == 3

    kept: list[int] = []

    def answers_once_then_closes(connection: socket.socket) -> None:  # keeps it alive, then closes it while idle
        kept.append(1)
        answer(BODY)(connection)

    with raw_server(answers_once_then_closes) as url:
        contents = []
        for _ in range(3):
            contents.append(transport.post(url, b"<x/>", {}).content)
            time.sleep(
                0.2
            )  # idle: the system closes the connection meanwhile, as servers do after a keep-alive timeout
    assert contents == [BODY] * 3
    assert len(kept) == 3  # each call found the last connection closed, and opened a new one without failing


@pytest.mark.parametrize(
    "reply",
    [b"SSH-2.0-OpenSSH_9.6\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"],
    ids=["not-http", "cut-short"],
)
def test_a_broken_answer_is_unavailable(project: Path, reply: bytes) -> None:
    with raw_server(lambda connection: connection.sendall(reply)) as url, pytest.raises(UpstreamUnavailable) as caught:
        post(project, url)
    assert caught.value.transient
    assert caught.value.message in (
        "billing reset or closed the connection without answering",
        "billing closed the connection before its whole answer arrived",
    )
