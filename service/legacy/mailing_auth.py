"""ListPost's HTTP Basic authentication: one API user and key, from the environment, compared in constant time."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

USERNAME_ENV = "SOAPBRIDGE_MAILING_USERNAME"
PASSWORD_ENV = "SOAPBRIDGE_MAILING_PASSWORD"


@dataclass(frozen=True)
class Credentials:
    """The one API user the emulator accepts."""

    username: str
    password: str

    def accepts(self, authorization: str) -> bool:
        """True when the Authorization header value carries exactly these credentials."""
        given = _basic_credentials(authorization)
        if given is None:
            return False
        user_ok = hmac.compare_digest(given[0].encode(), self.username.encode())
        password_ok = hmac.compare_digest(given[1].encode(), self.password.encode())
        return user_ok and password_ok


def _basic_credentials(authorization: str) -> tuple[str, str] | None:
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    return (username, password) if colon else None


def credentials_from(env: Mapping[str, str]) -> Credentials:
    """The expected API user from the environment; both values are required."""
    missing = [name for name in (USERNAME_ENV, PASSWORD_ENV) if not env.get(name)]
    if missing:
        raise ValueError(f"the mailing emulator needs {' and '.join(missing)} in its environment")
    return Credentials(env[USERNAME_ENV], env[PASSWORD_ENV])
