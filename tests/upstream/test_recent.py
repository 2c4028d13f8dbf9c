"""The recent tries of a legacy system: counted by kind, forgotten after the window, shared with forked workers."""

from __future__ import annotations

import multiprocessing

from soapbridge.upstream.recent import Recent, RecentCalls


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_tries_failures_and_faults_are_counted_apart() -> None:
    recent = RecentCalls(window=300, slices=10, clock=Clock())
    assert recent.summary() == Recent(0, 0, 0, 300) and recent.summary().failure_rate is None
    for failed, fault in ((False, False), (False, True), (True, False), (True, False)):
        recent.record(failed=failed, fault=fault)
    assert recent.summary() == Recent(tries=4, failed=2, faults=1, window=300)
    assert recent.summary().failure_rate == 0.5


def test_tries_older_than_the_window_are_forgotten() -> None:
    clock = Clock()
    recent = RecentCalls(window=300, slices=10, clock=clock)
    recent.record(failed=True, fault=False)
    clock.now += 150
    recent.record(failed=False, fault=False)
    assert recent.summary().tries == 2
    clock.now += 180  # the first try's slice has left the window, the second's has not
    assert recent.summary() == Recent(1, 0, 0, 300)
    clock.now += 3000  # a slot reused a whole ring later starts from zero
    recent.record(failed=False, fault=True)
    assert recent.summary() == Recent(1, 0, 1, 300)


def _record_in_child(recent: RecentCalls) -> None:
    for _ in range(3):
        recent.record(failed=True, fault=False)


def test_workers_forked_after_it_was_made_share_the_figures() -> None:
    recent = RecentCalls()
    recent.record(failed=False, fault=False)
    child = multiprocessing.get_context("fork").Process(target=_record_in_child, args=(recent,))
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 0
    assert recent.summary() == Recent(tries=4, failed=3, faults=0, window=recent.window)
