"""Where one HTTP/1.1 request ends, found from its bytes as they arrive, before any thread serves it.

The worker's event loop feeds a RequestFraming whatever a client sends, without blocking, until the request is
complete; only then does a pool thread see it, as nginx and HAProxy buffer a request before it reaches the
application. h11 finds the end (Content-Length, chunked, the start of a pipelined next request), so that the
bytes handed on are exactly one request; gunicorn parses them again to serve them, and anything the two
readings disagree on fails that one request instead of reading into the next.

A declared Content-Length, or a declared chunk, over the body limit is refused as soon as its size is read.

A plain head (plainhead.py: Content-Length or no body, nothing h11 would treat specially) is framed without h11,
which is most requests; h11 is made only for the rest, and then reads the request from its first byte.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import h11

from .plainhead import BLANK_LINE, plain_body_length

#: The largest request head (request line and headers), in bytes: gunicorn's own limits (a 4 KiB request line,
#: 100 fields of 8 KiB) allow more in theory, but no SOAP or JSON client sends heads anywhere near this.
MAX_HEAD = 64 * 1024


class Progress(enum.Enum):
    """How far a request has arrived."""

    #: Nothing of a request yet (a kept-alive connection, idle).
    IDLE = "idle"
    #: Part of the head.
    HEAD = "head"
    #: The whole head; part of the body.
    BODY = "body"
    #: The whole request: RequestFraming.request holds it.
    COMPLETE = "complete"
    #: The client closed its side before a request began: nothing to answer.
    CLOSED = "closed"
    #: The request is refused: RequestFraming.refusal says why.
    REFUSED = "refused"


@dataclass(frozen=True)
class Refusal:
    """A request answered without being served, and the connection closed."""

    status: int
    reason: str


class RequestFraming:
    """One request's bytes, taken as they come, until the request is complete or refused."""

    def __init__(self, max_body: int, received: bytes = b"") -> None:
        self.max_body = max_body
        self.progress = Progress.IDLE
        self.refusal: Refusal | None = None
        #: The request's head once h11 read it: what a refusal of its body answers in the endpoint's own format (a
        #: plain head is never refused).
        self.head: h11.Request | None = None
        #: The client waits for "100 Continue" before it sends the body.
        self.expects_continue = False
        self._h11: h11.Connection | None = None  # made when the head is not plain
        self._plain_end: int | None = None  # where a plain request ends, once its head is read
        self._searched = 0  # how far the blank line was looked for
        self._bytes = bytearray()
        self._body = 0  # body bytes so far (chunked: without the chunks' framing)
        self._rest = b""
        if received:
            self.receive(received)

    @property
    def request(self) -> bytes:
        """The complete request, exactly: its head and its body as sent."""
        return bytes(self._bytes[: len(self._bytes) - len(self._rest)])

    @property
    def rest(self) -> bytes:
        """What the client sent after the complete request: the start of its next one (pipelining)."""
        return self._rest

    def receive(self, data: bytes) -> Progress:
        """Take the next bytes from the client, and say how far the request has come (b"": the client closed its
        side, which ends an idle connection and refuses a request begun)."""
        if self.progress in (Progress.COMPLETE, Progress.CLOSED, Progress.REFUSED):
            return self.progress
        self._bytes += data
        if self._h11 is not None:
            self._feed(self._h11, data)
        elif not self._frame_plainly(data):
            self._h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
            if self._bytes:
                self._feed(self._h11, bytes(self._bytes))
            if not data:
                self._feed(self._h11, b"")
        return self.progress

    def _feed(self, connection: h11.Connection, data: bytes) -> None:
        try:
            connection.receive_data(data)
            self._advance(connection)
        except h11.RemoteProtocolError as error:
            self._refuse(error.error_status_hint, str(error))

    def _frame_plainly(self, data: bytes) -> bool:
        """Follow a plain request without h11; False when h11 must read it (and then from its first byte), as for
        the client closing its side (h11 says whether that was between requests or inside one)."""
        if not data or self._bytes[0] < 0x21:  # a closed side; h11 refuses a non-request at its first byte
            return False
        if self._plain_end is None and not self._read_plain_head():
            return False
        if self._plain_end is not None and len(self._bytes) >= self._plain_end:
            self.progress = Progress.COMPLETE
            self._rest = bytes(self._bytes[self._plain_end :])
        return True

    def _read_plain_head(self) -> bool:
        blank = BLANK_LINE.search(self._bytes, self._searched)
        if blank is None:
            self._searched = max(0, len(self._bytes) - 2)
            self.progress = Progress.HEAD
            return len(self._bytes) <= MAX_HEAD
        end = blank.end()
        length = plain_body_length(self._bytes[:end]) if end <= MAX_HEAD else None
        if length is None or length > self.max_body:
            return False
        self._plain_end = end + length
        self.progress = Progress.BODY
        return True

    def _advance(self, connection: h11.Connection) -> None:
        while self.progress not in (Progress.COMPLETE, Progress.CLOSED, Progress.REFUSED):
            event = connection.next_event()
            if event is h11.NEED_DATA:
                if self._bytes and self.progress is Progress.IDLE:
                    self.progress = Progress.HEAD
                self._check_declared_chunk(connection)
                return
            self._take(connection, event)

    def _take(self, connection: h11.Connection, event: object) -> None:
        if isinstance(event, h11.Request):
            self.head = event
            self.progress = Progress.BODY
            self.expects_continue = connection.they_are_waiting_for_100_continue
            self._check_declared_length(event)
        elif isinstance(event, h11.Data):
            self._body += len(event.data)
            self._check_declared_chunk(connection)
        elif isinstance(event, h11.EndOfMessage):
            self.progress = Progress.COMPLETE
            self._rest = connection.trailing_data[0]
        elif isinstance(event, h11.ConnectionClosed):
            self.progress = Progress.CLOSED

    def _check_declared_length(self, request: h11.Request) -> None:
        for name, value in request.headers:
            if name == b"content-length" and int(value) > self.max_body:
                self._refuse(413, f"a declared body of {int(value)} bytes, over the limit of {self.max_body}")

    def _check_declared_chunk(self, connection: h11.Connection) -> None:
        # h11 keeps the size a chunk's header declared, less what has arrived, in its reader; it offers no public
        # way to see it, and without it a 2**79-byte chunk would be refused only when its body timed out.
        # tests/cli/test_framing.py pins this reading to the h11 version installed.
        announced = getattr(getattr(connection, "_reader", None), "_bytes_in_chunk", 0)
        if isinstance(announced, int) and self._body + announced > self.max_body:
            self._refuse(413, f"a body of at least {self._body + announced} bytes, over the limit of {self.max_body}")

    def _refuse(self, status: int, reason: str) -> None:
        self.progress, self.refusal = Progress.REFUSED, Refusal(status, reason)
