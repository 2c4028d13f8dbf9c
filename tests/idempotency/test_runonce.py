"""The run-once logic on its own, over a SQLite store and a stand-in engine that a test can hold mid-call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from soapbridge.config import Timeouts
from soapbridge.errors import NotFoundError, RequestError, UpstreamTimeout, UpstreamUnavailable
from soapbridge.gateway.http import Request
from soapbridge.gateway.idempotency import ABANDONED_AFTER, Outcome, RunOnce, fingerprint
from soapbridge.idempotency import Journal, Keys, SqliteStore, scope_digest
from soapbridge.namespaces import CANONICAL
from soapbridge.settings import Limits

PAYMENT = f'<RecordPayment xmlns="{CANONICAL}"><invoiceId>INV-1</invoiceId><amount>1.00</amount></RecordPayment>'
RECEIPT = f'<RecordPaymentResponse xmlns="{CANONICAL}"><receipt><paymentId>P-{{n}}</paymentId></receipt>' + (
    "</RecordPaymentResponse>"
)


@dataclass
class FakeOperation:
    contract: Any
    system: str = "billing"
    timeouts: Timeouts = field(default_factory=lambda: Timeouts(deadline=1.0))


@dataclass(frozen=True)
class FakeContract:
    read_only: bool


class FakeEngine:
    """RecordPayment (a write) and GetCustomer (a read); each call runs `behaviour`, counted."""

    def __init__(self) -> None:
        self.operations = {
            "RecordPayment": FakeOperation(FakeContract(False)),
            "GetCustomer": FakeOperation(FakeContract(True)),
        }
        self.settings = type("S", (), {"limits": Limits()})()
        self.calls = 0
        self.behaviour: Callable[[int], etree._Element] = lambda n: etree.fromstring(RECEIPT.format(n=n))

    def call(self, name: str, request: etree._Element) -> etree._Element:
        self.calls += 1
        return self.behaviour(self.calls)

    def route(self, name: str, request: etree._Element) -> FakeOperation:
        return self.operations[name]


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def once(engine: FakeEngine, tmp_path: Path) -> RunOnce:
    keys = Keys(SqliteStore(tmp_path / "keys.sqlite3", 60), Journal(tmp_path / "journal.sqlite3", 60))
    return RunOnce(engine, keys)  # type: ignore[arg-type]


def keyed(key: str | None) -> Request:
    return Request("POST", "/json/RecordPayment", "", {"idempotency-key": key} if key else {})


def call(
    once: RunOnce, key: str | None, body: str = PAYMENT, client: str | None = None, op: str = "RecordPayment"
) -> Outcome:
    return once.call(op, etree.fromstring(body), keyed(key), None, client)


def test_a_repeat_replays_the_response_without_a_second_call(once: RunOnce, engine: FakeEngine) -> None:
    first, second = call(once, "k1"), call(once, "k1")
    assert engine.calls == 1
    assert (first.replayed, second.replayed) == (False, True)
    assert etree.tostring(first.response) == etree.tostring(second.response)
    assert second.headers == [("Idempotent-Replayed", "true")]


def test_without_a_key_or_on_a_read_every_call_runs(once: RunOnce, engine: FakeEngine) -> None:
    call(once, None)
    call(once, None)
    call(once, "k1", op="GetCustomer")
    assert not call(once, "k1", op="GetCustomer").replayed
    assert engine.calls == 4


def test_keys_are_per_client(once: RunOnce, engine: FakeEngine) -> None:
    call(once, "k1", client="alice")
    assert not call(once, "k1", client="bob").replayed
    assert engine.calls == 2


def test_the_same_key_with_another_body_is_refused(once: RunOnce) -> None:
    call(once, "k1")
    with pytest.raises(RequestError, match="idempotency key 'k1' was used with a different request"):
        call(once, "k1", PAYMENT.replace("1.00", "2.00"))


def test_a_fault_is_stored_and_replayed(once: RunOnce, engine: FakeEngine) -> None:
    def not_found(n: int) -> etree._Element:
        raise NotFoundError("no invoice INV-1", system="billing")

    engine.behaviour = not_found
    first, second = call(once, "k1"), call(once, "k1")
    assert first.fault == second.fault and first.fault is not None and first.fault.code == "NotFound"
    assert second.replayed and engine.calls == 1


def test_a_timeout_may_have_booked_the_payment_so_it_is_replayed_not_rerun(once: RunOnce, engine: FakeEngine) -> None:
    def timeout(n: int) -> etree._Element:
        raise UpstreamTimeout("billing did not answer", system="billing")

    engine.behaviour = timeout
    assert call(once, "k1").fault == call(once, "k1").fault
    assert engine.calls == 1


def test_a_request_never_sent_releases_the_key(once: RunOnce, engine: FakeEngine) -> None:
    def refused(n: int) -> etree._Element:
        if n == 1:
            raise UpstreamUnavailable("billing refused the connection", system="billing", sent=False)
        return etree.fromstring(RECEIPT.format(n=n))

    engine.behaviour = refused
    with pytest.raises(UpstreamUnavailable):
        call(once, "k1")
    second = call(once, "k1")
    assert second.response is not None and not second.replayed
    assert call(once, "k1").replayed
    assert engine.calls == 2


def test_a_repeat_waits_for_the_call_in_flight(once: RunOnce, engine: FakeEngine) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(n: int) -> etree._Element:
        started.set()
        release.wait(5)
        return etree.fromstring(RECEIPT.format(n=n))

    engine.behaviour = slow
    first: list[Any] = []
    runner = threading.Thread(target=lambda: first.append(call(once, "k1")))
    runner.start()
    started.wait(5)
    threading.Timer(0.2, release.set).start()
    repeat = call(once, "k1")
    runner.join(5)
    assert repeat.replayed and etree.tostring(repeat.response) == etree.tostring(first[0].response)
    assert engine.calls == 1


def test_a_repeat_gives_up_at_the_deadline(once: RunOnce, engine: FakeEngine) -> None:
    release = threading.Event()
    engine.behaviour = lambda n: (release.wait(5), etree.fromstring(RECEIPT.format(n=n)))[1]
    runner = threading.Thread(target=lambda: call(once, "k1"))
    runner.start()
    time.sleep(0.1)
    began = time.monotonic()
    try:
        with pytest.raises(UpstreamTimeout, match="still in progress") as raised:
            call(once, "k1")
        assert time.monotonic() - began < 1.0 + 1.5  # the deadline, plus a generous margin
        assert raised.value.system == "billing"
    finally:
        release.set()
        runner.join(5)


def test_a_claim_whose_owner_died_is_an_unknown_outcome_never_rerun(
    once: RunOnce, engine: FakeEngine, tmp_path: Path
) -> None:
    died = SqliteStore(tmp_path / "keys.sqlite3", 60, clock=lambda: time.time() - 1.0 - ABANDONED_AFTER - 1)
    died.claim(scope_digest("-\nRecordPayment\nk1"), fingerprint(etree.fromstring(PAYMENT)))
    with pytest.raises(UpstreamTimeout, match="unknown"):
        call(once, "k1")
    assert engine.calls == 0
