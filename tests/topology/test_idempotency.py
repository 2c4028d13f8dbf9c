"""Idempotency keys live in the shared Redis: twenty concurrent payments with one key, spread by HAProxy
over both instances, book one payment."""

from __future__ import annotations

import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.emulator_admin import EmulatorAdmin

from .calls import new_correlation_id, pay
from .topology import Topology

pytestmark = pytest.mark.slow
CALLERS = 20


def test_twenty_concurrent_payments_with_one_key_over_both_instances_book_one_payment(healthy: Topology) -> None:
    admin, key = EmulatorAdmin(healthy.emulators.admin), f"topology-{secrets.token_hex(8)}"
    admin.reset("billing")
    admin.set_fault("billing", "slow", times=1, delay_ms=500)  # the first is still in flight when the rest arrive
    correlation_ids = [new_correlation_id() for _ in range(CALLERS)]
    try:
        with ThreadPoolExecutor(CALLERS) as pool:
            answers = list(pool.map(lambda cid: pay(healthy.base, key, cid), correlation_ids))
    finally:
        admin.clear("billing")
    assert [a.status_code for a in answers] == [200] * CALLERS, answers[0].text
    assert len({a.json()["receipt"]["paymentId"] for a in answers}) == 1
    assert admin.calls("billing", "postPayment") == 1
    served = Counter(healthy.answered_by(cid) for cid in correlation_ids)
    assert set(served) == {"gw1", "gw2"}, f"HAProxy sent every call to one instance: {served}"
