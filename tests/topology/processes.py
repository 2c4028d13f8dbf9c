"""The processes of the multi-instance topology, each on loopback, each in its own process group:
redis-server, the emulated legacy systems (`soapbridge legacy`), two `soapbridge serve` and HAProxy
running deploy/haproxy.cfg, the file compose.yaml ships."""

from __future__ import annotations

import csv
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
import requests

from tests.conftest import ROOT
from tests.running import RunningGateway, free_port, start_gateway, stop_gateway

HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"
#: The Redis settings compose.yaml gives its server: keys survive a restart, and none is evicted.
REDIS_SETTINGS = ("--appendonly", "yes", "--maxmemory-policy", "noeviction")


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
        arguments = ["--no-emulators", "--port", str(self.port), "--grace-period", "10"]
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


@dataclass
class HAProxy:
    """HAProxy running deploy/haproxy.cfg unchanged, its variables pointing at the gateways."""

    folder: Path
    gateways: list[Gateway]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_socket(self) -> Path:
        return self.folder / "admin.sock"

    @property
    def log(self) -> Path:
        return self.folder / "haproxy.log"

    def start(self) -> None:
        binary = fail_unless_installed("haproxy", "haproxy")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LB_LISTEN": f"127.0.0.1:{self.port}",
            "LB_ADMIN_SOCKET": str(self.admin_socket),
            **{f"GATEWAY_{n}": f"127.0.0.1:{gateway.port}" for n, gateway in enumerate(self.gateways, 1)},
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [binary, "-db", "-f", str(HAPROXY_CONFIG)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self.answers, 10, "HAProxy answering on its admin socket", step=0.05)

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)
            self.process = None

    def answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"haproxy exited with {self.process.returncode}:\n{self.log.read_text()}")
        try:
            self.command("show info")
        except OSError:
            return False
        return True

    def command(self, line: str) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(5)
            connection.connect(str(self.admin_socket))
            connection.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers(self) -> dict[str, dict[str, str]]:
        """`show stat` of the gateways backend, by server name: status (UP, DOWN, "UP 1/2"...), stot, ..."""
        text = self.command("show stat").lstrip("# ")
        rows = csv.DictReader(text.splitlines())
        return {row["svname"]: row for row in rows if row["pxname"] == "gateways" and row["svname"] != "BACKEND"}

    def status(self, server: str) -> str:
        return self.servers()[server]["status"]

    def routed_to(self, correlation_id: str, timeout: float = 5) -> str:
        """The server HAProxy's log says it sent request correlation_id to (the config captures the header)."""
        lines: list[str] = []

        def logged() -> bool:
            lines[:] = [line for line in self.log.read_text().splitlines() if "{" + correlation_id + "}" in line]
            return bool(lines)

        wait_until(logged, timeout, f"HAProxy logging request {correlation_id}", step=0.05)
        (line,) = lines
        backend_server = next(word for word in line.split() if word.startswith("gateways/"))
        return backend_server.split("/", 1)[1]

    def wait_for(self, server: str, status: str, timeout: float = 20) -> float:
        """Wait until HAProxy says server is status (UP or DOWN, no transition); return the seconds it took."""
        return wait_until(lambda: self.status(server) == status, timeout, f"HAProxy marking {server} {status}")


@dataclass
class Topology:
    redis: Redis
    emulators: Emulators
    gateways: list[Gateway]
    haproxy: HAProxy

    @property
    def base(self) -> str:
        """Where clients connect: HAProxy."""
        return self.haproxy.base

    def by_name(self, name: str) -> Gateway:
        (gateway,) = [gateway for gateway in self.gateways if gateway.name == name]
        return gateway

    def assert_healthy(self) -> None:
        """Every gateway running and in HAProxy's rotation: what each test starts from and leaves behind."""
        for gateway in self.gateways:
            assert gateway.process is not None and gateway.process.poll() is None, f"{gateway.name} is not running"
            self.haproxy.wait_for(gateway.name, "UP")

    def restore(self) -> None:
        """Start again whatever a failed test left stopped, so that the next test starts from a whole topology."""
        if self.redis.process is None:
            self.redis.start()
        for gateway in self.gateways:
            if gateway.process is None:
                gateway.start()
        self.assert_healthy()

    def answered_by(self, correlation_id: str, timeout: float = 5) -> str:
        """The name of the gateway whose log has the request line of correlation_id."""
        found: list[str] = []

        def logged() -> bool:
            found[:] = [g.name for g in self.gateways if f'"correlation_id": "{correlation_id}"' in g.output()]
            return bool(found)

        wait_until(logged, timeout, f"a gateway logging request {correlation_id}", step=0.05)
        assert len(found) == 1, f"request {correlation_id} logged by {found}"
        return found[0]


def upstream_credentials() -> dict[str, str]:
    """The legacy systems' credentials, shared by the emulators and the gateways (random for each run)."""
    return {
        "SOAPBRIDGE_CRM_USERNAME": "gateway",
        "SOAPBRIDGE_CRM_PASSWORD": secrets.token_urlsafe(16),
        "SOAPBRIDGE_MAILING_USERNAME": "gateway",
        "SOAPBRIDGE_MAILING_PASSWORD": secrets.token_urlsafe(16),
    }


def gateway_env(
    emulators: Emulators, redis_url: str, clients_file: Path, instance: str, extra: dict[str, str]
) -> dict[str, str]:
    """What each instance is given, as compose.yaml gives it: the legacy systems, the shared Redis, its name."""
    return {
        **emulators.credentials,
        **{f"SOAPBRIDGE_{system.upper()}_URL": url for system, url in emulators.urls.items()},
        "SOAPBRIDGE_AUTH": "on",
        "SOAPBRIDGE_CLIENTS": str(clients_file),
        "SOAPBRIDGE_IDEMPOTENCY_STORE": redis_url,
        "SOAPBRIDGE_NONCE_STORE": redis_url,
        "SOAPBRIDGE_INSTANCE": instance,
        "SOAPBRIDGE_TRUSTED_PROXIES": "127.0.0.1",
        "SOAPBRIDGE_LOG_FORMAT": "json",
        **extra,
    }


@contextmanager
def running_topology(folder: Path, clients_file: Path, extra_env: dict[str, str]) -> Iterator[Topology]:
    """Everything started in dependency order, and stopped in reverse, whatever a test left running."""
    (folder / "redis").mkdir()
    (folder / "haproxy").mkdir()
    redis_server = Redis(folder / "redis")
    emulators = Emulators(upstream_credentials())
    gateways: list[Gateway] = []
    haproxy: HAProxy | None = None
    try:
        redis_server.start()
        emulators.start()
        for name in ("gw1", "gw2"):
            gateways.append(Gateway(name, gateway_env(emulators, redis_server.url, clients_file, name, extra_env)))
            gateways[-1].start()
        haproxy = HAProxy(folder / "haproxy", gateways)
        haproxy.start()
        topology = Topology(redis_server, emulators, gateways, haproxy)
        topology.assert_healthy()
        yield topology
    finally:
        _stop_all(haproxy, gateways, emulators, redis_server)


def _stop_all(haproxy: HAProxy | None, gateways: list[Gateway], emulators: Emulators, redis_server: Redis) -> None:
    if haproxy is not None:
        haproxy.stop()
    codes = {gateway.name: gateway.stop() for gateway in gateways if gateway.process is not None}
    emulators.stop()
    redis_server.stop()
    assert set(codes.values()) <= {0}, f"serve exit codes: {codes}"


def session() -> requests.Session:
    """A client session that goes to loopback directly, whatever proxy the environment names."""
    client = requests.Session()
    client.trust_env = False
    return client
