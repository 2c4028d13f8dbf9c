"""What every security test module shares: a running `soapbridge serve`, a canary file, a loopback listener."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.running import RunningGateway, start_gateway, stop_gateway
from tests.security.contentsafety import Listener, listening


@dataclass
class Served:
    """A running gateway and everything it has printed since it started (its log included)."""

    running: RunningGateway
    output: list[str]

    @property
    def base(self) -> str:
        return self.running.base


@pytest.fixture(scope="session")
def served() -> Iterator[Served]:
    """`soapbridge serve` (gunicorn, two workers) as tests/running.py starts it, its output drained so that
    logging never blocks it on a full pipe, and kept so that tests can read the log."""
    process, running = start_gateway()
    try:
        yield Served(running, running.output)
    finally:
        code = stop_gateway(process)
        running.all_output()
        leftover = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
        assert code == 0, f"serve exited {code}"
        assert not leftover, f"processes left behind: {leftover}"


@dataclass(frozen=True)
class Canary:
    """A file no request may ever read: its text must never come back in an answer."""

    path: Path
    text: str

    @property
    def url(self) -> str:
        return self.path.as_uri()


@pytest.fixture
def canary(tmp_path: Path) -> Canary:
    text = f"CANARY-{secrets.token_hex(8)}"
    path = tmp_path / "secret.txt"
    path.write_text(text)
    return Canary(path, text)


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as running:
        yield running
