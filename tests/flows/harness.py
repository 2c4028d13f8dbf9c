"""Flows under test, with real processes: a project folder, the emulators, and `soapbridge flows worker`s.

Flow(tmp_path) copies the checkout's adapters, WSDLs and stylesheets into a new project folder with the test
flows in tests/flows/project, starts `soapbridge legacy` (crm, billing, mailing) on loopback ports, and gives
the environment every process of the test shares: one state folder (the SQLite ledger, queue and keys) or a
Redis server. Every process started here is killed and reaped when the block ends.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from soapbridge.legacy import SYSTEMS as LEGACY_SYSTEMS
from tests.conftest import ROOT
from tests.emulator_admin import EmulatorAdmin

HERE = Path(__file__).resolve().parent / "project"
#: Every emulated system the flows may use (the weather feed is none of theirs).
SYSTEMS = tuple(name for name in LEGACY_SYSTEMS if name != "weather")


def make_project(folder: Path, flows: dict[str, str]) -> Path:
    """A project in folder: the checkout's adapters, WSDLs and stylesheets, and flows {name: test flow file};
    a test flow file "" takes the checkout's own flow of that name."""
    project = folder / "project"
    for part in ("adapters", "wsdl", "xslt"):
        shutil.copytree(ROOT / part, project / part)
    shutil.copy(ROOT / "clients.toml", project / "clients.toml")
    (project / "flows").mkdir()
    for name, source in flows.items():
        if not source:
            shutil.copy(ROOT / "flows" / f"{name}.toml", project / "flows" / f"{name}.toml")
            continue
        shutil.copy(HERE / f"{source}.toml", project / "flows" / f"{name}.toml")
        (project / "xslt" / "flows" / name).mkdir(parents=True)
        shutil.copy(HERE / f"{source}.xsl", project / "xslt" / "flows" / name / "item.xsl")
    return project


class Flows:
    """The environment of one test's flow processes, and the processes it started."""

    def __init__(self, project: Path, state: Path, store: str | None = None) -> None:
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
        self.env |= {
            "SOAPBRIDGE_HOME": str(project),
            "SOAPBRIDGE_STATE_DIR": str(state),
            "SOAPBRIDGE_AUTH": "off",
            "SOAPBRIDGE_LOG_FORMAT": "json",
            "SOAPBRIDGE_WEATHER_URL": "http://127.0.0.1:9/weather",
            "SOAPBRIDGE_WEATHER_LICENCE": "licence",
        }
        for system in ("CRM", "MAILING", "EHR"):
            self.env[f"SOAPBRIDGE_{system}_USERNAME"] = "gateway"
            self.env[f"SOAPBRIDGE_{system}_PASSWORD"] = secrets.token_urlsafe(12)
        if store:  # several machines: the queue, the ledger, the cross-reference and the idempotency keys shared
            self.env["SOAPBRIDGE_FLOWS_STORE"] = store
            self.env["SOAPBRIDGE_IDEMPOTENCY_STORE"] = store
        self.processes: list[subprocess.Popen[str]] = []
        self.admin: EmulatorAdmin | None = None

    def start_emulators(self) -> EmulatorAdmin:
        command = [sys.executable, "-m", "soapbridge", "legacy", "--systems", ",".join(SYSTEMS), "--watch-stdin"]
        child = self._start(command, stdin=subprocess.PIPE)
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "ready":
                break
            name, url = line.split()[:2]
            if name == "admin":
                self.admin = EmulatorAdmin(url)
            else:
                self.env[f"SOAPBRIDGE_{name.upper()}_URL"] = url
        assert self.admin is not None, "the emulators did not start"
        return self.admin

    def worker(self, *options: str) -> subprocess.Popen[str]:
        """`soapbridge flows worker` with options; its output goes to a file beside the state folder."""
        log = Path(self.env["SOAPBRIDGE_STATE_DIR"]).parent / f"worker-{len(self.processes)}.log"
        command = [sys.executable, "-m", "soapbridge", "flows", "worker", *options]
        return self._start(command, output=log)

    def cli(self, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "soapbridge", "flows", *arguments]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=timeout, check=False)

    def runtime(self) -> object:
        """A FlowRuntime in this process, on the same state as the workers."""
        from soapbridge.flows.runtime import FlowRuntime
        from soapbridge.settings import Settings

        return FlowRuntime(Settings.from_env(self.env), env=self.env)

    def backdoor(self, method: str, path: str, body: dict[str, object] | None = None) -> dict[str, object]:
        """An emulator admin call behind the systems' backs (docs/flows-contract.md), e.g. PATCH
        /systems/crm/customers/1003."""
        assert self.admin is not None
        answer = self.admin.session.request(method, f"{self.admin.url}{path}", json=body, timeout=30)
        assert answer.ok, answer.text
        found: dict[str, object] = answer.json()
        return found

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def _start(self, command: list[str], stdin: int | None = None, output: Path | None = None) -> subprocess.Popen[str]:
        out = open(output, "w") if output else subprocess.PIPE  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            command,
            env=self.env,
            stdin=stdin,
            stdout=out,
            stderr=subprocess.STDOUT if output else None,
            text=True,
            start_new_session=True,
        )
        self.processes.append(process)
        return process


@contextmanager
def flows(folder: Path, tests: dict[str, str], store: str | None = None) -> Iterator[Flows]:
    running = Flows(make_project(folder, tests), folder / "state", store)
    try:
        running.start_emulators()
        yield running
    finally:
        running.stop()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
