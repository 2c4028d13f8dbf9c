"""A real redis-server on a loopback port, for the Redis stores (idempotency keys, nonces); SQLite needs nothing.

By default it keeps nothing on disk, so a restart comes back empty; durable=True keeps an append-only file
flushed every second (appendfsync everysec) and never evicts, as the README asks of a production server.
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
    server = RedisServer(folder, port, durable=durable, extra=extra)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


class RedisServer:
    """A redis-server that a test may stop and start again on the same port, as an operator's restart would."""

    def __init__(
        self, folder: Path, port: int | None = None, *, durable: bool = False, extra: Sequence[str] = ()
    ) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail(
                "redis-server is missing: install the Debian package redis-server (scripts/system-packages.txt)"
            )
        self.port = port or free_port()
        persistence = DURABLE if durable else EPHEMERAL
        self.command = [binary, "--bind", "127.0.0.1", "--port", str(self.port), *persistence, "--dir", str(folder)]
        self.command += extra
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(self.url, self.process)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


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
