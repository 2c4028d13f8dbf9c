"""RequestFraming: where a request ends however its bytes arrive, and which requests are refused before their body."""

from __future__ import annotations

import pytest

from soapbridge.cli.framing import Progress, RequestFraming

LIMIT = 1000
GET = b"GET /readyz HTTP/1.1\r\nHost: gw\r\n\r\n"
POST = b"POST /soap11 HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n\r\nhello"
CHUNKED = b"POST /soap11 HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"


@pytest.mark.parametrize("request_bytes", [GET, POST, CHUNKED])
def test_a_request_fed_a_byte_at_a_time_is_complete_exactly_at_its_last_byte(request_bytes: bytes) -> None:
    framing = RequestFraming(LIMIT)
    seen = []
    for index in range(len(request_bytes)):
        seen.append(framing.receive(request_bytes[index : index + 1]))
    assert seen[-1] is Progress.COMPLETE and Progress.COMPLETE not in seen[:-1]
    assert Progress.HEAD in seen
    assert framing.request == request_bytes and framing.rest == b""


def test_the_body_begins_after_the_head() -> None:
    framing = RequestFraming(LIMIT)
    assert framing.receive(POST[:-3]) is Progress.BODY


def test_pipelined_requests_are_split_where_the_first_ends() -> None:
    framing = RequestFraming(LIMIT, POST + GET[:10])
    assert framing.progress is Progress.COMPLETE
    assert framing.request == POST and framing.rest == GET[:10]
    following = RequestFraming(LIMIT, framing.rest)
    assert following.progress is Progress.HEAD
    assert following.receive(GET[10:]) is Progress.COMPLETE and following.request == GET


def test_a_declared_length_over_the_limit_is_refused_with_413_before_any_body() -> None:
    framing = RequestFraming(LIMIT)
    head = f"POST /soap11 HTTP/1.1\r\nHost: gw\r\nContent-Length: {2**40}\r\n\r\n".encode()
    assert framing.receive(head) is Progress.REFUSED
    assert framing.refusal is not None and framing.refusal.status == 413


@pytest.mark.parametrize("size", [LIMIT + 1, 2**79])
def test_a_declared_chunk_over_the_limit_is_refused_with_413_before_its_data(size: int) -> None:
    """h11 keeps the declared size in a private attribute: this pins the reading to the h11 installed."""
    framing = RequestFraming(LIMIT)
    head = b"POST /soap11 HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert framing.receive(head + f"{size:x}\r\n".encode()) is Progress.REFUSED
    assert framing.refusal is not None and framing.refusal.status == 413


def test_chunks_adding_up_over_the_limit_are_refused() -> None:
    framing = RequestFraming(LIMIT)
    framing.receive(b"POST /soap11 HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n")
    for _ in range(3):
        framing.receive(f"{LIMIT // 3:x}\r\n".encode() + b"a" * (LIMIT // 3) + b"\r\n")
    assert framing.receive(b"10\r\n") is Progress.REFUSED


def test_a_chunk_size_too_long_to_read_is_refused() -> None:
    framing = RequestFraming(LIMIT)
    head = b"POST /soap11 HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert framing.receive(head + f"{2**80:x}\r\n".encode()) is Progress.REFUSED


@pytest.mark.parametrize(
    "head",
    [
        b"POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"NOT HTTP\r\n\r\n",
    ],
)
def test_a_request_whose_end_is_ambiguous_is_refused(head: bytes) -> None:
    framing = RequestFraming(LIMIT)
    assert framing.receive(head) is Progress.REFUSED
    assert framing.refusal is not None and 400 <= framing.refusal.status < 600


def test_a_head_over_64_kib_is_refused_431() -> None:
    framing = RequestFraming(LIMIT)
    assert framing.receive(b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 70_000) is Progress.REFUSED
    assert framing.refusal is not None and framing.refusal.status == 431


def test_an_expect_100_continue_is_noticed_after_the_head() -> None:
    framing = RequestFraming(LIMIT)
    framing.receive(b"POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
    assert framing.progress is Progress.BODY and framing.expects_continue


def test_a_client_closing_between_requests_ends_the_connection_quietly() -> None:
    assert RequestFraming(LIMIT).receive(b"") is Progress.CLOSED


def test_a_client_closing_inside_a_request_refuses_it() -> None:
    framing = RequestFraming(LIMIT, POST[:-2])
    assert framing.receive(b"") is Progress.REFUSED
