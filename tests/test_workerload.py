"""The workers' shared loads: a worker defers to a live sibling holding clearly fewer connections, never to a
stopping, hung or departed one, and every slot's requests add up."""

from __future__ import annotations

import time

import pytest

from soapbridge import workerload
from soapbridge.workerload import SLACK, WorkerLoads


def test_a_worker_defers_only_to_a_sibling_holding_clearly_fewer_connections() -> None:
    loads = WorkerLoads(4)
    busy, idle = loads.claim(101), loads.claim(102)
    assert (busy, idle) == (0, 1)
    loads.hold(idle, 3)
    assert loads.may_accept(busy, 3 + SLACK)
    assert not loads.may_accept(busy, 3 + SLACK + 1)
    loads.hold(busy, 3 + SLACK + 1)
    assert loads.may_accept(idle, 3)  # the least loaded worker always accepts: someone always does


def test_a_worker_alone_always_accepts() -> None:
    loads = WorkerLoads(2)
    slot = loads.claim(101)
    assert slot is not None and loads.may_accept(slot, 1000)


def test_a_stopping_sibling_is_not_deferred_to() -> None:
    loads = WorkerLoads(2)
    busy, stopping = loads.claim(101), loads.claim(102)
    assert busy is not None and stopping is not None
    loads.hold(stopping, 0)
    assert not loads.may_accept(busy, 50)
    loads.withdraw(stopping)
    assert loads.may_accept(busy, 50)


def test_a_hung_sibling_is_not_deferred_to(monkeypatch: pytest.MonkeyPatch) -> None:
    loads = WorkerLoads(2)
    busy, hung = loads.claim(101), loads.claim(102)
    assert busy is not None and hung is not None
    loads.hold(hung, 0)
    later = time.monotonic() + workerload.STALE + 1
    monkeypatch.setattr(workerload.time, "monotonic", lambda: later)
    assert loads.may_accept(busy, 50)


def test_a_released_slot_is_free_again_and_keeps_its_requests() -> None:
    loads = WorkerLoads(2)
    assert [loads.claim(101), loads.claim(102), loads.claim(103)] == [0, 1, None]
    for _ in range(5):
        loads.answered(0)
    loads.hold(0, 7)
    loads.release(101)
    assert list(loads.figures()) == [(0, 0, 5), (1, 0, 0)]
    assert loads.claim(103) == 0
    loads.answered(0)
    assert next(iter(loads.figures())) == (0, 0, 6)  # the slot's count goes on: the totals still add up


def test_a_peer_s_connections_add_up_across_workers_and_a_departed_worker_s_are_forgotten() -> None:
    loads = WorkerLoads(4)
    first, second = loads.claim(101), loads.claim(102)
    assert first is not None and second is not None
    loads.peer_connected(first, 7, 1)
    loads.peer_connected(second, 7, 1)
    loads.peer_connected(second, 7, 1)
    loads.peer_connected(second, 8, 1)
    assert (loads.peer_connections(7), loads.peer_connections(8)) == (3, 1)
    loads.peer_connected(second, 7, -1)
    assert loads.peer_connections(7) == 2
    loads.release(102)  # the arbiter reaped it: its connections are gone with it
    assert (loads.peer_connections(7), loads.peer_connections(8)) == (1, 0)
    assert loads.claim(103) == second and loads.peer_connections(8) == 0  # a new worker starts from nothing
