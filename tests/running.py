"""A real `soapbridge serve` process (gunicorn, two workers) with the four emulators, over loopback."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import zeep

from soapbridge.legacy._server import RunningEmulator
from soapbridge.legacy._server import start as start_emulator
from soapbridge.legacy.crm import build as build_crm
from soapbridge.wsgi import serve_in_background
from tests.conftest import ROOT


@dataclass
class RunningGateway:
    base: str
    emulators: dict[str, str] = field(default_factory=dict)
    #: The emulators' admin URL (fault injection, call counts), when serve started them.
    admin: str = ""
    #: The state folder serve keeps its SQLite stores and journal in: a new one for each gateway started here.
    state: Path | None = None
    #: Everything serve printed so far: a thread keeps reading it, so a busy gateway (a log line per
    #: request) never blocks on a full pipe.
    output: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None
    #: The environment serve was started with (its secrets included: a test may call an emulator directly).
    env: dict[str, str] = field(default_factory=dict)

    def all_output(self, timeout: float = 10.0) -> str:
        """Everything serve printed, to its end: call it once serve has exited."""
        if self.reader is not None:
            self.reader.join(timeout)
        return "".join(self.output)

    def client(self, version: str) -> zeep.Client:
        return zeep.Client(f"{self.base}/soap{version}?wsdl")


def start_gateway(
    python: str = sys.executable,
    extra_env: dict[str, str] | None = None,
    extra_args: Sequence[str] = (),
    cwd: Path = ROOT,
) -> tuple[subprocess.Popen[str], RunningGateway]:
    """Start `python -m soapbridge serve --port 0` (plus extra_args) in cwd (the project folder) and wait until it
    says where it listens; from then on a thread reads its output into RunningGateway.output. Unless extra_env
    names one, the gateway gets a new state folder (removed with the process object): no idempotency key or nonce
    reaches it from another test or an earlier run."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
    state = Path(tempfile.mkdtemp(prefix="soapbridge-test-state-"))
    env.update(
        {
            "SOAPBRIDGE_CRM_USERNAME": "gateway",
            "SOAPBRIDGE_CRM_PASSWORD": secrets.token_urlsafe(16),
            "SOAPBRIDGE_MAILING_USERNAME": "gateway",
            "SOAPBRIDGE_MAILING_PASSWORD": secrets.token_urlsafe(16),
            "SOAPBRIDGE_EHR_USERNAME": "gateway",
            "SOAPBRIDGE_EHR_PASSWORD": secrets.token_urlsafe(16),
            "SOAPBRIDGE_WEATHER_LICENCE": secrets.token_urlsafe(16),
            "SOAPBRIDGE_AUTH": "off",  # these clients call without credentials; tests/security turns it back on
            "SOAPBRIDGE_FLOWS": "off",  # the checkout's flows would call the emulators too; tests/flows turns them on
            "SOAPBRIDGE_STATE_DIR": str(state),
            **(extra_env or {}),
        }
    )
    process = subprocess.Popen(
        [python, "-m", "soapbridge", "serve", "--port", "0", "--workers", "2", *extra_args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    weakref.finalize(process, shutil.rmtree, state, True)
    gateway = RunningGateway(base="", state=Path(env["SOAPBRIDGE_STATE_DIR"]), env=env)
    assert process.stdout is not None
    for line in process.stdout:
        gateway.output.append(line)
        if match := re.match(r"emulated (\w+)\s+(\S+)", line):
            gateway.emulators[match.group(1)] = match.group(2)
        if match := re.match(r"emulators admin (\S+)", line):
            gateway.admin = match.group(1)
        if match := re.match(r"soapbridge listening on (\S+)", line):
            gateway.base = match.group(1)
            gateway.reader = threading.Thread(target=gateway.output.extend, args=(process.stdout,), daemon=True)
            gateway.reader.start()
            return process, gateway
    stop_gateway(process)
    raise AssertionError("the gateway did not start:\n" + "".join(gateway.output))


def stop_gateway(process: subprocess.Popen[str]) -> int:
    """SIGTERM, as an operator would; the whole process group must be gone afterwards."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        stacks = _stacks(process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise AssertionError(f"the gateway did not stop within 30 s of SIGTERM; its processes:\n{stacks}") from None
    return code


def _stacks(group: int) -> str:
    """Each process of the group and, where py-spy (the bench extra) is installed, its threads' stacks: what a
    gateway that does not stop is waiting for."""
    pids = subprocess.run(["pgrep", "-g", str(group)], capture_output=True, text=True).stdout.split()
    spy = shutil.which("py-spy", path=os.path.dirname(sys.executable)) or shutil.which("py-spy")
    found = []
    for pid in pids:
        command = [spy, "dump", "--pid", pid] if spy else ["ps", "-o", "pid,stat,etime,args", "-p", pid]
        try:
            found.append(subprocess.run(command, capture_output=True, text=True, timeout=15).stdout)
        except subprocess.TimeoutExpired:
            found.append(f"{pid}: no answer from {command[0]}")
    return "\n".join(found)


@contextmanager
def running_gateway() -> Iterator[RunningGateway]:
    """A gateway for the length of the block; it must exit cleanly and leave no process behind."""
    process, running = start_gateway()
    try:
        yield running
    finally:
        code = stop_gateway(process)
        leftover = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
        assert code == 0, f"serve exited {code}"
        assert not leftover, f"processes left behind: {leftover}"


@contextmanager
def emulated_crm(account: dict[str, str]) -> Iterator[RunningEmulator]:
    """The emulated CRM on a free loopback port, expecting account's WS-Security user and password, for the block."""
    emulator = start_emulator(build_crm(ROOT / "wsdl", account))
    try:
        yield emulator
    finally:
        emulator.stop()


@contextmanager
def serving(app: object, name: str = "test-app") -> Iterator[str]:
    """A WSGI app served from a thread on a free loopback port for the length of the block; yields its base URL."""
    with serve_in_background(app, "127.0.0.1", 0, name) as served:
        yield served.url


def free_port() -> int:
    """A loopback port nobody listens on (for a server to take, or for a client to be refused by)."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def accepting(handle: Callable[[socket.socket, str], None]) -> Iterator[int]:
    """A loopback TCP port for the length of the block; each connection goes to handle(connection, peer),
    called on the accepting thread. Yields the port."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, peer = server.accept()
            except TimeoutError:
                continue
            handle(connection, str(peer))

    thread = threading.Thread(target=accept, name="accepting", daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()
