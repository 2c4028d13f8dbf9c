"""What the resilience tests share: a loopback server that misbehaves at the socket level, and adapters to aim at it."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from soapbridge.config import AdapterConfig, load_adapter
from soapbridge.settings import Settings
from tests.conftest import CREDENTIALS
from tests.running import accepting

#: Answers one connection, after its request has been read.
Behaviour = Callable[[socket.socket], None]


def read_request(connection: socket.socket) -> bytes:
    """The whole HTTP request: its head, then Content-Length bytes of body."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")), 0
    )
    while len(body) < length:
        body += connection.recv(65536)
    return data


@contextmanager
def raw_server(behaviour: Behaviour) -> Iterator[str]:
    """A loopback port whose every connection gets behaviour once its request is in; yields its URL."""

    def serve(connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError):
            read_request(connection)
            behaviour(connection)

    def start(connection: socket.socket, peer: str) -> None:
        threading.Thread(target=serve, args=(connection,), daemon=True).start()

    with accepting(start) as port:
        yield f"http://127.0.0.1:{port}/legacy"


def shorten(project: Path, system: str, **tables: dict[str, float]) -> None:
    """Set keys of an adapter's [timeouts], [retry], [breaker] or [bulkhead] in a project copy."""
    path = project / "adapters" / f"{system}.toml"
    text = path.read_text()
    for table, values in tables.items():
        for key, value in values.items():
            start = text.index(f"[{table}]\n")
            at = text.index(f"\n{key} = ", start) + 1
            end = text.index("\n", at)
            text = text[:at] + f"{key} = {value}" + text[end:]
    path.write_text(text)


def billing(project: Path, **tables: dict[str, float]) -> AdapterConfig:
    shorten(project, "billing", **tables)
    return load_adapter(project / "adapters" / "billing.toml", Settings(root=project, env=dict(CREDENTIALS)))
