"""The credential cache and the hash budget (soapbridge.gateway.credentials), on a clock the test moves."""

from __future__ import annotations

import threading

from soapbridge.clients import Client
from soapbridge.gateway.credentials import CredentialCache, HashBudget

CLIENT = Client("billing", frozenset({"*"}))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_fingerprint_holds_no_password_and_tells_pairs_apart() -> None:
    cache = CredentialCache(60)
    fingerprint = cache.fingerprint("billing", "s3cret-password")
    assert b"s3cret" not in fingerprint and len(fingerprint) == 32
    assert cache.fingerprint("ab", "c") != cache.fingerprint("a", "bc")
    assert CredentialCache(60).fingerprint("billing", "s3cret-password") != fingerprint  # a key per process


def test_a_remembered_client_expires_and_the_oldest_goes_first() -> None:
    clock = Clock()
    cache = CredentialCache(60, size=2, clock=clock)
    first, second, third = (cache.fingerprint("billing", password) for password in ("a", "b", "c"))
    cache.put(first, CLIENT)
    assert cache.get(first) is CLIENT
    clock.now += 60
    assert cache.get(first) is None
    for fingerprint in (first, second, third):
        cache.put(fingerprint, CLIENT)
    assert cache.get(first) is None and cache.get(third) is CLIENT


def test_only_failures_spend_the_budget_and_it_refills() -> None:
    clock = Clock()
    budget = HashBudget(2, clock=clock)
    assert [budget.check(lambda: True) for _ in range(5)] == [True] * 5
    assert [budget.check(lambda: False) for _ in range(3)] == [False, False, None]
    assert budget.hashes == 7  # the refused one ran nothing
    clock.now += 0.5
    assert budget.check(lambda: False) is False
    assert budget.check(lambda: True) is None


def test_hashes_run_on_the_budgets_own_threads() -> None:
    """glibc keeps a freed 16 MiB in the arena of the thread that used it: only the hashing threads may."""
    budget = HashBudget(4, concurrent=2)
    names = set()

    def verify() -> bool:
        names.add(threading.current_thread().name)
        return True

    callers = [threading.Thread(target=budget.check, args=(verify,)) for _ in range(8)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert names and len(names) <= 2 and all(name.startswith("soapbridge-scrypt") for name in names)
