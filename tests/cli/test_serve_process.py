"""`soapbridge serve --workers 2` as a process: its workers share connections evenly, gunicorn opens no control
socket, and no header from any peer makes gunicorn change the scheme the gateway sees.

The gateway runs without emulators (nothing here calls a legacy system): the systems' URLs point at a port
nobody listens on.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from soapbridge.config import endpoint_variable
from soapbridge.legacy import SYSTEMS
from tests.running import RunningGateway, free_port, start_gateway, stop_gateway
from tests.telemetry.scrape import Scrape, scrape

#: Concurrent keep-alive connections, and the requests each makes: the load the issue measured (85 of 100
#: connections with one worker, the other idle).
CONNECTIONS = 100
REQUESTS_EACH = 30
#: The share of the requests each of two workers must answer.
BAND = (0.35, 0.65)
WORKER_REQUESTS = "soapbridge_worker_requests_total"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gateway's HOME and XDG_RUNTIME_DIR, where gunicorn would put its default control socket."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def gateway(home: Path) -> Iterator[RunningGateway]:
    nowhere = f"http://127.0.0.1:{free_port()}/"
    env = {endpoint_variable(system): nowhere for system in SYSTEMS}
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(home), SOAPBRIDGE_INSTANCE="balance")
    process, running = start_gateway(extra_env=env, extra_args=["--no-emulators"])
    try:
        both_workers_serving(running.base)
        yield running
    finally:
        assert stop_gateway(process) == 0


def both_workers_serving(base: str) -> None:
    """Wait until both workers have started: serve says it listens before gunicorn forks them, and a burst
    that comes before the second worker exists all goes to the first."""
    deadline = time.monotonic() + 30
    while len(worker_requests(scrape(base), "soapbridge_worker_connections")) < 2:
        assert time.monotonic() < deadline, "the second worker never started"
        time.sleep(0.1)


def worker_requests(metrics: Scrape, name: str = WORKER_REQUESTS) -> dict[str, float]:
    return {dict(labels)["worker"]: value for (sample, labels), value in metrics.samples.items() if sample == name}


def keep_alive_load(base: str) -> None:
    """CONNECTIONS keep-alive connections opened at once, each making REQUESTS_EACH requests one after another,
    as a load generator such as wrk does (one thread, non-blocking sockets); every answer must be 200."""
    host, port = base.removeprefix("http://").split(":")
    statuses = asyncio.run(_load(host, int(port)))
    assert statuses == {200}, statuses


async def _load(host: str, port: int) -> set[int]:
    return set().union(*await asyncio.gather(*(_connection(host, port) for _ in range(CONNECTIONS))))


async def _connection(host: str, port: int) -> set[int]:
    reader, writer = await asyncio.open_connection(host, port)
    statuses = set()
    for _ in range(REQUESTS_EACH):
        writer.write(f"GET /healthz HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        statuses.add(int(head.split()[1]))
        length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
        await reader.readexactly(int(length.group(1)) if length else 0)
    writer.close()
    await writer.wait_closed()
    return statuses


def test_two_workers_share_100_keep_alive_connections_evenly(gateway: RunningGateway) -> None:
    before = worker_requests(scrape(gateway.base))
    keep_alive_load(gateway.base)
    after = worker_requests(scrape(gateway.base))
    answered = {worker: after[worker] - before.get(worker, 0) for worker in after}
    total = sum(answered.values())
    assert total >= CONNECTIONS * REQUESTS_EACH
    shares = {worker: count / total for worker, count in answered.items() if count}
    assert len(shares) == 2, f"one worker answered everything: {answered}"
    assert all(BAND[0] <= share <= BAND[1] for share in shares.values()), f"uneven shares: {shares}"


def test_gunicorn_opens_no_control_socket(gateway: RunningGateway, home: Path) -> None:
    assert requests.get(f"{gateway.base}/healthz", timeout=10).status_code == 200
    assert not [path for path in home.rglob("*") if path.is_socket() or path.name.endswith(".ctl")]


def test_x_forwarded_proto_from_loopback_does_not_make_the_wsdl_https(gateway: RunningGateway) -> None:
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"}
    wsdl = requests.get(f"{gateway.base}/soap11?wsdl", headers=headers, timeout=10)
    assert wsdl.status_code == 200
    assert f'location="{gateway.base}/soap11"' in wsdl.text
    assert "https://" not in wsdl.text
