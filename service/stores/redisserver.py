"""A Redis server that stores share: reached at start-up, and asked whether it keeps what it is given.

A key that Redis drops (no persistence across a restart, or evicted under memory pressure) lets a
repeated idempotency key run again and a replayed nonce through, so at start-up the server's CONFIG
is read and anything short of that is said in one WARNING. Managed servers often refuse CONFIG: then
the warning says it cannot be verified.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import redis

from ..errors import ConfigError

log = logging.getLogger("soapbridge.stores")

#: What is read from the server's CONFIG to judge whether keys survive.
DURABILITY = ("appendonly", "appendfsync", "save", "maxmemory-policy")
#: appendfsync values that lose at most about a second of writes on a crash.
SYNCED = ("always", "everysec")


def connect(url: str, setting: str) -> redis.Redis:
    """A client for url, its server answering now; else a ConfigError naming setting and the cause."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise ConfigError(f"cannot reach the Redis server at {where(url)}: {exc}", key=setting) from exc
    return client


def where(url: str) -> str:
    """The server's address without its credentials, for messages and the log."""
    parts = urlsplit(url)
    return parts.path if parts.scheme == "unix" else f"{parts.hostname}:{parts.port or 6379}"


def warn_unless_durable(client: redis.Redis, url: str, settings: str) -> None:
    """One WARNING when the server's configuration may lose keys, or when it cannot be read."""
    try:
        config = {name: client.config_get(name).get(name) for name in DURABILITY}
    except redis.RedisError as exc:  # NOPERM, or CONFIG renamed away by a managed service
        log.warning(
            "the Redis server at %s (%s) refuses CONFIG GET (%s): whether it keeps keys across a restart and under "
            "memory pressure cannot be verified; it must persist (appendonly yes, appendfsync everysec or always) "
            "and never evict (maxmemory-policy noeviction)",
            where(url),
            settings,
            type(exc).__name__,
        )
        return
    problems = durability_problems(config)
    if problems:
        log.warning(
            "the Redis server at %s (%s) may lose keys: %s; a repeated idempotency key could then run again and a "
            "replayed nonce be accepted; set appendonly yes, appendfsync everysec (or always) and maxmemory-policy "
            "noeviction",
            where(url),
            settings,
            "; ".join(problems),
        )


def durability_problems(config: dict[str, str | None]) -> list[str]:
    """What in config can lose a key, in the operator's words; empty when nothing can."""
    problems = []
    if config.get("appendonly") != "yes":
        snapshots = config.get("save") or ""
        problems.append(
            f"snapshots only (save {snapshots!r}): a restart loses the keys written since the last one"
            if snapshots
            else "no persistence (appendonly no, save ''): a restart loses every key"
        )
    elif config.get("appendfsync") not in SYNCED:
        problems.append(f"appendfsync {config.get('appendfsync')}: a crash may lose the last 30 s or so of writes")
    policy = config.get("maxmemory-policy")
    if policy != "noeviction":
        problems.append(f"maxmemory-policy {policy} evicts keys when memory runs short")
    return problems
