"""The issue's check: 50 concurrent RecordPayment calls sharing one key, on a real `serve --workers 3`,
book exactly one payment in billing and get 50 identical receipts."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests

from tests.emulator_admin import EmulatorAdmin
from tests.running import RunningGateway, start_gateway, stop_gateway

INVOICE = "INV-2024-0242"
PAYMENT = {"invoiceId": INVOICE, "amount": 1.25, "currency": "GBP", "paidOn": "2026-11-21", "reference": "once"}
CALLERS = 50


@pytest.fixture(scope="module")
def gateway() -> Iterator[RunningGateway]:
    process, running = start_gateway(extra_args=["--workers", "3"])
    try:
        yield running
    finally:
        assert stop_gateway(process) == 0


def post(base: str, operation: str, fields: dict[str, object], key: str | None = None) -> requests.Response:
    headers = {"Content-Type": "application/json", **({"Idempotency-Key": key} if key else {})}
    return requests.post(f"{base}/json/{operation}", data=json.dumps(fields), headers=headers, timeout=30)


def outstanding(base: str) -> Decimal:
    invoices = post(base, "ListInvoices", {"customerId": "1001"}).json()["invoice"]
    (invoice,) = [i for i in invoices if i["id"] == INVOICE]
    return Decimal(str(invoice["outstanding"]))


def test_fifty_concurrent_payments_with_one_key_book_one_payment(gateway: RunningGateway) -> None:
    admin, key = EmulatorAdmin(gateway.admin), f"pay-{secrets.token_hex(8)}"
    before = outstanding(gateway.base)
    admin.zero("billing")
    admin.set_fault("billing", "slow", times=1, delay_ms=500)  # the first is still in flight when the rest arrive
    try:
        with ThreadPoolExecutor(CALLERS) as pool:
            answers = list(pool.map(lambda _: post(gateway.base, "RecordPayment", PAYMENT, key), range(CALLERS)))
    finally:
        admin.clear("billing")
    assert [a.status_code for a in answers] == [200] * CALLERS, answers[0].text
    assert len({a.content for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == CALLERS - 1
    assert admin.calls("billing", "postPayment") == 1
    assert outstanding(gateway.base) == before - Decimal("1.25")


def test_a_payment_turned_away_with_503_releases_its_key(gateway: RunningGateway) -> None:
    """billing's 503 page says the payment was not processed: the retry with the same key books it, once."""
    admin, key = EmulatorAdmin(gateway.admin), f"pay-{secrets.token_hex(8)}"
    before = outstanding(gateway.base)
    admin.zero("billing")
    admin.set_fault("billing", "down", times=1)
    turned_away = post(gateway.base, "RecordPayment", PAYMENT, key)
    assert (turned_away.status_code, turned_away.json()["code"]) == (502, "UpstreamUnavailable")
    assert [post(gateway.base, "RecordPayment", PAYMENT, key).status_code for _ in range(2)] == [200, 200]
    assert admin.calls("billing", "postPayment") == 2  # the 503, then the one booking; the repeat replays it
    assert outstanding(gateway.base) == before - Decimal("1.25")
