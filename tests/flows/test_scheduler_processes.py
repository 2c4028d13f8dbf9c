"""The poller's guarantees with real processes: crm-to-mailing against the emulated CRM's change feed.

A watermark advances only once the items it covers are in the ledger and queued, so a scheduler killed with
kill -9 in the middle of an initial sync polls the same changes again, and the ledger takes each item once.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.flows.harness import flows, wait_until

pytestmark = pytest.mark.slow
FLOW = "crm-to-mailing"
CUSTOMERS = 3000


def test_kill_9_of_the_scheduler_mid_sync_loses_no_change_and_subscribes_each_customer_once(tmp_path: Path) -> None:
    with flows(tmp_path, {FLOW: ""}) as running:
        assert running.admin is not None
        seed = [running.backdoor("GET", f"/systems/crm/customers/{id}")["customer"] for id in range(1001, 1007)]
        active = CUSTOMERS + sum(1 for customer in seed if customer["status"] == "active")  # type: ignore[index]
        running.backdoor("POST", "/systems/crm/customers/bulk", {"count": CUSTOMERS})
        total = CUSTOMERS + len(seed)
        runtime: Any = running.runtime()
        running.worker("--threads", "4", "--no-scheduler")
        scheduler = running.worker("--scheduler-only")
        wait_until(lambda: runtime.ledger.counts(FLOW)["done"] >= 200, 60, "the sync under way")
        os.killpg(scheduler.pid, signal.SIGKILL)
        scheduler.wait()
        running.worker("--scheduler-only")
        wait_until(lambda: runtime.ledger.counts(FLOW)["done"] == total, 120, "every change delivered")
        assert runtime.ledger.counts(FLOW)["dead"] == 0
        assert running.admin.calls("mailing", "subscribe") == active  # one call per active customer, none twice
