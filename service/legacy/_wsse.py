"""WS-Security UsernameToken checking, as a legacy system that demands PasswordDigest does it.

OASIS Web Services Security UsernameToken Profile 1.0, PasswordDigest only:

    Password = Base64( SHA-1( nonce + created + password ) )

where nonce is the decoded wsse:Nonce, created the wsu:Created text exactly as sent, and
password the shared secret in UTF-8. A token is refused when any part is missing, the
password is PasswordText, the digest or the user is wrong, Created is in the future or older
than the allowed age, or its nonce was already accepted within that age (a replay).

The reason a token was refused is kept on the exception for tests and diagnostics; a system
must never tell the caller which part was wrong, and the password is never shown.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lxml import etree

from ..namespaces import WSSE, WSSE_PASSWORD_DIGEST, WSU

#: How old wsu:Created may be; also how long an accepted nonce is remembered.
MAX_AGE = timedelta(minutes=5)
BASE64_BINARY = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"

Clock = Callable[[], datetime]


class TokenRejected(Exception):
    """Raised when a request's UsernameToken does not authenticate it; reason is for logs only."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class UsernameToken:
    """The parts of a PasswordDigest UsernameToken, decoded."""

    username: str
    digest: bytes
    nonce: bytes
    created_text: str
    created: datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


class UsernameTokenVerifier:
    """Accepts one account's PasswordDigest tokens, each nonce once; thread-safe."""

    def __init__(self, username: str, password: str, *, max_age: timedelta = MAX_AGE, clock: Clock = utc_now) -> None:
        self._username = username
        self._password = password.encode("utf-8")
        self._max_age = max_age
        self._clock = clock
        self._nonces: dict[bytes, datetime] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"UsernameTokenVerifier(username={self._username!r}, password=<hidden>)"

    def verify(self, header: etree._Element | None) -> str:
        """The authenticated user name; raises TokenRejected otherwise."""
        token = read_token(header)
        now = self._clock()
        self._check_freshness(token.created, now)
        self._check_credentials(token)
        self._remember_nonce(token, now)
        return token.username

    def _check_freshness(self, created: datetime, now: datetime) -> None:
        if created > now:
            raise TokenRejected("Created is in the future")
        if now - created > self._max_age:
            raise TokenRejected("Created is too old")

    def _check_credentials(self, token: UsernameToken) -> None:
        expected = password_digest(token.nonce, token.created_text, self._password)
        user_ok = hmac.compare_digest(token.username.encode("utf-8"), self._username.encode("utf-8"))
        if not (hmac.compare_digest(expected, token.digest) and user_ok):
            raise TokenRejected("unknown user or wrong password")

    def _remember_nonce(self, token: UsernameToken, now: datetime) -> None:
        with self._lock:
            self._nonces = {n: until for n, until in self._nonces.items() if until >= now}
            if token.nonce in self._nonces:
                raise TokenRejected("the nonce was already used")
            self._nonces[token.nonce] = token.created + self._max_age


def password_digest(nonce: bytes, created: str, password: bytes) -> bytes:
    """SHA-1(nonce + created + password), not yet Base64-encoded."""
    return hashlib.sha1(nonce + created.encode("utf-8") + password).digest()


def read_token(header: etree._Element | None) -> UsernameToken:
    """The UsernameToken of a SOAP header; raises TokenRejected when it is absent or malformed."""
    token = None if header is None else header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None:
        raise TokenRejected("no wsse:Security header with a UsernameToken")
    password = _child(token, WSSE, "Password")
    if password.get("Type") != WSSE_PASSWORD_DIGEST:
        raise TokenRejected("the password is not a PasswordDigest")
    nonce = _child(token, WSSE, "Nonce")
    if nonce.get("EncodingType", BASE64_BINARY) != BASE64_BINARY:
        raise TokenRejected("the nonce is not Base64Binary")
    created = _text(_child(token, WSU, "Created"))
    return UsernameToken(
        username=_text(_child(token, WSSE, "Username")),
        digest=_base64(_text(password)),
        nonce=_base64(_text(nonce)),
        created_text=created,
        created=_timestamp(created),
    )


def _child(parent: etree._Element, ns: str, local: str) -> etree._Element:
    found = parent.find(f"{{{ns}}}{local}")
    if found is None:
        raise TokenRejected(f"the UsernameToken has no {local}")
    return found


def _text(element: etree._Element) -> str:
    text = (element.text or "").strip()
    if not text:
        raise TokenRejected(f"{etree.QName(element).localname} is empty")
    return text


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TokenRejected("a Base64 value does not decode") from exc


def _timestamp(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise TokenRejected("Created is not a dateTime") from exc
    if moment.tzinfo is None:
        raise TokenRejected("Created has no time zone")
    return moment
