"""The SQLite and the Redis nonce store pass the same suite: once, per client, until expiry, under concurrency,
shared by every store opened on the same file or server; and the settings choose between them."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from soapbridge.errors import ConfigError, StoreError
from soapbridge.nonces import NonceStore, RedisNonces, SqliteNonces, open_nonce_store
from soapbridge.settings import Idempotency, Settings
from tests.conftest import ROOT
from tests.redisserver import redis_server
from tests.running import free_port

StoreFactory = Callable[[], NonceStore]
KEY = "SOAPBRIDGE_NONCE_STORE"


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """Each call opens another store on the same file or server, as another worker or instance would."""
    if request.param == "sqlite":
        return lambda: SqliteNonces(tmp_path / "nonces.sqlite3", KEY)
    url = request.getfixturevalue("redis_url")
    return lambda: RedisNonces(redis.Redis.from_url(url))


def nonce() -> bytes:
    return secrets.token_bytes(16)  # Redis is shared by the whole session


def test_a_nonce_is_accepted_once_per_client(make_store: StoreFactory) -> None:
    store, seen, now = make_store(), nonce(), time.time()
    assert store.remember("kiosk", seen, now + 60, now) is True
    assert store.remember("kiosk", seen, now + 60, now) is False
    assert store.remember("till", seen, now + 60, now) is True


def test_a_nonce_is_refused_by_every_store_sharing_the_file_or_server(make_store: StoreFactory) -> None:
    seen, now = nonce(), time.time()
    assert make_store().remember("kiosk", seen, now + 60, now) is True
    assert make_store().remember("kiosk", seen, now + 60, now) is False


def test_a_nonce_is_forgotten_once_its_window_has_passed(make_store: StoreFactory) -> None:
    store, seen = make_store(), nonce()
    assert store.remember("kiosk", seen, time.time() + 0.3, time.time()) is True
    time.sleep(0.5)
    assert store.remember("kiosk", seen, time.time() + 60, time.time()) is True


def test_of_many_concurrent_tokens_with_one_nonce_exactly_one_is_accepted(make_store: StoreFactory) -> None:
    seen, results, barrier = nonce(), [], threading.Barrier(16)

    def remember() -> None:
        store = make_store()
        barrier.wait()
        results.append(store.remember("kiosk", seen, time.time() + 60, time.time()))

    threads = [threading.Thread(target=remember) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False] * 15 + [True]


def test_the_store_never_holds_the_nonce_itself(tmp_path: Path) -> None:
    seen = b"my-own-nonce-bytes"
    SqliteNonces(tmp_path / "nonces.sqlite3", KEY).remember("kiosk", seen, time.time() + 60, time.time())
    assert seen not in b"".join(path.read_bytes() for path in tmp_path.iterdir())


def test_the_settings_choose_the_store(tmp_path: Path, redis_url: str) -> None:
    def opened(nonces: str | None = None, keys: str | None = None) -> NonceStore:
        settings = Settings(root=ROOT, nonce_store=nonces, idempotency=Idempotency(store=keys))
        return open_nonce_store(settings, tmp_path / "state")

    default = opened()
    assert isinstance(default, SqliteNonces) and default.path == tmp_path / "state" / "nonces.sqlite3"
    assert isinstance(opened(keys=str(tmp_path / "keys.sqlite3")), SqliteNonces)
    assert isinstance(opened(keys=redis_url), RedisNonces)  # several instances share keys: nonces go with them
    chosen = opened(nonces=str(tmp_path / "mine.sqlite3"), keys=redis_url)
    assert isinstance(chosen, SqliteNonces) and chosen.path == tmp_path / "mine.sqlite3"
    assert isinstance(opened(nonces=redis_url), RedisNonces)


def test_an_unreachable_or_unusable_store_is_one_config_error(tmp_path: Path) -> None:
    unreachable = f"redis://127.0.0.1:{free_port()}/0"
    (tmp_path / "garbage").write_bytes(b"no SQLite database here" * 100)
    for nonces, keys, message in (
        (unreachable, None, rf"^{KEY}: cannot reach the Redis server at 127\.0\.0\.1:\d+: .*refused"),
        (None, unreachable, r"^SOAPBRIDGE_IDEMPOTENCY_STORE: cannot reach the Redis server"),
        (str(tmp_path / "garbage"), None, rf"^{KEY}: cannot use \S+ as a SQLite store: file is not a database$"),
    ):
        settings = Settings(root=ROOT, nonce_store=nonces, idempotency=Idempotency(store=keys))
        with pytest.raises(ConfigError, match=message):
            open_nonce_store(settings, tmp_path / "state")


def test_a_store_gone_away_is_a_store_error_that_names_no_server(tmp_path: Path) -> None:
    with redis_server(tmp_path) as url:
        store = RedisNonces(redis.Redis.from_url(url))
    with pytest.raises(StoreError) as raised:
        store.remember("kiosk", nonce(), time.time() + 60, time.time())
    assert raised.value.message == "the nonce store cannot be read or written; try again later"
