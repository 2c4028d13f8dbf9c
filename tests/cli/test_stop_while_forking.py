"""SIGTERM that reaches a worker before it has its own signal handlers still drains it.

Between fork and the worker's init_signals, a signal runs the arbiter's inherited handler, which only queues it
in the worker's copy of the arbiter: the worker went on serving until the arbiter killed it a grace period
later (a stop under load took 32 s). serve blocks the stopping signals across fork. The window is made wide
here, deterministically, by slowing the post-fork step of a real `soapbridge serve`.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import CREDENTIALS, ROOT

#: serve, with each worker's post-fork step 1.5 s longer: a SIGTERM sent meanwhile lands in the window.
SLOWED = """
import sys, time
from soapbridge.cli import main, serve
started = serve._worker_started
serve._worker_started = lambda *arguments: (time.sleep(1.5), started(*arguments))
sys.exit(main(["serve", "--port", "0", "--workers", "2", "--no-emulators"]))
"""


def test_a_sigterm_while_workers_fork_stops_serve_at_once(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
    env.update(CREDENTIALS, SOAPBRIDGE_AUTH="off", SOAPBRIDGE_STATE_DIR=str(tmp_path), SOAPBRIDGE_GRACE_PERIOD="30")
    env.update(
        {f"SOAPBRIDGE_{system}_URL": "http://127.0.0.1:9/" for system in ("CRM", "BILLING", "WEATHER", "MAILING")}
    )
    process = subprocess.Popen(
        [sys.executable, "-c", SLOWED],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if re.match(r"soapbridge listening on ", line):
                break
        time.sleep(0.5)  # both workers are forked and inside their slowed post-fork step
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=25)
        took = time.monotonic() - sent
        output = process.stdout.read()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert code == 0, output
    assert took < 10, f"serve took {took:.1f} s to stop: a worker missed its SIGTERM and waited for the kill"
