"""The processes of the multi-instance topology, each on loopback, each in its own process group:
redis-server, the emulated legacy systems (`soapbridge legacy`) and `soapbridge serve`; HAProxy is in
balancer.py, and topology.py puts them together."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
import requests

from tests.conftest import ROOT
from tests.running import RunningGateway, free_port, start_gateway, stop_gateway

#: The Redis settings compose.yaml gives its server: keys survive a restart, and none is evicted.
REDIS_SETTINGS = ("--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction")
#: Seconds a stopping instance may drain (compose.yaml: SOAPBRIDGE_GRACE_PERIOD).
GRACE_PERIOD = 10


def fail_unless_installed(binary: str, package: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.fail(f"{binary} is missing: install the Debian package {package} (scripts/system-packages.txt)")
    return path


def wait_until(condition: Callable[[], bool], timeout: float, what: str, step: float = 0.02) -> float:
    """Poll condition until it holds; return the seconds it took, or fail naming what did not happen."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what} did not happen within {timeout:g} s")
        time.sleep(step)
    return time.monotonic() - start


def stop_group(process: subprocess.Popen[bytes] | subprocess.Popen[str], sig: int = signal.SIGTERM) -> int:
    """Signal a process started with start_new_session, wait, and check that nothing of its group is left."""
    if process.poll() is None:
        process.send_signal(sig)
    try:
        code = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise AssertionError(f"{process.args!r} did not stop within 30 s") from None
    assert_group_gone(process.pid)
    return code


def assert_group_gone(pid: int) -> None:
    leftover: list[str] = []
    for _ in range(50):  # a killed group's children may take a moment to be reaped by init
        leftover = subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True).stdout.split()
        if not leftover:
            return
        time.sleep(0.1)
    raise AssertionError(f"processes left behind by group {pid}: {leftover}")


@dataclass
class Redis:
    """A redis-server on a fixed loopback port, so that it can be stopped and started again at the same URL."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = fail_unless_installed("redis-server", "redis-server")
        command = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder), *REDIS_SETTINGS]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        wait_until(lambda: self._answers(client), 10, "redis-server answering PING", step=0.05)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None:
            stop_group(self.process, sig)
            self.process = None

    def forget_everything(self) -> None:
        """What a server that lost its disk would have: no keys at all (call while it is stopped)."""
        assert self.process is None
        shutil.rmtree(self.folder)
        self.folder.mkdir()

    def _answers(self, client: redis.Redis) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"redis-server exited with {self.process.returncode} before it was ready")
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False


@dataclass
class Emulators:
    """`soapbridge legacy`: the four legacy systems and their admin endpoint, with the credentials the gateways use."""

    credentials: dict[str, str]
    urls: dict[str, str] = field(default_factory=dict)
    admin: str = ""
    process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
        env.update(self.credentials)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "soapbridge", "legacy"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            words = line.split()
            if words == ["ready"]:
                threading.Thread(target=self.process.stdout.read, daemon=True).start()
                return
            if len(words) >= 2 and words[0] == "admin":
                self.admin = words[1]
            elif len(words) >= 2 and words[1].startswith("http://"):
                self.urls[words[0]] = words[1]
        raise AssertionError(f"soapbridge legacy exited with {self.process.wait()} before it was ready")

    def stop(self) -> None:
        if self.process is not None:
            assert stop_group(self.process) == 0
            self.process = None


@dataclass
class Gateway:
    """One `soapbridge serve --no-emulators` on a fixed loopback port (HAProxy's config names it), which it
    takes again when started anew."""

    name: str
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    running: RunningGateway | None = None
    #: The output of this gateway's earlier runs (it is started again by the restart tests).
    earlier_output: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        arguments = ["--no-emulators", "--port", str(self.port)]
        self.process, self.running = start_gateway(extra_env=self.env, extra_args=arguments)

    def stop(self) -> int:
        """SIGTERM, as an orchestrator stops an instance; returns serve's exit code."""
        assert self.process is not None and self.running is not None
        code = stop_gateway(self.process)
        assert_group_gone(self.process.pid)
        self._forget()
        return code

    def kill(self) -> int:
        """SIGKILL to the whole process group, as when a machine or a container dies; returns the group's id,
        for assert_group_gone once the timing that matters has been measured."""
        assert self.process is not None
        group = self.process.pid
        os.killpg(group, signal.SIGKILL)
        self.process.wait()
        self._forget()
        return group

    def output(self) -> str:
        """Everything this gateway printed, over all its runs so far."""
        current = self.running.output if self.running is not None else []
        return "".join(self.earlier_output + list(current))

    def _forget(self) -> None:
        assert self.running is not None
        self.earlier_output.extend(self.running.all_output(timeout=5))
        self.process, self.running = None, None


def session() -> requests.Session:
    """A client session that goes to loopback directly, whatever proxy the environment names."""
    client = requests.Session()
    client.trust_env = False
    return client
