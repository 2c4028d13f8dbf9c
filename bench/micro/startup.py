"""Start-up to ready: a fresh interpreter loading the gateway, and `soapbridge serve` from exec to /readyz 200.

Every WSDL is loaded and every stylesheet compiled before /readyz says 200. The legacy endpoints point at a
closed loopback port: start-up must not call an upstream, and a refused connection would show if it did.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from ..processes import free_port
from ..project import gateway_env
from .documents import ROOT
from .timing import row

#: `soapbridge serve` must be ready within this many seconds of its exec.
TARGET_SECONDS = 1.0
#: A fresh interpreter that loads the gateway and prints how long the import and create_app took.
LOAD = """
import time
started = time.perf_counter()
from soapbridge.gateway import create_app
from soapbridge.settings import Settings
imported = time.perf_counter()
create_app(Settings.from_env())
print(imported - started, time.perf_counter() - imported)
"""


def serve_env(root: Path = ROOT, upstream: str | None = None) -> dict[str, str]:
    """The benchmark gateway's environment (bench.project.gateway_env), every legacy endpoint at `upstream`/<system>
    (default: a closed loopback port)."""
    return gateway_env(root, upstream or f"http://127.0.0.1:{free_port()}")


def load_in_fresh_interpreter(env: dict[str, str]) -> tuple[float, float]:
    """(seconds to import soapbridge.gateway, seconds for create_app) in a new interpreter."""
    done = subprocess.run([sys.executable, "-c", LOAD], env=env, capture_output=True, text=True, check=True)
    imported, created = done.stdout.split()
    return float(imported), float(created)


def serve_to_ready(env: dict[str, str], timeout: float = 30.0) -> float:
    """Seconds from exec of `soapbridge serve --no-emulators --port 0` to its first /readyz 200."""
    started = time.perf_counter()
    with serving(env) as base:
        host, port = base.removeprefix("http://").split(":")
        while not _ready(host, int(port)):
            if time.perf_counter() - started > timeout:
                raise AssertionError(f"{base}/readyz did not answer 200 within {timeout} s")
            time.sleep(0.002)
        return time.perf_counter() - started


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """`soapbridge serve` for the length of the block, yielding its base URL; stopped with SIGTERM after,
    its whole process group waited for."""
    command = [sys.executable, "-m", "soapbridge", "serve", "--no-emulators", "--port", "0"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        yield _listening(process)
    finally:
        _stop(process)


def _listening(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    output = []
    for line in process.stdout:
        output.append(line)
        if match := re.match(r"soapbridge listening on (\S+)", line):
            return match.group(1)
    raise AssertionError("soapbridge serve did not start:\n" + "".join(output))


def _ready(host: str, port: int) -> bool:
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request("GET", "/readyz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    if process.stdout is not None:
        process.stdout.close()
    with suppress(ProcessLookupError):
        os.killpg(process.pid, 0)  # anything left in its group (a worker) is an error
        raise AssertionError(f"soapbridge serve left processes behind in group {process.pid}")


def measure(*, quick: bool = False) -> list[dict[str, Any]]:
    """The median of a few runs of each: fresh-interpreter load, and serve to ready (the target)."""
    env = serve_env()
    runs = 1 if quick else 5
    loads = sorted(load_in_fresh_interpreter(env) for _ in range(runs))
    imported, created = loads[len(loads) // 2]
    ready = sorted(serve_to_ready(env) for _ in range(runs))[runs // 2]
    return [
        row("startup import soapbridge.gateway", imported * 1000, "ms"),
        row("startup create_app (every WSDL and stylesheet)", created * 1000, "ms"),
        row(
            "startup serve exec -> /readyz 200",
            ready * 1000,
            "ms",
            f"< {TARGET_SECONDS * 1000:.0f} ms",
            ready < TARGET_SECONDS,
        ),
    ]
