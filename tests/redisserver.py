"""A real redis-server on a loopback port, for the Redis stores (idempotency keys, nonces); SQLite needs nothing.

redis_server(folder) keeps nothing on disk, as a server restarted empty would; durable=True keeps an
append-only file flushed every second (appendfsync everysec) and never evicts, as the README asks.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from tests.running import free_port

EPHEMERAL = ("--save", "", "--appendonly", "no")
DURABLE = ("--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@contextmanager
def redis_server(
    folder: Path, port: int | None = None, *, durable: bool = False, extra: Sequence[str] = ()
) -> Iterator[str]:
    """A redis-server on port (a free one by default) for the length of the block; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: install the Debian package redis-server (scripts/system-packages.txt)")
    port = port or free_port()
    persistence = DURABLE if durable else EPHEMERAL
    command = [binary, "--bind", "127.0.0.1", "--port", str(port), *persistence, "--dir", str(folder), *extra]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_for(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    for _ in range(100):
        if server.poll() is not None:
            pytest.fail(f"redis-server exited with {server.returncode} before it was ready")
        try:
            client.ping()
            return
        except redis.ConnectionError:
            time.sleep(0.05)
    pytest.fail("redis-server did not answer within 5 s")
