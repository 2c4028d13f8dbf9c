"""The SQLite and the Redis store pass the same suite: claim, complete, replay, mismatch, expiry, release,
restore; and a Redis server restarted empty is noticed by the next claim, completion or check."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from soapbridge.errors import ConfigError, StoreError, StoreReset
from soapbridge.idempotency import Entry, Kept, RedisStore, SqliteStore, Store, open_keys, open_store
from soapbridge.settings import Idempotency, Settings
from soapbridge.stores.redisserver import connect
from tests.conftest import ROOT
from tests.redisserver import redis_server
from tests.running import free_port

StoreFactory = Callable[[float], Store]


def joined(url: str, ttl: float) -> RedisStore:
    """A Redis store as open_keys leaves it: having restored its (here empty) journal, so knowing the epoch."""
    store = RedisStore(connect(url, "SOAPBRIDGE_IDEMPOTENCY_STORE"), ttl)
    store.restore([])
    return store


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    if request.param == "sqlite":
        return lambda ttl: SqliteStore(tmp_path / "keys.sqlite3", ttl)
    url = request.getfixturevalue("redis_url")
    return lambda ttl: joined(url, ttl)


def digest() -> str:
    return secrets.token_hex(32)  # Redis is shared by the whole session


def done(fingerprint: str, outcome: bytes) -> Entry:
    return Entry(fingerprint, time.time(), outcome)


def test_the_first_claim_owns_the_key_and_a_repeat_sees_it_in_flight(make_store: StoreFactory) -> None:
    store, key = make_store(60), digest()
    assert store.claim(key, "f1") is None
    entry = store.claim(key, "f1")
    assert entry is not None and (entry.fingerprint, entry.outcome) == ("f1", None)
    assert abs(entry.claimed - time.time()) < 60


def test_a_completed_key_replays_its_outcome(make_store: StoreFactory) -> None:
    store, key = make_store(60), digest()
    store.claim(key, "f1")
    store.complete(key, done("f1", b"<receipt/>"))
    entry = store.claim(key, "f1")
    assert entry is not None and entry.outcome == b"<receipt/>"
    peeked = store.peek(key)
    assert peeked is not None and peeked.outcome == b"<receipt/>"


def test_an_outcome_is_kept_even_when_the_claim_was_lost(make_store: StoreFactory) -> None:
    """What the flusher relies on: a pending outcome is written whatever the store holds for its key now."""
    store, key = make_store(60), digest()
    store.complete(key, done("f1", b"<receipt/>"))
    entry = store.peek(key)
    assert entry is not None and entry.outcome == b"<receipt/>"


def test_another_request_sees_the_first_fingerprint(make_store: StoreFactory) -> None:
    store, key = make_store(60), digest()
    store.claim(key, "f1")
    entry = store.claim(key, "f2")
    assert entry is not None and entry.fingerprint == "f1"


def test_a_released_key_can_be_claimed_again(make_store: StoreFactory) -> None:
    store, key = make_store(60), digest()
    store.claim(key, "f1")
    store.release(key)
    assert store.peek(key) is None
    assert store.claim(key, "f2") is None


def test_keys_expire_after_the_ttl(make_store: StoreFactory) -> None:
    store, key = make_store(0.3), digest()
    store.claim(key, "f1")
    store.complete(key, done("f1", b"done"))
    time.sleep(0.6)
    assert store.peek(key) is None
    assert store.claim(key, "f1") is None


def test_scopes_are_independent(make_store: StoreFactory) -> None:
    store, first, second = make_store(60), digest(), digest()
    assert store.claim(first, "f") is None
    assert store.claim(second, "f") is None


def test_of_many_concurrent_claims_exactly_one_wins(make_store: StoreFactory) -> None:
    key, results, barrier = digest(), [], threading.Barrier(16)
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


def test_restore_writes_back_what_is_missing_and_leaves_what_is_held(make_store: StoreFactory) -> None:
    store, missing, held = make_store(60), digest(), digest()
    store.claim(held, "someone else's")
    now = time.time()
    store.restore([Kept(missing, done("f", b"receipt"), now + 60), Kept(held, done("f", b"mine"), now + 60)])
    restored, kept = store.peek(missing), store.peek(held)
    assert restored is not None and restored.outcome == b"receipt"
    assert kept is not None and (kept.fingerprint, kept.outcome) == ("someone else's", None)


def test_a_redis_server_restarted_empty_is_noticed_and_restored(tmp_path: Path) -> None:
    port, key, other = free_port(), digest(), digest()
    with redis_server(tmp_path, port) as url:
        store = joined(url, 60)
        store.claim(key, "f")
        store.complete(key, done("f", b"receipt"))
        store.check()  # nothing lost yet
    with redis_server(tmp_path, port):
        for lost in (store.check, lambda: store.claim(other, "f"), lambda: store.complete(key, done("f", b"r"))):
            with pytest.raises(StoreReset):
                lost()
        store.restore([Kept(key, done("f", b"receipt"), time.time() + 60)])
        store.check()
        began = time.monotonic()
        entry = store.claim(key, "f")  # after a reset, claims wait for the other instances to restore theirs
        assert time.monotonic() - began > 1.0
        assert entry is not None and entry.outcome == b"receipt"


def test_the_store_and_the_journal_never_hold_the_key_itself(tmp_path: Path) -> None:
    keys = open_keys(Settings(root=ROOT), tmp_path)
    keys.claim("client\nRecordPayment\nmy-secret-key-123", "f")
    written = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert written and b"my-secret-key-123" not in written


def test_open_store_follows_the_settings(tmp_path: Path, redis_url: str) -> None:
    def settings(store: str | None) -> Settings:
        return Settings(root=ROOT, idempotency=Idempotency(store=store, ttl=120))

    state = tmp_path / "state"
    chosen = open_store(settings(str(tmp_path / "chosen.sqlite3")), state)
    assert isinstance(chosen, SqliteStore) and chosen.path == tmp_path / "chosen.sqlite3" and chosen.ttl == 120
    shared = open_store(settings(None), state)
    assert isinstance(shared, SqliteStore) and shared.path == state / "idempotency.sqlite3"
    assert isinstance(open_store(settings(redis_url), state), RedisStore)
    with pytest.raises(ConfigError, match=r"^SOAPBRIDGE_IDEMPOTENCY_STORE: cannot reach the Redis server at 127"):
        open_store(settings(f"redis://127.0.0.1:{free_port()}/0"), state)


@pytest.mark.parametrize(
    ("store", "message"),
    [
        ("not-a-database", r"^SOAPBRIDGE_IDEMPOTENCY_STORE: cannot use \S+ as a SQLite store: file is not a database$"),
        ("a-file/k.sqlite3", r"^SOAPBRIDGE_IDEMPOTENCY_STORE: cannot use \S+ as a SQLite store: \S+ is not a folder$"),
    ],
)
def test_an_unusable_sqlite_file_is_one_config_error(tmp_path: Path, store: str, message: str) -> None:
    (tmp_path / "not-a-database").write_bytes(b"this is no SQLite database" * 100)
    (tmp_path / "a-file").write_text("")
    settings = Settings(root=ROOT, idempotency=Idempotency(store=str(tmp_path / store)))
    with pytest.raises(ConfigError, match=message):
        open_store(settings, tmp_path / "state")


def test_settings_read_the_environment() -> None:
    env = {"SOAPBRIDGE_IDEMPOTENCY_STORE": "redis://127.0.0.1:6379/2", "SOAPBRIDGE_IDEMPOTENCY_TTL": "600"}
    assert Idempotency.from_env(env) == Idempotency("redis://127.0.0.1:6379/2", 600)


def test_a_broken_sqlite_file_is_a_store_error_that_names_no_file(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "keys.sqlite3", 60)
    for leftover in tmp_path.glob("keys.sqlite3-*"):
        leftover.unlink()
    (tmp_path / "keys.sqlite3").write_bytes(b"this is no longer a SQLite database" * 100)
    with pytest.raises(StoreError) as raised:
        store.claim(digest(), "f1")
    assert "keys.sqlite3" not in raised.value.message and "same key" in raised.value.message


def test_a_redis_server_gone_away_is_a_store_error_that_names_no_server(tmp_path: Path) -> None:
    with redis_server(tmp_path) as url:
        store = joined(url, 60)
    with pytest.raises(StoreError) as raised:
        store.claim(digest(), "f1")
    assert "127.0.0.1" not in raised.value.message and "same key" in raised.value.message
