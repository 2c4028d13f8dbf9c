"""At start-up, a Redis store reads the server's CONFIG and says in one WARNING when it may lose keys, or that it
cannot tell; real redis-servers, configured each way."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from soapbridge.stores.redisserver import connect, durability_problems, warn_unless_durable, where
from tests.redisserver import redis_server

KEY = "SOAPBRIDGE_IDEMPOTENCY_STORE"


def warnings_for(folder: Path, caplog: pytest.LogCaptureFixture, durable: bool, extra: Sequence[str] = ()) -> list[str]:
    with redis_server(folder, durable=durable, extra=extra) as url:
        caplog.clear()
        warn_unless_durable(connect(url, KEY), url, KEY)
    return [record.getMessage() for record in caplog.records if record.name == "soapbridge.stores"]


def test_a_server_that_persists_and_never_evicts_is_not_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert warnings_for(tmp_path, caplog, durable=True) == []


def test_no_persistence_and_an_evicting_policy_are_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (warning,) = warnings_for(tmp_path, caplog, durable=False, extra=("--maxmemory-policy", "allkeys-lru"))
    assert warning.startswith("the Redis server at 127.0.0.1:")
    assert f"({KEY}) may lose keys: no persistence (appendonly no, save ''): a restart loses every key; " in warning
    assert "maxmemory-policy allkeys-lru evicts keys when memory runs short" in warning
    assert warning.endswith("set appendonly yes, appendfsync everysec (or always) and maxmemory-policy noeviction")


def test_a_server_that_refuses_config_cannot_be_verified(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (warning,) = warnings_for(tmp_path, caplog, durable=True, extra=("--rename-command", "CONFIG", ""))
    assert "refuses CONFIG GET (ResponseError): whether it keeps keys" in warning and "cannot be verified" in warning


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"appendonly": "no", "save": "3600 1"}, "snapshots only (save '3600 1'): a restart loses the keys written"),
        ({"appendonly": "yes", "appendfsync": "no"}, "appendfsync no: a crash may lose the last 30 s or so of writes"),
        ({"appendonly": "yes", "appendfsync": "always"}, None),
        ({"appendonly": "yes", "appendfsync": "everysec"}, None),
    ],
)
def test_what_counts_as_persistence(config: dict[str, str | None], problem: str | None) -> None:
    problems = durability_problems({**config, "maxmemory-policy": "noeviction"})
    assert len(problems) == (problem is not None) and all(found.startswith(str(problem)) for found in problems)
    # every key a store writes has a TTL: a volatile-* policy evicts them as readily as allkeys-*
    assert durability_problems({**config, "maxmemory-policy": "volatile-lru"})[-1].startswith("maxmemory-policy")


def test_a_server_is_named_without_its_credentials() -> None:
    assert where("redis://gateway:s3cret@cache.example:6380/2") == "cache.example:6380"
    assert where("rediss://:s3cret@cache.example/0") == "cache.example:6379"
    assert where("unix:///run/redis/redis.sock?db=1") == "/run/redis/redis.sock"
