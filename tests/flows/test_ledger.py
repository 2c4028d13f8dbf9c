"""The ledger's rules, the same on SQLite and on Redis: each item taken by one holder at a time, one key's items
in order, a lease that runs out gives the item to another, dead letters replayed, delivered items purged."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from soapbridge.flows.ledger import NewItem, SqliteLedger
from soapbridge.flows.redisledger import RedisLedger

FLOW = "f"


@pytest.fixture(params=["sqlite", "redis"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        yield SqliteLedger(tmp_path / "ledger.sqlite3")
        return
    client = redis.Redis.from_url(request.getfixturevalue("redis_url"))
    client.flushdb()
    yield RedisLedger(client)


def item(key: str, version: int) -> NewItem:
    return NewItem(f"{key}@{version}", key, str(version), b"<item/>", f"c-{key}-{version}", time.time())


def test_an_item_is_recorded_once(ledger: Any) -> None:
    assert ledger.add(FLOW, [item("a", 1), item("b", 1)]) == ["a@1", "b@1"]
    assert ledger.add(FLOW, [item("a", 1), item("a", 2)]) == ["a@2"]
    assert ledger.counts(FLOW)["queued"] == 3


def test_one_holder_at_a_time_and_a_key_in_order(ledger: Any) -> None:
    ledger.add(FLOW, [item("a", 1), item("a", 2), item("b", 1)])
    assert ledger.take(FLOW, "a@2", 30) is None  # a@1 first
    taken = ledger.take(FLOW, "a@1", 30)
    assert taken is not None and taken.correlation == "c-a-1"
    assert ledger.take(FLOW, "a@1", 30) is None  # held
    assert ledger.take(FLOW, "b@1", 30) is not None  # another key goes on
    assert ledger.done(FLOW, "a@1") == "a@2"  # the next of its key, to queue
    assert ledger.take(FLOW, "a@2", 30) is not None


def test_a_lease_that_runs_out_gives_the_item_to_another_holder(ledger: Any) -> None:
    ledger.add(FLOW, [item("a", 1)])
    assert ledger.take(FLOW, "a@1", 0.2) is not None
    assert ledger.sweep(FLOW, 60) == []
    time.sleep(0.3)
    assert ledger.sweep(FLOW, 60) == ["a@1"]
    assert ledger.take(FLOW, "a@1", 30) is not None


def test_retry_dead_letters_and_replay(ledger: Any) -> None:
    ledger.add(FLOW, [item("a", 1), item("a", 2)])
    ledger.take(FLOW, "a@1", 30)
    ledger.retry(FLOW, "a@1", 0.2, "down", counted=True)
    assert ledger.take(FLOW, "a@1", 30) is None  # not due yet
    time.sleep(0.3)
    assert ledger.take(FLOW, "a@1", 30) is not None
    assert ledger.dead(FLOW, "a@1", "gave up") == "a@2"  # a dead letter does not hold its key
    dead = ledger.items(FLOW, "dead")
    assert [(d.id, d.attempts, d.reason) for d in dead] == [("a@1", 2, "gave up")]
    assert ledger.replay(FLOW, []) == ["a@1"]
    assert ledger.counts(FLOW)["dead"] == 0 and ledger.get(FLOW, "a@1").attempts == 0


def test_delivered_items_are_purged_after_a_while(ledger: Any) -> None:
    ledger.add(FLOW, [item("a", 1)])
    ledger.take(FLOW, "a@1", 30)
    ledger.done(FLOW, "a@1")
    assert ledger.purge(FLOW, 60) == 0
    time.sleep(0.05)
    assert ledger.purge(FLOW, 0.01) == 1
    assert ledger.get(FLOW, "a@1") is None and ledger.counts(FLOW)["done"] == 0
