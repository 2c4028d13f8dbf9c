"""Redis dies while keyed payments are in flight, and comes back empty: the clients repeat their payments, each
with its own key, as real clients would, and still no payment is booked twice."""

from __future__ import annotations

import secrets
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from tests.emulator_admin import EmulatorAdmin

from .calls import pay
from .topology import Topology

pytestmark = pytest.mark.slow
PAYERS = 20
#: Payments start this far apart, and each takes billing this long: the outage lands among them, some in flight.
STAGGER, BILLING_DELAY_MS = 0.1, 400
#: How long each payer keeps repeating before it gives up (a real client's patience, as a test bound).
PATIENCE = 40.0


@dataclass
class Payer:
    """A client paying once: it repeats the same request with the same key after every failure answer."""

    base: str
    key: str
    answers: list[int] = field(default_factory=list)
    receipt: str | None = None

    def run(self, delay: float) -> None:
        time.sleep(delay)
        give_up = time.monotonic() + PATIENCE
        while self.receipt is None and time.monotonic() < give_up:
            try:
                answer = pay(self.base, self.key, correlation_id=self.key, reference=self.key)
            except requests.RequestException:
                self.answers.append(0)
            else:
                self.answers.append(answer.status_code)
                if answer.status_code == 200:
                    self.receipt = answer.json()["receipt"]["paymentId"]
                    return
            time.sleep(0.2)


def test_redis_restarted_empty_during_keyed_payments_books_none_twice(healthy: Topology) -> None:
    admin = EmulatorAdmin(healthy.emulators.admin)
    admin.reset("billing")
    admin.set_fault("billing", "slow", delay_ms=BILLING_DELAY_MS)
    run = secrets.token_hex(4)
    payers = [Payer(healthy.base, f"topology-{run}-{n:02}") for n in range(PAYERS)]
    threads = [threading.Thread(target=p.run, args=(n * STAGGER,), daemon=True) for n, p in enumerate(payers)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(0.7)  # a few payments booked, a few in flight at billing
        healthy.redis.stop(signal.SIGKILL)
        time.sleep(1.0)
        healthy.redis.forget_everything()
        healthy.redis.start()
        for thread in threads:
            thread.join(timeout=PATIENCE + 10)
    finally:
        admin.clear("billing")
    failed_first = sum(p.answers[0] != 200 for p in payers if p.answers)
    print(f"{failed_first} of {PAYERS} payers got a failure answer first and repeated")
    assert [p.key for p in payers if p.receipt is None] == [], "payers left without a receipt"
    # Each payer sends its key as its correlation id, which the gateway passes on to billing.
    booked = Counter(correlation_id(request) for request in admin.received("billing"))
    doubled = {key: count for key, count in booked.items() if count != 1}
    assert doubled == {}, f"payments booked more than once: {doubled}"
    assert set(booked) == {p.key for p in payers}
    assert admin.calls("billing", "postPayment") == PAYERS
    assert len({p.receipt for p in payers}) == PAYERS


def correlation_id(request: dict[str, Any]) -> str | None:
    return next((value for name, value in request["headers"].items() if name.lower() == "x-correlation-id"), None)
