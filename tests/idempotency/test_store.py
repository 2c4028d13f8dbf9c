"""The SQLite and the Redis store pass the same suite: claim, complete, replay, mismatch, expiry, release."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from soapbridge.errors import ConfigError, StoreError
from soapbridge.idempotency import RedisStore, SqliteStore, Store, open_store
from soapbridge.settings import Idempotency, Settings
from tests.conftest import ROOT
from tests.running import free_port

from .conftest import redis_server

StoreFactory = Callable[[float], Store]


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    if request.param == "sqlite":
        return lambda ttl: SqliteStore(tmp_path / "keys.sqlite3", ttl)
    url = request.getfixturevalue("redis_url")
    return lambda ttl: RedisStore(url, ttl)


def scope() -> str:
    return f"client\nRecordPayment\n{secrets.token_hex(8)}"  # Redis is shared by the whole session


def test_the_first_claim_owns_the_key_and_a_repeat_sees_it_in_flight(make_store: StoreFactory) -> None:
    store, key = make_store(60), scope()
    assert store.claim(key, "f1") is None
    entry = store.claim(key, "f1")
    assert entry is not None and (entry.fingerprint, entry.outcome) == ("f1", None)
    assert abs(entry.claimed - time.time()) < 60


def test_a_completed_key_replays_its_outcome(make_store: StoreFactory) -> None:
    store, key = make_store(60), scope()
    store.claim(key, "f1")
    store.complete(key, b"<receipt/>")
    entry = store.claim(key, "f1")
    assert entry is not None and entry.outcome == b"<receipt/>"
    peeked = store.peek(key)
    assert peeked is not None and peeked.outcome == b"<receipt/>"


def test_another_request_sees_the_first_fingerprint(make_store: StoreFactory) -> None:
    store, key = make_store(60), scope()
    store.claim(key, "f1")
    entry = store.claim(key, "f2")
    assert entry is not None and entry.fingerprint == "f1"


def test_a_released_key_can_be_claimed_again(make_store: StoreFactory) -> None:
    store, key = make_store(60), scope()
    store.claim(key, "f1")
    store.release(key)
    assert store.peek(key) is None
    assert store.claim(key, "f2") is None


def test_keys_expire_after_the_ttl(make_store: StoreFactory) -> None:
    store, key = make_store(0.3), scope()
    store.claim(key, "f1")
    store.complete(key, b"done")
    time.sleep(0.6)
    assert store.peek(key) is None
    assert store.claim(key, "f1") is None


def test_scopes_are_independent(make_store: StoreFactory) -> None:
    store, first, second = make_store(60), scope(), scope()
    assert store.claim(first, "f") is None
    assert store.claim(second, "f") is None


def test_of_many_concurrent_claims_exactly_one_wins(make_store: StoreFactory) -> None:
    key, results, barrier = scope(), [], threading.Barrier(16)
    store = make_store(60)

    def claim() -> None:
        barrier.wait()
        results.append(store.claim(key, "f"))

    threads = [threading.Thread(target=claim) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 16 and results.count(None) == 1


def test_the_store_never_holds_the_key_itself(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "keys.sqlite3", 60)
    store.claim("client\nRecordPayment\nmy-secret-key-123", "f")
    assert b"my-secret-key-123" not in (tmp_path / "keys.sqlite3").read_bytes() + _wal(tmp_path)


def _wal(folder: Path) -> bytes:
    wal = folder / "keys.sqlite3-wal"
    return wal.read_bytes() if wal.exists() else b""


def test_open_store_follows_the_settings(tmp_path: Path, redis_url: str) -> None:
    def settings(store: str | None) -> Settings:
        return Settings(root=ROOT, idempotency=Idempotency(store=store, ttl=120))

    runtime = tmp_path / "runtime"
    chosen = open_store(settings(str(tmp_path / "chosen.sqlite3")), runtime)
    assert isinstance(chosen, SqliteStore) and chosen.path == tmp_path / "chosen.sqlite3" and chosen.ttl == 120
    shared = open_store(settings(None), runtime)
    assert isinstance(shared, SqliteStore) and shared.path == runtime / "idempotency.sqlite3"
    assert isinstance(open_store(settings(redis_url), runtime), RedisStore)
    with pytest.raises(ConfigError, match=r"SOAPBRIDGE_IDEMPOTENCY_STORE.*cannot reach the Redis server"):
        open_store(settings(f"redis://127.0.0.1:{free_port()}/0"), runtime)


def test_settings_read_the_environment() -> None:
    env = {"SOAPBRIDGE_IDEMPOTENCY_STORE": "redis://127.0.0.1:6379/2", "SOAPBRIDGE_IDEMPOTENCY_TTL": "600"}
    assert Idempotency.from_env(env) == Idempotency("redis://127.0.0.1:6379/2", 600)


def test_a_broken_sqlite_file_is_a_store_error_that_names_no_file(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "keys.sqlite3", 60)
    for leftover in tmp_path.glob("keys.sqlite3-*"):
        leftover.unlink()
    (tmp_path / "keys.sqlite3").write_bytes(b"this is no longer a SQLite database" * 100)
    with pytest.raises(StoreError) as raised:
        store.claim(scope(), "f1")
    assert "keys.sqlite3" not in raised.value.message and "same key" in raised.value.message


def test_a_redis_server_gone_away_is_a_store_error_that_names_no_server(tmp_path: Path) -> None:
    with redis_server(tmp_path) as url:
        store = RedisStore(url, 60)
    with pytest.raises(StoreError) as raised:
        store.claim(scope(), "f1")
    assert "127.0.0.1" not in raised.value.message and "same key" in raised.value.message
