"""The clients file (clients.toml): who may call the gateway, with what secret, and which operations.

    [clients.demo]
    password = "scrypt$16384$8$1$...$..."      # `soapbridge hash-password` writes this line
    operations = ["*"]                         # or a list of canonical operation names

    [clients.kiosk]
    operations = ["GetForecast"]
    digest_secret_env = "SOAPBRIDGE_KIOSK_DIGEST"  # opt-in: WS-Security PasswordDigest

password is a salted hash: it checks HTTP Basic and UsernameToken PasswordText, and the
plaintext is kept nowhere. PasswordDigest cannot be checked against a hash (the server must
compute SHA-1(nonce + created + secret) itself), so a client that wants it names an environment
variable holding a separate, random digest secret; see README, "Authentication".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ._toml import Table
from .errors import ConfigError
from .passwords import is_password_hash

ANY_OPERATION = "*"
_CLIENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Client:
    """One configured client; secrets are hidden from repr so that they never reach a log."""

    name: str
    operations: frozenset[str]
    password_hash: str | None = field(default=None, repr=False)
    digest_secret: str | None = field(default=None, repr=False)

    def may_call(self, operation: str) -> bool:
        return ANY_OPERATION in self.operations or operation in self.operations


def load_clients(
    path: Path, env: Mapping[str, str], operations: Collection[str], *, need_secrets: bool = True
) -> dict[str, Client]:
    """Every client of the file by name; a mistake names the file and the key.

    need_secrets=False (check, offline): a digest secret variable that is not set reads as ""."""
    top = Table.load(path)
    top.only("clients")
    table = top.subtable("clients")
    clients = {name: _client(name, table.subtable(name), env, operations, need_secrets) for name, _ in table.items()}
    if not clients:
        raise ConfigError("no clients; authentication is on, so nobody could call the gateway", file=str(path))
    return clients


def _client(name: str, table: Table, env: Mapping[str, str], operations: Collection[str], need_secrets: bool) -> Client:
    table.only("password", "operations", "digest_secret_env")
    if not _CLIENT_NAME.fullmatch(name):
        raise table.error("", f"a client name is letters, digits, '.', '_' or '-', got {name!r}")
    password_hash = table.text("password", "a hash line written by `soapbridge hash-password`")
    if password_hash is not None and not is_password_hash(password_hash):
        raise table.error("password", "not a hash line; write one with `soapbridge hash-password`, never a plaintext")
    digest_secret = _digest_secret(table, env, need_secrets)
    if password_hash is None and digest_secret is None:
        raise table.error("password", "missing; a client needs a password hash or a digest_secret_env")
    return Client(name, _operations(table, operations), password_hash, digest_secret)


def _operations(table: Table, known: Collection[str]) -> frozenset[str]:
    names = table.require("operations", list, 'a list of operation names, or ["*"]')
    for name in names:
        if not isinstance(name, str) or (name != ANY_OPERATION and name not in known):
            raise table.error("operations", f"{name!r} is not an operation of this gateway")
    return frozenset(names)


def _digest_secret(table: Table, env: Mapping[str, str], need_secrets: bool) -> str | None:
    variable = table.text("digest_secret_env", "the name of an environment variable")
    if variable is None:
        return None
    secret = env.get(variable, "")
    if not secret and not need_secrets:
        return secret
    if len(secret) < 16:
        raise table.error("digest_secret_env", f"the environment variable {variable} must hold at least 16 characters")
    return secret
