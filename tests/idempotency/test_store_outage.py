"""The issue's measurement, on a real `soapbridge serve` with a Redis store: a store that goes away after billing
booked a payment, and a Redis server restarted empty during keyed payments, book each payment exactly once."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import requests

from soapbridge.idempotency import scope_digest
from soapbridge.idempotency.redisstore import PREFIX
from tests.emulator_admin import EmulatorAdmin
from tests.redisserver import RedisServer
from tests.running import RunningGateway, start_gateway, stop_gateway

from .test_serve import PAYMENT, post

PAYMENTS = 22


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def gateway(store: RedisServer) -> Iterator[RunningGateway]:
    process, running = start_gateway(extra_env={"SOAPBRIDGE_IDEMPOTENCY_STORE": store.url})
    try:
        # A first payment: on a new server, claims wait until every instance could have written back its journal
        assert post(running.base, "RecordPayment", PAYMENT, f"warm-{secrets.token_hex(8)}").status_code == 200
        yield running
    finally:
        assert stop_gateway(process) == 0


def stored_outcome(port: int, key: str) -> dict[str, object] | None:
    """The outcome Redis holds for key (sent without credentials, so the client is "-")."""
    value = redis.Redis(port=port).get(PREFIX + scope_digest(f"-\nRecordPayment\n{key}"))
    return json.loads(value)["outcome"] if value is not None else None


def test_a_receipt_booked_while_the_store_went_away_is_answered_and_replayed_after(
    gateway: RunningGateway, store: RedisServer
) -> None:
    admin, key = EmulatorAdmin(gateway.admin), f"pay-{secrets.token_hex(8)}"
    admin.zero("billing")
    admin.set_fault("billing", "slow", times=1, delay_ms=1000)
    with ThreadPoolExecutor(1) as pool:
        paying = pool.submit(post, gateway.base, "RecordPayment", PAYMENT, key)
        time.sleep(0.5)  # billing is booking it
        store.stop()
        first = paying.result()
    assert first.status_code == 200 and "Idempotent-Replayed" not in first.headers, first.text
    while_away = post(gateway.base, "RecordPayment", PAYMENT, key)
    store.start()  # back, and empty
    time.sleep(1.0)  # a few flushes
    assert stored_outcome(store.port, key) is not None  # written as soon as the store was back
    after = post(gateway.base, "RecordPayment", PAYMENT, key)
    for repeat in (while_away, after):
        assert repeat.status_code == 200 and repeat.headers["Idempotent-Replayed"] == "true"
        assert repeat.json()["receipt"] == first.json()["receipt"]
    assert admin.calls("billing", "postPayment") == 1


def test_redis_restarted_empty_during_keyed_payments_doubles_nothing(
    gateway: RunningGateway, store: RedisServer
) -> None:
    admin = EmulatorAdmin(gateway.admin)
    keys = [f"pay-{secrets.token_hex(8)}" for _ in range(PAYMENTS)]
    answers: dict[str, requests.Response] = {}

    def pay(key: str) -> None:
        answer = post(gateway.base, "RecordPayment", PAYMENT, key)
        answers.setdefault(key, answer) if answer.status_code == 200 else None

    admin.zero("billing")
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(pay, keys[: PAYMENTS // 2]))
        admin.set_fault("billing", "slow", times=PAYMENTS // 2, delay_ms=300)  # some are booking as Redis goes
        restarting = pool.map(pay, keys[PAYMENTS // 2 :])
        time.sleep(0.4)
        store.stop()  # mid-way, and back empty
        store.start()
        list(restarting)
        for _ in range(3):  # what a client told to repeat does; every booked key is repeated too
            list(pool.map(pay, keys))
        repeats = {key: post(gateway.base, "RecordPayment", PAYMENT, key) for key in keys}
    admin.clear("billing")
    assert "the idempotency store got back the" in "".join(gateway.output)  # it noticed the reset
    assert set(answers) == set(keys)
    assert all(repeats[key].json()["receipt"] == answers[key].json()["receipt"] for key in keys)
    assert admin.calls("billing", "postPayment") == PAYMENTS


def test_an_idle_instance_writes_its_outcomes_back_after_a_reset(store: RedisServer, tmp_path: Path) -> None:
    """Each worker's flusher starts at fork, not on its first operation: an instance that answers only health
    checks still notices a Redis restarted empty and writes back what its journal holds."""
    settings = {"SOAPBRIDGE_IDEMPOTENCY_STORE": store.url, "SOAPBRIDGE_STATE_DIR": str(tmp_path / "state")}
    key = f"pay-{secrets.token_hex(8)}"
    process, running = start_gateway(extra_env=settings)
    try:
        assert post(running.base, "RecordPayment", PAYMENT, f"warm-{secrets.token_hex(8)}").status_code == 200
        assert post(running.base, "RecordPayment", PAYMENT, key).status_code == 200
    finally:
        assert stop_gateway(process) == 0
    process, running = start_gateway(extra_env=settings)  # the same journal; no operation request from now on
    try:
        store.stop()
        store.start()  # back, and empty
        deadline = time.monotonic() + 5
        while stored_outcome(store.port, key) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert stored_outcome(store.port, key) is not None
    finally:
        assert stop_gateway(process) == 0
