"""Metrics that add up across gunicorn's worker processes: prometheus_client's multiprocess mode.

Each worker writes its figures to its own files in one folder and a scrape sums them, whichever
worker answers it. prometheus_client picks how it stores a value when it is first imported, so the
folder must be named in PROMETHEUS_MULTIPROC_DIR before that; this module does not import it itself
until a worker exits.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from ..errors import SoapbridgeError

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def share_metrics(folder: Path) -> None:
    """Make folder, emptied (an earlier run's figures must not count), the one every process of this
    gateway writes its metrics to. Call it before anything imports prometheus_client."""
    if "prometheus_client" in sys.modules and os.environ.get(VARIABLE) != str(folder):
        raise SoapbridgeError("prometheus_client was imported before the metrics folder was set")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[VARIABLE] = str(folder)


def worker_exited(pid: int) -> None:
    """Forget what only a live worker may report (its live gauges); its counts stay in the totals."""
    from prometheus_client import multiprocess  # imported by the gateway long before a worker exits

    multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
