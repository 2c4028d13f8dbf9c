"""Who is calling: WS-Security UsernameToken on SOAP, HTTP Basic on JSON, then what they may call.

Clear-text credentials (HTTP Basic, PasswordText) are checked against the client's salted
hash, and accepted only over TLS, or from a loopback peer unless SOAPBRIDGE_AUTH_PLAIN_HTTP
says otherwise. PasswordDigest is checked against the client's digest secret, within the
time window, and each nonce once across every instance that shares the nonce store (see
soapbridge.nonces). Every failure tells the client the same thing; the reason goes to the
log, without any secret.

What a check may cost is bounded: a name or address that failed too often lately is refused before
anything is checked (throttle.py), a right password is remembered for a short while so that scrypt
runs once, not per call, and failed hashes are rationed per worker (credentials.py).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import logging
import secrets
import time
from collections.abc import Callable, Collection
from functools import partial
from pathlib import Path

from lxml import etree

from ..clients import Client, load_clients
from ..errors import AuthenticationError, AuthorizationError, ThrottledError
from ..nonces import NonceStore, open_nonce_store
from ..passwords import hash_password, verify_password
from ..settings import Auth, Settings
from .credentials import CredentialCache, HashBudget
from .http import Request
from .throttle import FailureThrottle, memory_throttle, open_throttle
from .wsse import REFUSED, UsernameToken, password_digest, read_token, refused

log = logging.getLogger("soapbridge.auth")

#: How far in the future a wsu:Created may be, for clocks that disagree a little.
CLOCK_SKEW = 60.0
CHALLENGE = 'Basic realm="soapbridge", charset="UTF-8"'
CLEAR_TEXT_REFUSED = "clear-text credentials are accepted only over TLS; use https or PasswordDigest"
#: What a throttled client is told; the seconds follow, and which limit it met goes to the log only.
THROTTLED = "too many failed authentication attempts; try again in {seconds} s"
#: A check refused because the worker's password-hash budget is spent may be tried again this soon.
BUSY_RETRY_AFTER = 1


class Authenticator:
    """The configured clients, and the checks every request goes through before its operation runs."""

    def __init__(
        self,
        settings: Auth,
        clients: dict[str, Client],
        nonces: NonceStore,
        clock: Callable[[], float] = time.time,
        throttle: FailureThrottle | None = None,
    ) -> None:
        self.settings = settings
        self.clients = clients
        self.nonces = nonces
        self.clock = clock
        self.throttle = throttle or memory_throttle(settings)
        self.remembered = CredentialCache(settings.cache_ttl)
        #: Rations scrypt per worker; its hashes count every one this process ran.
        self.budget = HashBudget(settings.hash_rate)
        # Checked when the user is unknown, so that an unknown user costs as long as a wrong password.
        self._decoy = hash_password(secrets.token_urlsafe(16))

    @classmethod
    def from_settings(cls, settings: Settings, operations: Collection[str], state: Path) -> Authenticator | None:
        """None when authentication was switched off explicitly; else with the nonce store the settings name
        (by default in the state folder, or the idempotency store's Redis)."""
        if not settings.auth.enabled:
            log.warning("authentication is off (SOAPBRIDGE_AUTH=off): every caller may call every operation")
            return None
        path = settings.auth.clients_file or settings.root / "clients.toml"
        clients = load_clients(path, settings.env, operations)
        return cls(settings.auth, clients, open_nonce_store(settings, state), throttle=open_throttle(settings))

    def soap(self, header: etree._Element | None, request: Request) -> Client:
        """The client a SOAP header's UsernameToken authenticates."""
        return self._logged(lambda: self._token(read_token(header), request))

    def basic(self, request: Request) -> Client:
        """The client an HTTP Basic Authorization header authenticates."""
        return self._logged(lambda: self._basic(request))

    def authorise(self, client: Client, operation: str) -> None:
        if not client.may_call(operation):
            log.warning("client %s may not call %s", client.name, operation)
            raise AuthorizationError(f"this client may not call {operation}", client=client.name)

    def _logged(self, check: Callable[[], Client]) -> Client:
        try:
            return check()
        except AuthenticationError as exc:
            log.warning("authentication refused: %s", exc.reason)
            raise
        except ThrottledError as exc:
            log.info("authentication throttled: %s", exc.reason)  # INFO: a flood must not flood the log
            raise

    def _token(self, token: UsernameToken, request: Request) -> Client:
        if token.digest:
            self._unless_throttled(token.username, request.client_address)
            return self._digest(token, request.client_address)
        self._require_confidential(request)
        return self._password(token.username, token.password, request.client_address)

    def _basic(self, request: Request) -> Client:
        scheme, _, encoded = request.header("authorization").strip().partition(" ")
        if scheme.lower() != "basic" or not encoded:
            raise refused("no HTTP Basic Authorization header")
        self._require_confidential(request)
        try:
            username, colon, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, ValueError):
            raise refused("the Basic credentials do not decode") from None
        if not colon:
            raise refused("the Basic credentials have no colon")
        return self._password(username, password, request.client_address)

    def _require_confidential(self, request: Request) -> None:
        policy = self.settings.plain_http
        loopback = _is_loopback(request.client_address)  # the client's, as forwarded.py believes it: never a proxy's
        if request.scheme == "https" or policy == "anywhere" or (policy == "loopback" and loopback):
            return
        raise AuthenticationError(
            CLEAR_TEXT_REFUSED, reason=f"clear-text credentials over plain HTTP from {request.client_address}"
        )

    def _password(self, username: str, password: str, peer: str) -> Client:
        """Throttle first, then the cache: a remembered password must not answer where a guess would be refused."""
        self._unless_throttled(username, peer)
        fingerprint = self.remembered.fingerprint(username, password)
        client = self.remembered.get(fingerprint)
        if client is None:
            client = self._hashed(username, password, peer)
            self.remembered.put(fingerprint, client)
        return client

    def _hashed(self, username: str, password: str, peer: str) -> Client:
        """The client whose stored hash password matches, within the worker's hash budget."""
        client = self.clients.get(username)
        stored = client.password_hash if client is not None else None
        matches = self.budget.check(partial(verify_password, stored or self._decoy, password))
        if matches is None:
            raise ThrottledError(
                THROTTLED.format(seconds=BUSY_RETRY_AFTER),
                retry_after=BUSY_RETRY_AFTER,
                reason="this worker's budget for failed password checks is spent (SOAPBRIDGE_AUTH_HASH_RATE)",
            )
        if client is None or stored is None or not matches:
            self.throttle.failed(username, peer)
            raise refused("unknown user, no password hash, or wrong password")
        return client

    def _unless_throttled(self, username: str, peer: str) -> None:
        seconds = self.throttle.retry_after(username, peer)
        if seconds is not None:
            raise ThrottledError(
                THROTTLED.format(seconds=seconds),
                retry_after=seconds,
                reason=f"{self.settings.failures} failures within {self.settings.failure_window} s "
                f"for client {self._named(username)} or from {peer}",
            )

    def _named(self, username: str) -> str:
        """A configured client's name for the log; any other may be a password typed in the wrong field."""
        return username if username in self.clients else "(an unknown name)"

    def _digest(self, token: UsernameToken, peer: str) -> Client:
        assert token.created is not None
        now, created = self.clock(), token.created.timestamp()
        if created > now + CLOCK_SKEW or now - created > self.settings.window:
            raise refused("Created is outside the time window")
        client = self.clients.get(token.username)
        secret = client.digest_secret if client is not None else None
        expected = password_digest(token.nonce, token.created_text, secret or self._decoy)
        if (
            client is None
            or secret is None
            or not hmac.compare_digest(expected.encode(), token.password.strip().encode())
        ):
            self.throttle.failed(token.username, peer)
            raise refused("unknown user, no digest secret, or wrong digest")
        if not self.nonces.remember(client.name, token.nonce, created + self.settings.window, now):
            raise refused(f"a replayed nonce for {client.name}")
        return client


def _is_loopback(peer: str) -> bool:
    try:
        return ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False


__all__ = ["CHALLENGE", "REFUSED", "Authenticator"]
