"""`soapbridge legacy` as a process: the admin line, loopback-only admin, and a graceful stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
import requests

from tests.conftest import ROOT
from tests.emulator_admin import EmulatorAdmin
from tests.legacy.test_faults import INVOICES, post

#: Bounds a stop by; far above what a stop takes, so that only a stop that waits for nothing fails.
STOP_TIMEOUT = 20


@dataclass
class Legacy:
    process: subprocess.Popen[str]
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def admin(self) -> EmulatorAdmin:
        return EmulatorAdmin(self.urls["admin"])


@contextmanager
def legacy(*args: str, stdin: int | None = None) -> Iterator[Legacy]:
    """`python -m soapbridge legacy` until it says ready; afterwards, it must be gone."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
    env["SOAPBRIDGE_GRACE_PERIOD"] = "10"
    command: Sequence[str] = [sys.executable, "-m", "soapbridge", "legacy", "--systems", "billing,weather", *args]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=stdin, stdout=subprocess.PIPE, text=True)
    running = Legacy(process)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.strip() == "ready":
                break
            name, url = line.split()[:2]
            running.urls[name] = url
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for_calls(admin: EmulatorAdmin, system: str, count: int) -> None:
    """Until count requests reached system (they are then in flight)."""
    deadline = time.monotonic() + 10
    while admin.calls(system) < count:
        assert time.monotonic() < deadline, f"{system} never got {count} calls"
        time.sleep(0.02)


def test_it_prints_the_admin_url_on_loopback_whatever_the_host() -> None:
    with legacy("--host", "127.0.0.2") as running:
        assert running.urls["billing"].startswith("http://127.0.0.2:")
        assert running.urls["admin"].startswith("http://127.0.0.1:")
        assert running.admin.status("billing")["calls"] == 0
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(STOP_TIMEOUT) == 0


def test_sigterm_lets_a_slow_request_finish_ends_a_hanging_one_and_exits_0(http: requests.Session) -> None:
    with legacy() as running, ThreadPoolExecutor(2) as pool:
        admin = running.admin
        admin.set_fault("billing", "slow", delay_ms=1500)
        admin.set_fault("weather", "hang")
        slow: Future[requests.Response] = pool.submit(post, http, running.urls["billing"], INVOICES, 30)
        hanging: Future[requests.Response] = pool.submit(post, http, running.urls["weather"], INVOICES, 30)
        wait_for_calls(admin, "billing", 1)
        wait_for_calls(admin, "weather", 1)
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(STOP_TIMEOUT) == 0
        response = slow.result()
        assert response.status_code == 200
        assert response.content.rstrip().endswith(b"</soapenv:Envelope>")
        with pytest.raises(requests.ConnectionError):
            hanging.result()  # closed without an answer, not left for the client's timeout


def test_under_serve_sigint_is_ignored_and_closing_stdin_stops_it(http: requests.Session) -> None:
    with legacy("--watch-stdin", stdin=subprocess.PIPE) as running, ThreadPoolExecutor(1) as pool:
        running.admin.set_fault("billing", "slow", delay_ms=1000)
        slow = pool.submit(post, http, running.urls["billing"], INVOICES, 30)
        wait_for_calls(running.admin, "billing", 1)
        running.process.send_signal(signal.SIGINT)  # Ctrl-C: the gateway drains first, then closes our stdin
        assert slow.result().status_code == 200
        running.admin.clear("billing")
        assert post(http, running.urls["billing"]).status_code == 200  # still accepting
        assert running.process.stdin is not None
        running.process.stdin.close()
        assert running.process.wait(STOP_TIMEOUT) == 0
