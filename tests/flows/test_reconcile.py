"""`soapbridge flows reconcile` finds drift made behind the flow's back, and --repair's items fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flows.harness import flows

pytestmark = pytest.mark.slow
FLOW = "crm-to-mailing"


def test_reconcile_reports_drift_made_behind_the_flows_back_and_repair_fixes_it(tmp_path: Path) -> None:
    with flows(tmp_path, {FLOW: ""}) as running:
        synced = running.cli("run", FLOW, "--once")
        assert synced.returncode == 0, synced.stderr
        assert running.cli("reconcile", FLOW).returncode == 0
        # Behind the flow's back: a customer blocked with no change pointer, a subscriber removed by hand.
        running.backdoor("PATCH", "/systems/crm/customers/1002", {"status": "blocked", "changePointer": False})
        running.backdoor("DELETE", "/systems/mailing/lists/newsletter/members/ada.lovelace@example.com")
        found = running.cli("reconcile", FLOW)
        assert found.returncode == 1, found.stderr
        assert "1001: missing on the target" in found.stdout
        assert "1002: on the target, but the source says it must not be" in found.stdout
        assert f"{FLOW}: 6 compared, 2 drifting" in found.stdout
        repaired = running.cli("reconcile", FLOW, "--repair")
        assert "2 repair items queued" in repaired.stdout
        delivered = running.cli("run", FLOW, "--once")
        assert "delivered 2" in delivered.stdout, delivered.stdout + delivered.stderr
        again = running.cli("reconcile", FLOW)
        assert again.returncode == 0, again.stdout + again.stderr
        assert f"{FLOW}: 6 compared, 0 drifting" in again.stdout
