"""The harness's child processes: each in a process group of its own, waited for until ready, stopped for sure.

Also what a gunicorn server costs: CPU time of its master and workers over a window, RSS of its workers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

#: How long a server may take to become ready, and to stop after SIGTERM before it is killed.
START_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0


class StartError(RuntimeError):
    """Raised when a child process exits or stays unready instead of starting."""


@dataclass
class Child:
    """A started process, the leader of its own process group, with its output in a log file."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def output(self, lines: int = 12) -> str:
        """The last lines of its output."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM the leader; after STOP_TIMEOUT, SIGKILL the whole group. Nothing of it is left running."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=STOP_TIMEOUT)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # stragglers: workers whose master died first
        self.process.wait()


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
        return port


def start(name: str, command: Sequence[str], env: Mapping[str, str], logs: Path, cwd: Path) -> Child:
    """Start command in a new session (so Ctrl-C reaches only the harness, which stops it), output to a log."""
    log = logs / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            list(command), env=dict(env), cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Child(name, process, log)


def python(*arguments: str) -> list[str]:
    return [sys.executable, *arguments]


def wait_until(child: Child, ready: Callable[[], bool], timeout: float = START_TIMEOUT) -> None:
    """Poll ready() until it holds; fail if the child exits first or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise StartError(f"{child.name} exited {child.process.returncode} while starting:\n{child.output()}")
        if ready():
            return
        time.sleep(0.1)
    raise StartError(f"{child.name} was not ready within {timeout:.0f} s:\n{child.output()}")


def answers(url: str, status: int | None = None) -> Callable[[], bool]:
    """A readiness check: GET url answers (with `status`, if given)."""

    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                code: int = response.status
        except urllib.error.HTTPError as error:
            code = error.code
        except OSError:
            return False
        return status is None or code == status

    return check


def line_in_log(child: Child, prefix: str) -> Callable[[], str]:
    """The rest of the first log line starting with prefix, or '' while there is none."""

    def find() -> str:
        for line in child.log.read_text(errors="replace").splitlines():
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
        return ""

    return find


def server_processes(child: Child) -> list[psutil.Process]:
    """The gunicorn master and its workers (the master is the child itself, or its only descendant's parent)."""
    master = psutil.Process(child.process.pid)
    return [master, *master.children(recursive=True)]


def workers(child: Child) -> list[psutil.Process]:
    return psutil.Process(child.process.pid).children(recursive=True)


class CpuWindow:
    """CPU time (user + system) of a server's processes between start() and stop(), as % of one core."""

    def __init__(self, child: Child) -> None:
        self.processes = server_processes(child)
        self.before = self._cpu()
        self.started = time.monotonic()

    def _cpu(self) -> dict[int, float]:
        seconds = {}
        for process in self.processes:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                seconds[process.pid] = times.user + times.system
        return seconds

    def used(self) -> float:
        """CPU seconds (user + system) its processes spent since start, summed over the process tree."""
        after = self._cpu()
        return sum(after[pid] - self.before.get(pid, 0.0) for pid in after)

    def percent(self, used: float | None = None) -> float:
        wall = time.monotonic() - self.started
        spent = self.used() if used is None else used
        return 100 * spent / wall if wall else 0.0


def max_worker_rss_mb(child: Child) -> float:
    """The largest resident set of the server's workers, in MB (10^6 bytes)."""
    sizes = []
    for process in workers(child):
        with contextlib.suppress(psutil.Error):
            sizes.append(process.memory_info().rss)
    return max(sizes, default=0) / 1e6
