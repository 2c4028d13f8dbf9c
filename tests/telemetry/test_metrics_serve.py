"""GET /metrics of a real `soapbridge serve --workers 2`: figures add up across the workers, whichever answers.

The gateway runs on a copy of the project whose runtime folder the test names, so it can see each
worker's file in metrics/<instance>/ (the evidence that both workers counted), and whose weather breaker
opens after 3 failures and stays open for a minute. A second instance then shares the runtime folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from soapbridge.config import endpoint_variable
from soapbridge.namespaces import CANONICAL
from tests.conftest import ROOT
from tests.emulator_admin import EmulatorAdmin
from tests.resilience.conftest import shorten
from tests.running import RunningGateway, start_gateway, stop_gateway
from tests.telemetry.scrape import Scrape, scrape, soap

FORECAST = f'<GetForecast xmlns="{CANONICAL}"><stationId>EGLL</stationId><days>1</days></GetForecast>'
#: Calls sent at once, in rounds, until both workers have counted some.
ROUND = 16
MAX_ROUNDS = 20
REQUESTS, UPSTREAM = "soapbridge_requests_total", "soapbridge_upstream_calls_total"
RETRIES, BREAKER = "soapbridge_upstream_retries_total", "soapbridge_upstream_breaker_state"
#: The instance under test, and another whose figures share its runtime folder.
NAME, OTHER = "gw-a", "gw-b"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runtime")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def gateway(home: Path, runtime: Path) -> Iterator[RunningGateway]:
    for folder in ("adapters", "wsdl", "xslt"):  # copies: the project refuses files that resolve outside it
        shutil.copytree(ROOT / folder, home / folder)
    shutil.copy(ROOT / "clients.toml", home / "clients.toml")
    for name in (NAME, OTHER):  # an earlier run's figures, which must not count, and another instance's
        stale = runtime / "metrics" / name / "counter_1.db"
        stale.parent.mkdir(parents=True)
        stale.write_bytes(b"not a metrics file")
    shorten(
        home,
        "weather",
        retry={"backoff": 0.01, "max_backoff": 0.02},
        breaker={"failures": 3, "cooldown": 60.0, "max_cooldown": 60.0},
    )
    env = {"SOAPBRIDGE_HOME": str(home), "SOAPBRIDGE_RUNTIME_DIR": str(runtime), "SOAPBRIDGE_INSTANCE": NAME}
    process, running = start_gateway(extra_env=env)
    try:
        yield running
    finally:
        stop_gateway(process)


def counting_workers(runtime: Path) -> set[str]:
    """The pids whose counter files are in the shared folder."""
    return {path.stem.split("_")[-1] for path in (runtime / "metrics" / NAME).glob("counter_*.db")}


def forecast(base: str) -> int:
    return soap(base, "11", FORECAST, "GetForecast").status_code


def test_totals_add_up_across_workers_whichever_answers(gateway: RunningGateway, runtime: Path) -> None:
    assert not (runtime / "metrics" / NAME / "counter_1.db").exists()
    assert (runtime / "metrics" / OTHER / "counter_1.db").exists()  # not this instance's to remove
    sent = 0
    with ThreadPoolExecutor(ROUND) as pool:
        for _ in range(MAX_ROUNDS):
            assert list(pool.map(forecast, [gateway.base] * ROUND)) == [200] * ROUND
            sent += ROUND
            if len(counting_workers(runtime)) == 2:
                break
    assert len(counting_workers(runtime)) == 2, "one worker answered every call"
    for _ in range(8):  # fresh connections: each scrape may land on either worker
        metrics = scrape(gateway.base)
        assert metrics.instances == {NAME}
        assert metrics.value(REQUESTS, operation="GetForecast", protocol="soap11", outcome="ok") == sent
        assert metrics.total("soapbridge_request_duration_seconds_count", operation="GetForecast") == sent
        assert metrics.value(UPSTREAM, system="weather", operation="GetDailyForecast", outcome="ok") == sent


def test_an_open_breaker_shows_whichever_worker_answers(gateway: RunningGateway) -> None:
    admin = EmulatorAdmin(gateway.admin)
    before = scrape(gateway.base)
    assert before.value(BREAKER, system="weather") == 0
    admin.zero("weather")
    admin.set_fault("weather", "down")
    try:
        assert forecast(gateway.base) == 500  # three tries of 503: the third failure in a row opens it
        reached = admin.calls("weather")
    finally:
        admin.clear("weather")
    assert reached == 3
    for _ in range(6):
        metrics = scrape(gateway.base)
        assert metrics.value(BREAKER, system="weather") == 1
        calls = metrics.value(UPSTREAM, system="weather", operation="GetDailyForecast", outcome="unavailable")
        assert calls == reached  # every try that reached weather, whichever worker made it
        assert metrics.value(RETRIES, system="weather", operation="GetDailyForecast") == 2
        labels = {"operation": "GetForecast", "protocol": "soap11", "outcome": "server_fault"}
        assert metrics.value(REQUESTS, **labels) - before.value(REQUESTS, **labels) == 1


def test_instances_sharing_a_runtime_folder_keep_their_own_metrics(
    gateway: RunningGateway, home: Path, runtime: Path
) -> None:
    before = scrape(gateway.base)
    ours = sorted((runtime / "metrics" / NAME).iterdir())
    env = {endpoint_variable(system): url for system, url in gateway.emulators.items()}
    env.update(SOAPBRIDGE_HOME=str(home), SOAPBRIDGE_RUNTIME_DIR=str(runtime))
    secrets = ("_USERNAME", "_PASSWORD", "_LICENCE")  # the ones its emulators have: serve checks them first
    env.update({name: value for name, value in gateway.env.items() if name.endswith(secrets)})
    same_name = subprocess.run(
        [sys.executable, "-m", "soapbridge", "serve", "--port", "0", "--no-emulators"],
        env={**_without_ours(), **env, "SOAPBRIDGE_INSTANCE": NAME},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert same_name.returncode == 1
    assert same_name.stderr.splitlines() == [
        f"soapbridge: SOAPBRIDGE_INSTANCE: an instance named {NAME!r} already runs with the runtime folder"
        f" {runtime}; give each instance its own name"
    ]
    process, second = start_gateway(extra_env=env, extra_args=["--no-emulators"])  # named after its host and port
    try:
        assert forecast(second.base) == 200
        name = f"{socket.gethostname()}:{second.base.rsplit(':', 1)[1]}"
        assert scrape(second.base).instances == {name}
        assert any((runtime / "metrics" / name).glob("counter_*.db"))
    finally:
        assert stop_gateway(process) == 0
    assert sorted((runtime / "metrics" / NAME).iterdir()) == ours
    assert counted(scrape(gateway.base)) == counted(before)


def counted(metrics: Scrape) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """The figures of operation calls and legacy tries (the workers' own count every request, scrapes too)."""
    return {key: value for key, value in metrics.samples.items() if not key[0].startswith("soapbridge_worker_")}


def _without_ours() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
