"""A plain head is framed without h11, exactly as h11 frames it; every other head is h11's to read."""

from __future__ import annotations

import pytest

from soapbridge.cli.framing import Progress, RequestFraming
from soapbridge.cli.plainhead import plain_body_length

LIMIT = 1000
HEAD = b"POST /soap11 HTTP/1.1\r\nHost: gw\r\n"
REQUESTS = [
    b"GET /readyz HTTP/1.1\r\nHost: gw\r\n\r\n",
    HEAD + b"Content-Length: 5\r\n\r\nhello",
    HEAD + b"Content-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: gw\r\n\r\n",
    HEAD + b'content-length:\t 05 \t\r\nX-Empty:\r\nSOAPAction: "urn:a b"\r\n\r\nhello',
    HEAD + b"Content-Length: 0\r\n\r\n",
    HEAD + b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
    HEAD + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    HEAD + b"Content-Length: +5\r\n\r\nhello",
    HEAD + b"Content-Length: 5, 5\r\n\r\nhello",
    HEAD + b"Content-Length: 1001\r\n\r\n",
    HEAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    HEAD + b"Content-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
    HEAD + b"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    HEAD + b"X-Folded: a\r\n b\r\n\r\n",
    HEAD + b"X-Bytes: \x80\xff\r\n\r\n",
    HEAD + b"X-Nul: a\x00b\r\n\r\n",
    HEAD + b"Host : gw\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    HEAD + b"Host: again\r\n\r\n",
    b"POST / HTTP/1.0\r\nHost: gw\r\nContent-Length: 5\r\n\r\nhello",
    b"get / HTTP/1.1\r\nHost: gw\r\n\r\n",
    b"GET / HTTP/1.1\nHost: gw\n\n",
    b"GET / HTTP/1.1\r\nHost: gw\n\r\n",
    b"\r\nGET / HTTP/1.1\r\nHost: gw\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 70_000 + b"\r\nHost: gw\r\n\r\n",
]


class H11Only(RequestFraming):
    """The framing as it was before plain heads: h11 reads every request."""

    def _frame_plainly(self, data: bytes) -> bool:
        return False


def outcome(framing: RequestFraming) -> tuple[object, ...]:
    refused = framing.refusal.status if framing.refusal is not None else None
    complete = framing.progress is Progress.COMPLETE
    return framing.progress, refused, framing.expects_continue, complete and framing.request, complete and framing.rest


def fed(kind: type[RequestFraming], data: bytes, step: int, close: bool) -> tuple[object, ...]:
    framing = kind(LIMIT)
    seen = [framing.receive(data[start : start + step]) for start in range(0, len(data), step)]
    if close:
        seen.append(framing.receive(b""))
    return *outcome(framing), tuple(seen)


@pytest.mark.parametrize("data", REQUESTS)
@pytest.mark.parametrize("step", [1, 7, 1 << 20])
def test_every_request_is_framed_as_h11_frames_it(data: bytes, step: int) -> None:
    if step == 1 and len(data) > 1000:
        step = 997
    assert fed(RequestFraming, data, step, close=False) == fed(H11Only, data, step, close=False)


@pytest.mark.parametrize("data", REQUESTS)
@pytest.mark.parametrize("cut", [0, 1, 20, -1])
def test_a_client_closing_anywhere_is_seen_as_h11_sees_it(data: bytes, cut: int) -> None:
    part = data[: len(data) + cut] if cut < 0 else data[:cut]
    assert fed(RequestFraming, part, 1 << 20, close=True) == fed(H11Only, part, 1 << 20, close=True)


def test_a_pipelined_plain_request_is_plain_too() -> None:
    first = RequestFraming(LIMIT, REQUESTS[2])
    following = RequestFraming(LIMIT, first.rest)
    assert first.request == REQUESTS[1] and following.progress is Progress.COMPLETE
    assert following._h11 is None and first._h11 is None


@pytest.mark.parametrize(
    ("head", "length"),
    [
        (REQUESTS[0], 0),
        (HEAD + b"Content-Length: 42\r\n\r\n", 42),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n", None),
        (HEAD + b"Content-Length: 5\r\nContent-Length: 5\r\n\r\n", None),
        (HEAD + b"Content-Length: 99999999999999999999\r\n\r\n", None),
        (b"POST / HTTP/1.1\r\n\r\n", None),
    ],
)
def test_plain_body_length(head: bytes, length: int | None) -> None:
    assert plain_body_length(head) == length
