"""The two showcases under `soapbridge serve`, against the emulators it starts: what issue 20 calls done.

A customer blocked through the gateway's UpdateCustomer leaves the newsletter within seconds, and an
encounter finished in the EHR becomes exactly one invoice, visible through ListInvoices. The status page
shows the flows, /metrics counts their items, and serve stops its flows process with itself.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.flows.harness import make_project, wait_until
from tests.running import start_gateway, stop_gateway

pytestmark = pytest.mark.slow


def call(base: str, operation: str, body: dict[str, Any]) -> Any:
    answer = requests.post(f"{base}/json/{operation}", json=body, timeout=30)
    assert answer.ok, answer.text
    return answer.json()


def subscribed(base: str) -> set[str]:
    members = call(base, "ListSubscribers", {"listId": "newsletter", "status": "subscribed", "pageSize": 1000})
    return {member.get("customerId", "") for member in members["subscriber"]}


def test_serve_runs_both_showcase_flows_end_to_end(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"crm-to-mailing": "", "ehr-to-billing": ""})
    process, gateway = start_gateway(cwd=project, extra_env={"SOAPBRIDGE_FLOWS": "on"})
    try:
        base = gateway.base
        wait_until(lambda: "1001" in subscribed(base), 30, "the initial sync of the CRM to the newsletter")

        customer = call(base, "GetCustomer", {"customerId": "1001"})["customer"]
        call(base, "UpdateCustomer", {"customer": customer | {"status": "blocked"}})
        wait_until(lambda: "1001" not in subscribed(base), 10, "the blocked customer off the newsletter")

        before = len(call(base, "ListInvoices", {"customerId": "1002"})["invoice"])
        admin = requests.Session()
        admin.trust_env = False
        item = {"code": "99213", "description": "Office visit", "quantity": 1, "unitPrice": 85.0, "currency": "GBP"}
        made = admin.post(
            f"{gateway.admin}/systems/ehr/encounters",
            json={"patientId": "P-100002", "items": [item], "finished": True},
            timeout=30,
        )
        assert made.ok, made.text
        encounter = made.json()["encounterId"]
        wait_until(
            lambda: len(call(base, "ListInvoices", {"customerId": "1002"})["invoice"]) == before + 1,
            30,
            f"an invoice for {encounter}",
        )
        invoices = admin.get(f"{gateway.admin}/systems/billing/invoices", timeout=30).json()["invoices"]
        assert [invoice["externalRef"] for invoice in invoices].count(encounter) == 1

        page = requests.get(f"{base}/", timeout=30).text
        assert 'id="flow-crm-to-mailing"' in page and 'id="flow-ehr-to-billing"' in page
        metrics = requests.get(f"{base}/metrics", timeout=30).text
        assert 'soapbridge_flow_items_total{flow="crm-to-mailing",outcome="done"' in metrics
    finally:
        code = stop_gateway(process)
    leftover = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert code == 0 and not leftover, (code, leftover)
