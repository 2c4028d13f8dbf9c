"""Outcomes are never lost: the store failing after the legacy call, and a Redis server restarted empty, over a
real redis-server and the run-once logic with a counting stand-in engine (tests/idempotency/test_runonce.py)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from lxml import etree

from soapbridge.gateway.idempotency import Outcome, RunOnce
from soapbridge.idempotency import Keys, open_keys
from soapbridge.settings import Idempotency, Settings
from tests.conftest import ROOT
from tests.redisserver import redis_server
from tests.running import free_port

from .test_runonce import RECEIPT, FakeEngine, call


def instance(url: str, engine: FakeEngine, state: Path) -> RunOnce:
    """One gateway instance's run-once: its own journal in state, the shared Redis store at url."""
    keys = open_keys(Settings(root=ROOT, idempotency=Idempotency(store=url, ttl=600)), state)
    return RunOnce(engine, keys)  # type: ignore[arg-type]


def shut_down(url: str) -> None:
    with contextlib.suppress(redis.ConnectionError):  # the server hangs up as it goes
        redis.Redis.from_url(url).shutdown(nosave=True)


def booking_as_the_store_goes(url: str) -> Callable[[int], etree._Element]:
    """Billing books payment n; meanwhile the store's server shuts down."""

    def book(n: int) -> etree._Element:
        shut_down(url)
        return etree.fromstring(RECEIPT.format(n=n))

    return book


def receipt(outcome: Outcome) -> bytes:
    assert outcome.response is not None, outcome.fault
    return etree.tostring(outcome.response)


@pytest.fixture
def port() -> int:
    return free_port()


def test_a_store_gone_after_the_legacy_call_still_answers_and_the_repeat_never_calls_again(
    tmp_path: Path, port: int
) -> None:
    engine = FakeEngine()
    with redis_server(tmp_path, port) as url:
        once = instance(url, engine, tmp_path / "a")
        engine.behaviour = booking_as_the_store_goes(url)
        first = call(once, "k1")  # billing booked it, then the store went away
        engine.behaviour = lambda n: etree.fromstring(RECEIPT.format(n=n))
        again = call(once, "k1")  # the store still away: the journal answers
    assert not first.replayed and again.replayed and receipt(again) == receipt(first)
    with redis_server(tmp_path, port) as url:  # back, and empty
        once.keys.flush()  # what each worker's flusher does every half second
        other = instance(url, engine, tmp_path / "b")  # another instance: its journal knows nothing
        elsewhere = call(other, "k1")
    assert elsewhere.replayed and receipt(elsewhere) == receipt(first)
    assert engine.calls == 1


def test_a_pending_outcome_outlives_a_restart_of_its_instance(tmp_path: Path, port: int) -> None:
    engine = FakeEngine()
    with redis_server(tmp_path, port) as url:
        once = instance(url, engine, tmp_path / "a")
        engine.behaviour = booking_as_the_store_goes(url)
        first = call(once, "k1")
    del once  # the instance stops with the outcome still pending
    with redis_server(tmp_path, port) as url:
        instance(url, engine, tmp_path / "a")  # restarted on the same state folder: it writes back its journal
        elsewhere = call(instance(url, engine, tmp_path / "b"), "k1")
    assert elsewhere.replayed and receipt(elsewhere) == receipt(first)
    assert engine.calls == 1


def test_a_redis_restarted_empty_doubles_nothing_across_instances(tmp_path: Path, port: int) -> None:
    """Each instance books ten keys; Redis restarts empty; each key is repeated at the other instance."""
    engine = FakeEngine()
    with redis_server(tmp_path, port) as url:
        a, b = instance(url, engine, tmp_path / "a"), instance(url, engine, tmp_path / "b")
        booked = {f"k{n}": receipt(call(a if n < 10 else b, f"k{n}")) for n in range(20)}
    with redis_server(tmp_path, port):
        repeats = {f"k{n}": call(b if n < 10 else a, f"k{n}") for n in range(20)}
    assert all(outcome.replayed for outcome in repeats.values())
    assert {key: receipt(outcome) for key, outcome in repeats.items()} == booked
    assert engine.calls == 20


def test_a_claim_after_a_reset_waits_for_the_others_to_write_back(tmp_path: Path, port: int) -> None:
    """The residual window, measured: a claim right after the reset waits SETTLING seconds, no longer."""
    engine = FakeEngine()
    with redis_server(tmp_path, port) as url:
        once = instance(url, engine, tmp_path / "a")
        call(once, "k1")
    with redis_server(tmp_path, port):
        began = time.monotonic()
        call(once, "k2")
        waited = time.monotonic() - began
    assert 1.5 < waited < 3.0
    assert isinstance(once.keys, Keys) and engine.calls == 2
