"""The flows beside `soapbridge serve`: one `soapbridge flows worker` process (workers and scheduler), started
once the gateway is ready to fork its own workers and stopped after them.

A process of its own rather than threads in the gateway's workers: gunicorn may replace a worker at any
time, and the flows' workers and scheduler must not start and stop with it. It inherits the gateway's
environment: the emulators' URLs and credentials, the state folder, and the metrics folder, so its figures
join the gateway's on /metrics.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from ..settings import Settings
from .compiler import FOLDER

#: How long the flows process may take to finish its items in flight once asked to stop, in seconds.
STOP_WAIT = 10
#: Set to "off" for a gateway that must not run the flows (as --no-flows): they run on other machines, say.
SWITCH = "SOAPBRIDGE_FLOWS"


def start_flows(settings: Settings, host: str) -> subprocess.Popen[bytes] | None:
    """Start the flows process when the project has flows and SOAPBRIDGE_FLOWS is not off; None otherwise.

    It takes notifications on a free loopback port, and says where on serve's output: the inbox checks no
    credentials, so it stays on loopback whatever host serve binds; a front (or `soapbridge flows worker --notifications
    HOST:PORT` on purpose) publishes it."""
    names = sorted(path.stem for path in (settings.root / FOLDER).glob("*.toml"))
    if not names or os.environ.get(SWITCH, "").strip().lower() == "off":
        return None
    command = [sys.executable, "-m", "soapbridge", "flows", "worker", "--notifications", "127.0.0.1:0"]
    child = subprocess.Popen(command)
    print(f"flows process {child.pid}: {', '.join(names)}", flush=True)
    return child


def stop_flows(child: subprocess.Popen[bytes] | None) -> None:
    if child is None or child.poll() is not None:
        return
    os.kill(child.pid, signal.SIGINT)  # huey's graceful stop: the items in flight finish
    try:
        child.wait(STOP_WAIT)
    except subprocess.TimeoutExpired:
        child.kill()  # what was in flight is taken again once its lease runs out
        child.wait()
