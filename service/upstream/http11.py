"""HTTP/1.1 to a legacy system's own address: h11 frames each message, a small pool keeps the connections alive.

h11 does the protocol (the request's framing, the answer's status line, headers, Content-Length or chunked body,
whether the connection can be kept) and bounds the answer's head (h11's 16 KB); this module only moves bytes
between it and a socket, each wait bounded by the caller. That costs about a third of the CPU of an exchange
through urllib3 and http.client, whose header parsing goes through the email package.

Errors are the socket's and h11's own (OSError, socket.timeout, ssl.SSLError, h11.ProtocolError); transport.py
turns them into soapbridge's. Calls through a proxy do not come here: transport.py sends those with urllib3.
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import h11

#: Bytes asked of the socket at a time.
RECEIVE = 64 * 1024
#: Content-Encoding values the answer may come in, as Accept-Encoding offers them.
ENCODINGS = ("gzip", "deflate")


class AnswerTooLarge(Exception):
    """Raised when an answer's body, decoded, is longer than the caller's limit."""


class BrokenEncoding(Exception):
    """Raised when an answer's body does not decode as its Content-Encoding says."""


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    content: bytes


class Connection:
    """One socket and h11's view of it."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.state = h11.Connection(h11.CLIENT)
        #: Whether the current exchange's answer has begun (its status line and headers have arrived).
        self.answered = False

    def dropped(self) -> bool:
        """True when an idle kept-alive connection is not usable: the peer closed it, or sent what nobody asked."""
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def close(self) -> None:
        self.sock.close()


class Pool:
    """Kept-alive connections to one origin (scheme, host, port), the most recently used first."""

    def __init__(self, host: str, port: int, tls: ssl.SSLContext | None, keep: int) -> None:
        self.host = host
        self.port = port
        self.tls = tls
        self.keep = keep
        #: The Host header: the port only when it is not the scheme's default.
        default = 443 if tls is not None else 80
        self.authority = host if port == default else f"{host}:{port}"
        self._idle: list[Connection] = []
        self._lock = threading.Lock()

    def connection(self, connect_timeout: float) -> Connection:
        """An idle connection that is still open, else a new one (socket.timeout, OSError, ssl.SSLError)."""
        while True:
            with self._lock:
                idle = self._idle.pop() if self._idle else None
            if idle is None:
                return self._connect(connect_timeout)
            if not idle.dropped():
                return idle
            idle.close()

    def release(self, connection: Connection) -> None:
        """Keep the connection for the next call when its exchange ended cleanly and the peer keeps it open."""
        state = connection.state
        if state.our_state is h11.DONE and state.their_state is h11.DONE:
            state.start_next_cycle()
            with self._lock:
                if len(self._idle) < self.keep:
                    self._idle.append(connection)
                    return
        connection.close()

    def _connect(self, timeout: float) -> Connection:
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        return Connection(sock)


def exchange(
    connection: Connection,
    request: h11.Request,
    body: bytes,
    wait: Callable[[], float],
    max_body: int,
) -> Answer:
    """Send one request and read its answer whole. wait() gives the seconds the next read may take (it raises
    when none are left); a body longer than max_body, decoded, is AnswerTooLarge before the rest is read."""
    state = connection.state
    connection.answered = False
    connection.sock.settimeout(wait())
    connection.sock.sendall(state.send(request) + state.send(h11.Data(data=body)) + state.send(h11.EndOfMessage()))
    head = _next(connection, wait)
    while isinstance(head, h11.InformationalResponse):  # 100 Continue and the like: the answer is still to come
        head = _next(connection, wait)
    if not isinstance(head, h11.Response):
        raise h11.RemoteProtocolError(f"expected an answer, got {type(head).__name__}")
    connection.answered = True
    content_type = encoding = ""
    for name, value in head.headers:
        if name == b"content-type":
            content_type = value.decode("latin-1")
        elif name == b"content-encoding":
            encoding = value.decode("latin-1").strip().lower()
    decode = _decoder(encoding)
    content = bytearray()
    while not isinstance(event := _next(connection, wait), h11.EndOfMessage):
        if isinstance(event, h11.Data):
            content += decode(event.data, max_body + 1 - len(content))
            if len(content) > max_body:
                raise AnswerTooLarge(max_body)
    content += decode(b"", max_body + 1 - len(content))
    if len(content) > max_body:
        raise AnswerTooLarge(max_body)
    return Answer(head.status_code, content_type, bytes(content))


def _next(connection: Connection, wait: Callable[[], float]) -> h11.Event:
    state = connection.state
    while (event := state.next_event()) is h11.NEED_DATA:
        connection.sock.settimeout(wait())
        state.receive_data(connection.sock.recv(RECEIVE))  # b"" (closed) becomes h11's ConnectionClosed or error
    if isinstance(event, h11.ConnectionClosed) or not isinstance(event, h11.Event):  # PAUSED: not for a client
        raise ConnectionResetError("the connection closed before the answer ended")
    return event


def _decoder(encoding: str) -> Callable[[bytes, int], bytes]:
    """(data, room) -> data decoded; never much more than room bytes, so a small bomb stays small (the caller
    refuses the answer once it has more than it can take). data b"" ends the body."""
    if encoding in ("", "identity"):
        return lambda data, room: data
    if encoding not in ENCODINGS:
        raise BrokenEncoding(f"an answer in {encoding!r}, which was not offered")
    return _Inflate(encoding).decode


class _Inflate:
    """gzip, or deflate: zlib data as the standard says, or raw deflate as some servers send it."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # a gzip or a zlib header, whichever comes
        #: Whether the body's first bytes are still to decode (only then can deflate turn out to be raw).
        self.first = True

    def decode(self, data: bytes, room: int) -> bytes:
        try:
            out = self.inflater.decompress(data, max(room, 1)) if data else self.inflater.flush()
        except zlib.error:
            if not (self.first and self.encoding == "deflate"):
                raise BrokenEncoding(f"a body that is not valid {self.encoding}") from None
            self.inflater, self.first = zlib.decompressobj(-zlib.MAX_WBITS), False
            return self.decode(data, room)
        self.first = False
        return out
