"""gthread whose event loop reads each request in full, without blocking and against deadlines, before a pool
thread ever sees it.

gunicorn's gthread waits for a connection's first byte with a timeout, then reads in a pool thread with none:
a few dozen clients sending a byte a second (of the head or of the body), or one chunk declared huge and never
sent, held every thread, and no one else was answered. Here the loop feeds each connection's bytes to a
RequestFraming (service/cli/framing.py) and hands a thread only a complete request, which gunicorn then parses
from memory; a slow client costs a socket and its buffer, never a thread. Each connection has one deadline at
a time: the head's (SOAPBRIDGE_HEADER_TIMEOUT, from the connection, or from the first byte on a kept-alive
one), the body's (SOAPBRIDGE_BODY_TIMEOUT, from the end of the head), or the idle one between requests (the
keep-alive timeout). Overrunning closes the connection, with a 408 when a request had begun. A declared
length or chunk over the body limit is a 413 before the body is read, and one peer address holds at most
SOAPBRIDGE_MAX_CONNECTIONS_PER_PEER connections across the instance (PeerBound).
"""

from __future__ import annotations

import errno
import io
import selectors
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from typing import Any

import h11
from gunicorn import sock as gunicorn_sock
from gunicorn.http.message import Request
from gunicorn.http.parser import RequestParser
from gunicorn.workers.gthread import TConn, ThreadWorker

from ..gateway.app import REFUSED_UNREAD
from ..settings import Connections
from ..workerload import PEER_BUCKETS, WorkerLoads
from .framing import Progress, RequestFraming

#: Seconds between two looks at the connections' deadlines: their precision, and how often a loop with
#: connections waiting wakes up by itself.
SWEEP = 0.25
#: What accept() raises when the process or the system has no file descriptor (or buffer) left.
OUT_OF_DESCRIPTORS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
#: Seconds between two warnings that no file descriptor was left to take a connection.
FD_WARNING_EVERY = 10.0
#: The most bytes one recv() takes.
READ_SIZE = 64 * 1024
#: Seconds a closing connection waits for the client to close too, and the reads it drops per loop turn.
LINGER = 2.0
LINGER_READS = 4
#: Seconds a stopping worker keeps an idle kept-alive connection, for a request the client may be sending already
#: (answered with Connection: close), as gthread's own STOP_KEEPALIVE_LINGER.
STOPPING_IDLE = 2.0
#: What a non-blocking read raises when the client has sent nothing more yet (for TLS, also mid-handshake: the
#: handshake's few KiB always fit an empty socket buffer, so waiting to write is waiting for the client, too).
_NOTHING_YET = (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError)


@dataclass(frozen=True)
class ClientBounds:
    """What a client may take: its timeouts, its request's size, its connections (see the module docstring)."""

    connections: Connections = field(default_factory=Connections)
    max_body: int = 10 * 1024 * 1024
    #: Peers not bounded in connections: the operator's proxies, whose connections carry many clients.
    unbounded: Callable[[str], bool] = lambda peer: False


class PeerBound:
    """How many connections each peer holds across the instance's workers (in their shared WorkerLoads), and
    whether it may open one more. Peers hash into buckets; str hashes are salted once per interpreter, and the
    workers fork from one, so every worker puts a peer in the same bucket, and no client can aim at another's."""

    def __init__(self, loads: WorkerLoads, slot: int, bound: int) -> None:
        self.loads, self.slot, self.bound = loads, slot, bound

    def join(self, peer: str) -> bool:
        """Count one more connection from peer, unless it already holds its bound (then count nothing)."""
        bucket = hash(peer) % PEER_BUCKETS
        if self.loads.peer_connections(bucket) >= self.bound:
            return False
        self.loads.peer_connected(self.slot, bucket, 1)
        return True

    def leave(self, peer: str) -> None:
        self.loads.peer_connected(self.slot, hash(peer) % PEER_BUCKETS, -1)


class BufferedParser(RequestParser):  # type: ignore[misc]
    """gunicorn's parser over one request already read: the loop answered any "Expect: 100-continue" (the body
    is here now), so gunicorn must not answer it again."""

    class mesg_class(Request):  # type: ignore[misc]
        _policy_expect_continue = False


class BufferedConn(TConn):  # type: ignore[misc]
    """A client connection, with the request the loop is reading on it and that request's deadline."""

    def __init__(self, cfg: Any, sock: Any, client: Any, server: Any, peer: str) -> None:
        super().__init__(cfg, sock, client, server)
        self.peer = peer
        self.framing = RequestFraming(0)
        self.deadline = 0.0
        self.kept_alive = False  # a kept-alive connection's head deadline starts at its first byte
        self.handshaking = False
        self.eof = False
        self.lingering = False  # answered and half-closed: dropping what the client still sends

    def read_available(self) -> Progress:
        """Read whatever the client has sent, without waiting for more (ssl.SSLWantReadError: nothing yet)."""
        while True:
            try:
                if self.handshaking:
                    self.sock.do_handshake()
                    self.handshaking = False
                data = self.sock.recv(READ_SIZE)
            except _NOTHING_YET:
                return self.framing.progress
            self.eof = not data
            progress = self.framing.receive(data)
            if self.eof or progress in (Progress.COMPLETE, Progress.REFUSED):
                return progress


class BufferingWorker(ThreadWorker):  # type: ignore[misc]
    """gthread that buffers every request in its event loop before serving it (see the module docstring)."""

    bounds: ClientBounds = ClientBounds()
    peers: PeerBound | None = None

    def init_process(self) -> None:
        self._waiting: set[BufferedConn] = set()
        self._next_sweep = 0.0
        self._next_fd_warning = 0.0
        self._idle_capped = False  # stopping: idle connections were given STOPPING_IDLE at most
        self._tls = gunicorn_sock.ssl_context(self.cfg) if self.cfg.is_ssl else None  # once, not per connection
        super().init_process()

    def accept(self, listener: Any) -> None:
        try:
            client, address = listener.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        except OSError as error:
            if error.errno not in OUT_OF_DESCRIPTORS:
                raise
            # gthread would raise and the worker die; waiting connections would keep the listener readable, and
            # the loop spinning: pause until the next turn, when a closed connection may have freed one
            if time.monotonic() >= self._next_fd_warning:  # once in a while: each turn of the loop tries again
                self._next_fd_warning = time.monotonic() + FD_WARNING_EVERY
                self.log.warning("cannot take a connection: %s (see worker_connections and ulimit -n)", error)
            self.set_accept_enabled(False)
            return
        self.admit(client, address, listener)

    def admit(self, client: Any, address: Any, listener: Any) -> None:
        """Take a new connection: refused at once when its peer holds its bound, else read from the loop."""
        peer = str(address[0]) if isinstance(address, tuple) else str(address)
        if self.peers is not None and not self.bounds.unbounded(peer) and not self.peers.join(peer):
            _answer(client, HTTPStatus.SERVICE_UNAVAILABLE, "too many connections from your address\n")
            client.close()
            self.log.info("refused a connection from %s: it holds its bound of connections already", peer)
            return
        self.nr_conns += 1
        conn = BufferedConn(self.cfg, client, address, listener.getsockname(), peer)
        if self._tls is not None:
            conn.sock = self._tls.wrap_socket(
                client,
                server_side=True,
                do_handshake_on_connect=False,
                suppress_ragged_eofs=self.cfg.suppress_ragged_eofs,
            )
            conn.handshaking = True
        self._await_request(conn, b"")

    def _await_request(self, conn: BufferedConn, received: bytes) -> None:
        """Read conn's next request from the loop (received: its first bytes, already read)."""
        conn.framing = RequestFraming(self.bounds.max_body, received)
        conn.sock.setblocking(False)
        conn.deadline = time.monotonic() + (self._idle_timeout() if conn.kept_alive else self._head_timeout())
        if conn.framing.progress is Progress.IDLE:
            self._watch(conn, self._on_readable)
        else:
            self._progressed(conn, Progress.IDLE)

    def _watch(self, conn: BufferedConn, callback: Callable[[BufferedConn, Any], None]) -> None:
        if conn not in self._waiting:
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(callback, conn))
            self._waiting.add(conn)

    def _on_readable(self, conn: BufferedConn, _sock: Any) -> None:
        before = conn.framing.progress
        try:
            progress = conn.read_available()
        except OSError as error:  # reset, or a failed TLS handshake (ssl.SSLError is an OSError)
            self.log.debug("closing a connection from %s: %s", conn.peer, error)
            self._forget(conn)
            self._close(conn)
            return
        if conn.eof and progress is not Progress.COMPLETE:
            self._forget(conn)
            self._close(conn)  # the client went away: nothing to answer
        elif progress is not before:
            self._progressed(conn, before)

    def _progressed(self, conn: BufferedConn, before: Progress) -> None:
        """The request on conn came further: serve it, refuse it, or move its deadline."""
        progress = conn.framing.progress
        if self._settled(conn):
            return
        now = time.monotonic()
        if progress is Progress.HEAD and before is Progress.IDLE and conn.kept_alive:
            conn.deadline = now + self._head_timeout()
        elif progress is Progress.BODY and before is not Progress.BODY:
            conn.deadline = now + self._body_timeout()
            if conn.framing.expects_continue:
                _send_quietly(conn.sock, b"HTTP/1.1 100 Continue\r\n\r\n")
        self._watch(conn, self._on_readable)

    def _settled(self, conn: BufferedConn) -> bool:
        """Hand a complete request to a thread, or answer a refused one: True when either was done."""
        framing = conn.framing
        if framing.progress is Progress.COMPLETE:
            self._forget(conn)
            conn.parser = BufferedParser(self.cfg, [framing.request], conn.client)
            conn.initialized = conn.data_ready = True  # gthread's handle() then neither waits nor wraps
            self.enqueue_req(conn)
            return True
        if framing.progress is Progress.REFUSED and framing.refusal is not None:
            self._forget(conn)
            self.log.info("refused a request from %s: %s", conn.peer, framing.refusal.reason)
            if framing.head is not None and framing.refusal.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
                self._refuse_unread(conn, framing.head)
            else:
                _answer(conn.sock, HTTPStatus(framing.refusal.status), framing.refusal.reason + "\n")
            self._linger(conn)
            return True
        return False

    def _refuse_unread(self, conn: BufferedConn, head: h11.Request) -> None:
        """A body too large to read, refused by the application itself, as it refuses every other request: a
        SOAP client gets a fault in its version, a JSON client problem details, and the refusal is logged and
        counted like any other. The application sees the head and an empty body, marked refused (REFUSED_UNREAD);
        the exact reason is in this worker's log line."""
        environ = _environ(head, conn, "https" if self._tls is not None else "http")
        environ[REFUSED_UNREAD] = True
        started: list[tuple[str, list[tuple[str, str]]]] = []
        body = b"".join(self.wsgi(environ, lambda status, headers, exc_info=None: started.append((status, headers))))
        status, headers = started[0]
        lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers), "Connection: close"]
        _send_quietly(conn.sock, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def finish_request(self, conn: BufferedConn, fs: Any) -> None:
        """A thread answered conn's request: read its next one (it may have begun already), or close it."""
        try:
            kept = fs.result() is True if not fs.cancelled() else False
        except Exception:
            kept = False
        if kept:
            conn.kept_alive = True
            self._await_request(conn, conn.framing.rest)
        else:
            self._linger(conn)

    def handle_request(self, req: Any, conn: BufferedConn) -> bool:
        conn.sock.settimeout(self._body_timeout())  # a client that does not read its answer lets go in time
        try:
            kept: bool = super().handle_request(req, conn)
        except TimeoutError:
            self.log.debug("closing a connection from %s: it did not read its answer", conn.peer)
            return False
        return kept

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        super().wait_for_and_dispatch_events(min(timeout, SWEEP) if self._waiting else timeout)
        now = time.monotonic()
        if not self.alive and not self._idle_capped:
            self._idle_capped = True
            for conn in self._waiting:  # answered with Connection: close if a request comes in the meantime
                if not conn.lingering and conn.framing.progress is Progress.IDLE:
                    conn.deadline = min(conn.deadline, now + STOPPING_IDLE)
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP
            for conn in [conn for conn in self._waiting if conn.deadline <= now]:
                self._expire(conn)

    def _expire(self, conn: BufferedConn) -> None:
        self._forget(conn)
        if not conn.lingering and conn.framing.progress in (Progress.HEAD, Progress.BODY):
            self.log.info("closing a connection from %s: its request took too long", conn.peer)
            _answer(conn.sock, HTTPStatus.REQUEST_TIMEOUT, "the request took too long to arrive\n")
            self._linger(conn)
        else:
            self._close(conn)

    def _linger(self, conn: BufferedConn) -> None:
        """Close conn once the client has read the answer: send FIN, then drop what it still sends until it
        closes too, for LINGER seconds at most (RFC 9112 section 9.6). Closing at once with unread bytes in the
        socket would send a reset, which can destroy the answer before the client reads it; gunicorn's own
        close_graceful does this wait blocking, which in the loop would stall every connection."""
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(conn)
            return
        conn.sock.setblocking(False)
        conn.lingering, conn.deadline = True, time.monotonic() + LINGER
        self._watch(conn, self._on_lingering)

    def _on_lingering(self, conn: BufferedConn, _sock: Any) -> None:
        try:
            for _ in range(LINGER_READS):
                if not conn.sock.recv(READ_SIZE):
                    break
            else:
                return  # more to drop: the loop calls again
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            pass
        self._forget(conn)
        self._close(conn)

    def _forget(self, conn: BufferedConn) -> None:
        """The loop stops reading conn (a thread serves it now, or it closes)."""
        if conn in self._waiting:
            self._waiting.discard(conn)
            self.poller.unregister(conn.sock)

    def _close(self, conn: BufferedConn) -> None:
        self.nr_conns -= 1
        if self.peers is not None and not self.bounds.unbounded(conn.peer):
            self.peers.leave(conn.peer)
        conn.close()  # gunicorn's util.close: never raises

    def _head_timeout(self) -> float:
        return float(self.bounds.connections.header_timeout)

    def _body_timeout(self) -> float:
        return float(self.bounds.connections.body_timeout)

    def _idle_timeout(self) -> float:
        """gunicorn's keepalive, which serve sets from SOAPBRIDGE_IDLE_TIMEOUT."""
        idle = float(self.cfg.keepalive)
        return idle if self.alive else min(idle, STOPPING_IDLE)


def _environ(head: h11.Request, conn: BufferedConn, scheme: str) -> dict[str, Any]:
    """The WSGI environ of a request whose body will not be read: its head, and an empty input."""
    path, _, query = head.target.decode("latin-1").partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": head.method.decode("latin-1"),
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/" + head.http_version.decode("latin-1"),
        "REMOTE_ADDR": conn.peer,
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(),
    }
    for name, value in head.headers:
        key = name.decode("latin-1").upper().replace("-", "_")
        key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"
        environ[key] = value.decode("latin-1")
    return environ


def _answer(sock: Any, status: HTTPStatus, text: str) -> None:
    """A whole short answer, written without waiting: a client that does not read it just misses it."""
    body = text.encode()
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    _send_quietly(sock, head.encode() + body)


def _send_quietly(sock: Any, data: bytes) -> None:
    try:
        sock.setblocking(False)
        sock.send(data)
    except (OSError, ValueError):  # gone, full, or a TLS connection not shaken hands with yet
        pass
