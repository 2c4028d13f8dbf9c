"""The policy pieces on their own: deadline arithmetic, back-off bounds, the retry loop, breaker states, bulkhead."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from soapbridge.config import Breaker, Bulkhead, Retry
from soapbridge.errors import UpstreamError, UpstreamTimeout, UpstreamUnavailable
from soapbridge.upstream.breaker import CircuitBreaker
from soapbridge.upstream.bulkhead import Bulkhead as BulkheadGate
from soapbridge.upstream.deadline import Deadline
from soapbridge.upstream.retry import backoff, with_retries


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_steps_deadline_is_its_own_or_what_is_left_of_the_composites() -> None:
    clock = Clock()
    composite = Deadline(5, clock)
    assert composite.within(2).left() == 2
    clock.now += 4
    assert composite.within(2) is composite and composite.left() == 1
    assert composite.cap(10) == 1 and composite.cap(0.5) == 0.5
    clock.now += 2
    assert composite.expired and composite.cap(10) == 0


@pytest.mark.parametrize(("failures", "ceiling"), [(1, 0.2), (2, 0.4), (3, 0.8), (5, 2.0), (9, 2.0)])
def test_backoff_doubles_with_full_jitter_up_to_its_cap(failures: int, ceiling: float) -> None:
    retry = Retry(attempts=10, backoff=0.2, max_backoff=2.0)
    assert backoff(retry, failures, lambda: 0.0) == 0
    assert backoff(retry, failures, lambda: 1.0) == pytest.approx(ceiling)
    assert 0 <= backoff(retry, failures) <= ceiling


def failing(*errors: UpstreamError) -> tuple[list[int], Callable[[], str]]:
    tries: list[int] = []

    def attempt() -> str:
        tries.append(1)
        if len(tries) <= len(errors):
            raise errors[len(tries) - 1]
        return "answer"

    return tries, attempt


def transient(sent: bool = True) -> UpstreamUnavailable:
    return UpstreamUnavailable("billing reset", system="billing", sent=sent, transient=True)


def test_transient_failures_are_tried_again_within_the_count() -> None:
    tries, attempt = failing(transient(), transient())
    pauses: list[float] = []
    assert with_retries(attempt, Retry(3, 0.2, 2.0), Deadline(10), "billing x", pauses.append) == "answer"
    assert len(tries) == 3 and len(pauses) == 2 and all(0 <= p <= 0.4 for p in pauses)


def test_the_count_is_bounded_and_a_timeout_is_never_tried_again() -> None:
    tries, attempt = failing(transient(), transient(), transient())
    with pytest.raises(UpstreamUnavailable):
        with_retries(attempt, Retry(2, 0.01, 0.01), Deadline(10), "billing x", lambda _: None)
    assert len(tries) == 2
    tries, attempt = failing(UpstreamTimeout("late", system="billing"))
    with pytest.raises(UpstreamTimeout):
        with_retries(attempt, Retry(3, 0.01, 0.01), Deadline(10), "billing x", lambda _: None)
    assert len(tries) == 1


def test_no_pause_reaches_past_the_deadline() -> None:
    tries, attempt = failing(transient())
    with pytest.raises(UpstreamUnavailable):
        with_retries(attempt, Retry(3, 5.0, 5.0), Deadline(0.001), "billing x", lambda _: None)
    assert len(tries) == 1


def test_the_final_error_says_sent_when_any_try_reached_the_system() -> None:
    first = transient(sent=True)
    _, attempt = failing(first, transient(sent=False))
    with pytest.raises(UpstreamUnavailable) as caught:
        with_retries(attempt, Retry(2, 0.01, 0.01), Deadline(10), "billing x", lambda _: None)
    assert caught.value is first and caught.value.sent


def test_the_breaker_opens_half_opens_for_one_probe_and_closes() -> None:
    clock = Clock()
    breaker = CircuitBreaker("billing", Breaker(failures=3, slow_call=1, cooldown=2, max_cooldown=5), clock)
    for _ in range(3):
        assert breaker.admit() is False
        breaker.failed(probe=False)
    assert breaker.health() == {"state": "open", "consecutive_failures": 3, "retry_in": 2.0}
    with pytest.raises(UpstreamUnavailable, match=r"billing is failing.* again in 2\.0 s") as caught:
        breaker.admit()
    assert not caught.value.sent
    clock.now += 2
    assert breaker.admit() is True
    assert breaker.health()["state"] == "half-open"
    with pytest.raises(UpstreamUnavailable, match="trial call"):
        breaker.admit()
    breaker.succeeded(probe=True)
    assert breaker.health() == {"state": "closed", "consecutive_failures": 0, "retry_in": None}


def test_each_failed_probe_doubles_the_cooldown_up_to_its_cap() -> None:
    clock = Clock()
    breaker = CircuitBreaker("billing", Breaker(failures=1, slow_call=1, cooldown=2, max_cooldown=5), clock)
    breaker.failed(probe=False)
    for cooldown in (4.0, 5.0, 5.0):
        clock.now += 10
        assert breaker.admit() is True
        breaker.failed(probe=True)
        assert breaker.health()["retry_in"] == cooldown


def test_a_probe_that_was_never_sent_gives_its_turn_back() -> None:
    clock = Clock()
    breaker = CircuitBreaker("billing", Breaker(failures=1, slow_call=1, cooldown=2, max_cooldown=5), clock)
    breaker.failed(probe=False)
    clock.now += 2
    assert breaker.admit() is True
    breaker.abandoned(probe=True)
    assert breaker.admit() is True


def test_a_success_resets_the_count_of_consecutive_failures() -> None:
    breaker = CircuitBreaker("billing", Breaker(failures=2, slow_call=1, cooldown=2, max_cooldown=5), Clock())
    breaker.failed(probe=False)
    breaker.succeeded(probe=False)
    breaker.failed(probe=False)
    assert breaker.health()["state"] == "closed"


def test_a_full_bulkhead_fails_fast_without_sending() -> None:
    gate = BulkheadGate("billing", Bulkhead(max_concurrent=1, max_wait=0.05))
    inside, leave = threading.Event(), threading.Event()

    def occupy() -> None:
        with gate.slot(Deadline(10)):
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=occupy)
    thread.start()
    try:
        assert inside.wait(5) and gate.in_flight == 1
        with (
            pytest.raises(UpstreamUnavailable, match="billing is busy: 1 calls in progress") as caught,
            gate.slot(Deadline(10)),
        ):
            pass
        assert not caught.value.sent
    finally:
        leave.set()
        thread.join()
    with gate.slot(Deadline(10)):
        assert gate.in_flight == 1
    assert gate.in_flight == 0
