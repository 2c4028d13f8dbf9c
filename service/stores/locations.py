"""Where a store lives: a file in the state folder, a configured SQLite file, or a Redis server."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from ..runtime import runtime_folder

#: The setting that names the state folder, for the messages of everything kept there by default.
STATE_KEY = "SOAPBRIDGE_STATE_DIR"
#: How a store's setting names a Redis server rather than a SQLite file.
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def is_redis(location: str | None) -> bool:
    return location is not None and location.startswith(REDIS_SCHEMES)


def state_folder(configured: Path | None, owner: object) -> Path:
    """The configured folder, made if missing; None (a Settings built in code, as the tests build theirs) is a
    new temporary folder that goes with owner, so that nothing a test keeps reaches another test or run."""
    if configured is None:
        return runtime_folder(None, owner)
    try:
        configured.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot make the state folder {configured}: {exc.strerror}", key=STATE_KEY) from exc
    return configured
