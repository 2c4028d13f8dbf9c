"""A normal client's latency while slow clients try to hold the gateway: 200 connections dribbling a request's
head a byte a second and 200 POSTs dribbling their body, from many loopback addresses (as a botnet would come
from many peers), against the 2-worker gateway.

Everything stays on loopback, the flood is bounded in count and time, and it stops by itself: every socket it
opened is closed when the measurement ends. Each connection the gateway closes is opened again, so the flood
keeps its strength for the whole window, and the count of those closings shows the gateway's timeouts at work.
"""

from __future__ import annotations

import contextlib
import http.client
import selectors
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .scenarios import Scenario

#: The issue's flood: slow heads and slow bodies held open at once.
SLOW_HEADS = 200
SLOW_BODIES = 200
#: Connections per loopback source address (127.0.0.2, .3, ...): under the gateway's bound per peer, so the
#: flood is held off by the timeouts, not by that bound.
PER_SOURCE = 20
#: Seconds a flood connection may take to connect before it counts as refused.
CONNECT_TIMEOUT = 2.0
#: Seconds the flood runs before the normal clients' window: every slow connection is open by then.
SETTLE = 2.0
#: The shortest measured window: long enough for a few normal requests even under a --quick run.
SHORTEST_WINDOW = 3.0
#: The normal clients: threads each posting on one keep-alive connection, one request after another.
NORMAL_CLIENTS = 4
#: A normal request unanswered after this long counts as this long (and as an error).
REQUEST_TIMEOUT = 10.0
#: The issue's target for a normal client's p99 during the flood, in ms.
P99_TARGET_MS = 1000.0
#: A head that never ends: dribbled a byte a second, it would take minutes to complete.
SLOW_HEAD = b"POST /soap11 HTTP/1.1\r\nHost: bench\r\nContent-Type: text/xml\r\n" + b"X-Slow: " + b"a" * 4000
SLOW_BODY_LENGTH = 100_000


@dataclass
class _Slow:
    """One flood connection: what it still has to send, a byte per tick."""

    sock: socket.socket
    pending: bytes


@dataclass
class Flood:
    """Slow connections to host:port, held and renewed by one thread until stop()."""

    host: str
    port: int
    heads: int = SLOW_HEADS
    bodies: int = SLOW_BODIES
    closed_by_gateway: int = 0
    refused: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _open: dict[int, _Slow] = field(default_factory=dict)

    def run(self) -> None:
        """Open every connection, then send each a byte a second, reopening what the gateway closes."""
        selector = selectors.DefaultSelector()
        try:
            for index in range(self.heads + self.bodies):
                self._connect(selector, index)
            while not self._stop.wait(1.0):
                self._tick(selector)
        finally:
            for slow in self._open.values():
                slow.sock.close()
            selector.close()

    def stop(self) -> None:
        self._stop.set()

    @property
    def holding(self) -> int:
        return len(self._open)

    def _connect(self, selector: selectors.BaseSelector, index: int) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((f"127.0.0.{2 + index // PER_SOURCE}", 0))
        sock.settimeout(CONNECT_TIMEOUT)
        try:
            sock.connect((self.host, self.port))
            sock.setblocking(False)
            first, rest = self._request(index)
            sock.send(first)
        except OSError:
            self.refused += 1
            sock.close()
            return
        self._open[index] = _Slow(sock, rest)
        selector.register(sock, selectors.EVENT_READ, index)

    def _request(self, index: int) -> tuple[bytes, bytes]:
        """What a connection sends at once, and what it dribbles."""
        if index < self.heads:
            return SLOW_HEAD[:1], SLOW_HEAD[1:]
        head = f"POST /soap11 HTTP/1.1\r\nHost: bench\r\nContent-Length: {SLOW_BODY_LENGTH}\r\n\r\n".encode()
        return head, b"<" * SLOW_BODY_LENGTH

    def _tick(self, selector: selectors.BaseSelector) -> None:
        for key, _ in selector.select(0):  # readable: an answer (408, 413...) or the gateway's close
            self._renew(selector, key.data)
        for index, slow in list(self._open.items()):
            try:
                slow.sock.send(slow.pending[:1])
                slow.pending = slow.pending[1:]
            except OSError:
                self._renew(selector, index)

    def _renew(self, selector: selectors.BaseSelector, index: int) -> None:
        slow = self._open.pop(index, None)
        if slow is None:
            return
        selector.unregister(slow.sock)
        slow.sock.close()
        self.closed_by_gateway += 1
        self._connect(selector, index)


@contextlib.contextmanager
def flooding(url: str, heads: int = SLOW_HEADS, bodies: int = SLOW_BODIES) -> Iterator[Flood]:
    """The flood against url's host and port for the length of the block; every socket closed after it."""
    parts = urlsplit(url)
    flood = Flood(parts.hostname or "127.0.0.1", parts.port or 80, heads, bodies)
    thread = threading.Thread(target=flood.run, name="flood", daemon=True)
    thread.start()
    try:
        yield flood
    finally:
        flood.stop()
        thread.join(timeout=10)


def normal_latencies(url: str, scenario: Scenario, seconds: float) -> tuple[list[float], int]:
    """NORMAL_CLIENTS threads posting scenario for `seconds`: every request's latency in ms, and the errors."""
    latencies: list[float] = []
    errors = [0]
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_post_until, args=(url, scenario, until, latencies, errors))
        for _ in range(NORMAL_CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


def _post_until(url: str, scenario: Scenario, until: float, latencies: list[float], errors: list[int]) -> None:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=REQUEST_TIMEOUT)
    try:
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                connection.request("POST", scenario.path, scenario.body, scenario.headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:  # timed out or reset: a new connection for the next request
                connection.close()
                ok = False
            latencies.append(1000 * (time.monotonic() - started))  # list.append is atomic: no lock needed
            if not ok:
                errors[0] += 1
    finally:
        connection.close()


def figures(latencies: list[float], errors: int, seconds: float) -> dict[str, Any]:
    """A window's requests, errors, p50 and p99 in ms (p99 of no request at all is None)."""
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": errors,
        "rps": round(len(ordered) / seconds, 1),
        "p50_ms": round(statistics.median(ordered), 2) if ordered else None,
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2) if ordered else None,
    }


def measure(url: str, scenario: Scenario, seconds: float) -> dict[str, Any]:
    """The normal client's figures without the flood, then with it (the flood settled in first)."""
    seconds = max(seconds, SHORTEST_WINDOW)
    quiet = figures(*normal_latencies(url, scenario, seconds), seconds)
    with flooding(url) as flood:
        time.sleep(SETTLE)
        flooded = figures(*normal_latencies(url, scenario, seconds), seconds)
        held = flood.holding
    return {
        "scenario": scenario.key,
        "seconds": seconds,
        "slow_heads": SLOW_HEADS,
        "slow_bodies": SLOW_BODIES,
        "without": quiet,
        "with": flooded,
        "flood_open_at_end": held,
        "flood_closed_by_gateway": flood.closed_by_gateway,
        "flood_refused": flood.refused,
    }
