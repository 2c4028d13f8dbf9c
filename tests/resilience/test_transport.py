"""Each way a legacy system can fail on the wire becomes a typed error that says whether the request was sent,
whether another try may help, and never takes longer than the call's deadline."""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path

import pytest

from soapbridge.config import Timeouts
from soapbridge.errors import UpstreamError, UpstreamTimeout, UpstreamUnavailable
from soapbridge.upstream.client import UpstreamTransport
from soapbridge.upstream.deadline import Deadline
from soapbridge.upstream.envelope import read_answer
from tests.resilience.conftest import billing, raw_server
from tests.running import free_port

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n"
MARGIN = 1.5


def trickle(connection: socket.socket) -> None:
    connection.sendall(HEAD)
    for _ in range(100):
        connection.sendall(b" ")
        time.sleep(0.2)


def truncate(connection: socket.socket) -> None:
    connection.sendall(HEAD + b"<x>" * 30)


def reset(connection: socket.socket) -> None:
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def hang(connection: socket.socket) -> None:
    time.sleep(5)


def post(project: Path, url: str, timeouts: Timeouts) -> UpstreamError:
    transport = UpstreamTransport(billing(project))
    with pytest.raises(UpstreamError) as caught:
        transport.post(url, b"<x/>", {}, deadline=Deadline(timeouts.deadline), timeouts=timeouts)
    return caught.value


def test_a_trickling_answer_cannot_outlast_the_deadline(project: Path) -> None:
    started = time.monotonic()
    with raw_server(trickle) as url:
        error = post(project, url, Timeouts(connect=1, operation=5, deadline=1))
    assert time.monotonic() - started < 1 + MARGIN
    assert isinstance(error, UpstreamTimeout) and error.sent and not error.transient
    assert error.message == "billing did not answer within the 1.0 s deadline"


def test_an_answer_cut_short_is_transient_and_was_sent(project: Path) -> None:
    with raw_server(truncate) as url:
        error = post(project, url, Timeouts())
    assert isinstance(error, UpstreamUnavailable) and error.sent and error.transient
    assert error.message == "billing closed the connection before its whole answer arrived"


def test_a_reset_connection_is_transient_and_was_sent(project: Path) -> None:
    with raw_server(reset) as url:
        error = post(project, url, Timeouts())
    assert isinstance(error, UpstreamUnavailable) and error.sent and error.transient
    assert error.message == "billing reset or closed the connection without answering"


def test_a_refused_connection_was_not_sent(project: Path) -> None:
    error = post(project, f"http://127.0.0.1:{free_port()}/legacy", Timeouts())
    assert isinstance(error, UpstreamUnavailable) and not error.sent and error.transient
    assert error.message == "billing refused the connection"


def test_no_answer_within_the_operation_timeout_is_a_timeout_never_retried(project: Path) -> None:
    started = time.monotonic()
    with raw_server(hang) as url:
        error = post(project, url, Timeouts(connect=1, operation=0.5, deadline=10))
    assert time.monotonic() - started < 0.5 + MARGIN
    assert isinstance(error, UpstreamTimeout) and error.sent and not error.transient
    assert error.message == "billing did not answer within 0.5 s"


def test_a_spent_deadline_sends_nothing(project: Path) -> None:
    with raw_server(hang) as url:
        transport = UpstreamTransport(billing(project))
        with pytest.raises(UpstreamTimeout) as caught:
            transport.post(url, b"<x/>", {}, deadline=Deadline(1, at=0.0))
    assert not caught.value.sent
    assert caught.value.message == "billing was not called within the 1.0 s deadline"


@pytest.mark.parametrize(("status", "sent", "transient"), [(503, False, True), (502, True, True), (500, True, False)])
def test_an_html_page_says_whether_the_request_had_an_effect(status: int, sent: bool, transient: bool) -> None:
    """503 turns the request away unprocessed (a write may run again); a 500 or 502 may come after the work."""
    page = b"<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>"
    with pytest.raises(UpstreamUnavailable) as raised:
        read_answer(page, status, "text/html; charset=iso-8859-1", "1.1", "billing")
    assert raised.value.message == f"billing answered HTTP {status} with an HTML page, not SOAP"
    assert (raised.value.sent, raised.value.transient) == (sent, transient)
