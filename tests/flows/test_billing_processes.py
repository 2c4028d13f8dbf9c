"""ehr-to-billing's exactly-once, with real processes: kill -9 of a worker while encounters are being invoiced
leaves every encounter with exactly one invoice. A call in flight when its worker died is made again by the
next worker; billing refuses the repeat (Conflict on the externalRef), which the flow counts as done.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.flows.harness import flows, wait_until

pytestmark = pytest.mark.slow
FLOW = "ehr-to-billing"
PATIENTS = {"P-100001": "1001", "P-100002": "1002", "P-100003": "1005", "P-100004": "1006"}
ENCOUNTERS = 60


def test_kill_9_of_a_worker_while_invoicing_leaves_each_encounter_exactly_one_invoice(tmp_path: Path) -> None:
    with flows(tmp_path, {FLOW: ""}) as running:
        assert running.admin is not None
        flow = Path(running.env["SOAPBRIDGE_HOME"]) / "flows" / f"{FLOW}.toml"
        flow.write_text(flow.read_text().replace("lease = 30", "lease = 3"))  # a dead worker's items back sooner
        runtime: Any = running.runtime()
        for patient, customer in PATIENTS.items():  # as crm-to-mailing would have matched them
            runtime.stores.xref.link("ehr-patient", patient, "crm-customer", customer)
        line = {"code": "99213", "description": "Office visit", "quantity": 1, "unitPrice": 85.0, "currency": "GBP"}
        made = [
            running.backdoor(
                "POST", "/systems/ehr/encounters", {"patientId": patient, "items": [line], "finished": True}
            )["encounterId"]
            for n in range(ENCOUNTERS)
            for patient in [list(PATIENTS)[n % len(PATIENTS)]]
        ]
        running.admin.set_fault("billing", "slow", delay_ms=40)  # so that the kill lands on calls in flight
        victim = running.worker("--threads", "4")
        wait_until(lambda: runtime.ledger.counts(FLOW)["done"] >= 10, 60, "the first invoices")
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        running.admin.clear("billing")
        running.worker("--threads", "4")
        wait_until(
            lambda: all(getattr(runtime.ledger.get(FLOW, f"{id}@1"), "state", "") == "done" for id in made),
            90,
            "every encounter invoiced",
        )
        invoices = running.backdoor("GET", "/systems/billing/invoices")["invoices"]
        per_encounter = Counter(invoice["externalRef"] for invoice in invoices)  # type: ignore[union-attr]
        assert all(per_encounter[encounter] == 1 for encounter in made), per_encounter
        assert max(per_encounter.values()) == 1
