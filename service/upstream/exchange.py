"""The legacy exchange made visible: each request as sent and answer as received, bounded, secrets redacted.

An adapter's exchange is logged (logger soapbridge.exchange) at INFO when its switch is on (`[debug]
exchange = true` in its file, or SOAPBRIDGE_LOG_EXCHANGE=on for every adapter), else at DEBUG when that
logger is enabled for DEBUG; otherwise nothing is decoded or redacted, so the switch off costs a level check.
A legacy fault's own words are logged at WARNING whatever the switch, short and plain (envelope.read_fault).

Redaction is by rule, never by trusting the body: the text of every Password and Nonce element (WS-Security
UsernameToken), Authorization headers, and by value the adapter's credentials (the password, the Basic
header's base64) and its secret parameters. Observers (soapbridge try) see the same redacted text.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from ..config import AdapterConfig
from ..redaction import hide_credentials
from .envelope import LegacyFault

log = logging.getLogger("soapbridge.exchange")
#: The most of one request or answer a log line shows, in characters; "…" ends a cut.
MAX_LOGGED = 4096
REDACTED = "***"
#: The text of a WS-Security Password or Nonce element, whatever its prefix; a cut-off one too.
_TOKENS = re.compile(r"(<(?:[\w.-]+:)?(?:Password|Nonce)\b[^>]*>)[^<]*")
#: Headers that carry credentials, whoever set them.
_SECRET_HEADERS = ("authorization", "proxy-authorization")


@dataclass(frozen=True)
class Sent:
    """A legacy request as sent: where, its HTTP headers and its envelope, redacted."""

    system: str
    operation: str
    address: str
    headers: Mapping[str, str]
    envelope: str


@dataclass(frozen=True)
class Received:
    """A legacy answer as received: its HTTP status and media type, and its body, redacted."""

    system: str
    operation: str
    status: int
    content_type: str
    body: str


@dataclass(frozen=True)
class Faulted:
    """A legacy fault's code and words (short, plain, redacted), and the adapter's [[faults]] rule that matched."""

    system: str
    operation: str
    code: str
    message: str
    #: The adapter's [[faults]] rule that matched, as `faults[i] (when ...) -> Code`; None when none did.
    rule: str | None


class ExchangeObserver(Protocol):
    """Sees each try of each legacy call (soapbridge try prints them), redacted as the log is."""

    def sent(self, exchange: Sent) -> None: ...

    def received(self, exchange: Received) -> None: ...

    def faulted(self, exchange: Faulted) -> None: ...


class Redactor:
    """Hides an adapter's secrets in text: WS-Security tokens by element, credentials and secrets by value."""

    def __init__(self, values: Iterable[str]) -> None:
        #: Longest first, so that a secret containing another is hidden whole.
        self.values = tuple(sorted({value for value in values if value}, key=len, reverse=True))
        self.margin = max((len(value) for value in self.values), default=0)

    @classmethod
    def of(cls, adapter: AdapterConfig) -> Redactor:
        return cls(secret_values(adapter))

    def text(self, data: bytes | str, limit: int | None = MAX_LOGGED) -> str:
        """data as text with its secrets hidden, at most limit characters (None: all of it)."""
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        cut = limit is not None and len(text) > limit
        head = text if limit is None else text[: limit + self.margin]  # a secret across the cut is still found
        for value in self.values:
            head = head.replace(value, REDACTED)
        head = _TOKENS.sub(rf"\1{REDACTED}", head)
        return head[:limit] + "…" if cut else head

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {
            name: REDACTED if name.lower() in _SECRET_HEADERS else self.text(value, None)
            for name, value in headers.items()
        }


def secret_values(adapter: AdapterConfig) -> list[str]:
    """What must never be shown of an adapter: its upstream password, the Basic header made of it, and the
    values of its secret parameters."""
    values: list[str] = []
    credentials = adapter.credentials
    if credentials is not None and credentials.password:
        values.append(credentials.password)
        pair = f"{credentials.username}:{credentials.password}".encode()
        values.append(base64.b64encode(pair).decode("ascii"))
    values.extend(_secret_parameters(adapter))
    return values


def _secret_parameters(adapter: AdapterConfig) -> list[str]:
    """The values of the adapter's parameters marked secret ([parameters] name = { env = ..., secret = true })."""
    return [parameter.value for parameter in adapter.parameters.values() if parameter.secret]


class ExchangeLog:
    """One adapter's exchange log and observers: the switch, the redactor, and who else wants to see."""

    def __init__(self, adapter: AdapterConfig, observers: Iterable[ExchangeObserver] = ()) -> None:
        self.system = adapter.name
        self.level = logging.INFO if adapter.log_exchange else logging.DEBUG
        self.redactor = Redactor.of(adapter)
        self.observers = tuple(observers)

    @property
    def wanted(self) -> bool:
        """Whether anyone will read an exchange: checked before anything is decoded or redacted."""
        return bool(self.observers) or log.isEnabledFor(self.level)

    def sent(self, operation: str, address: str, headers: Mapping[str, str], message: bytes) -> None:
        if not self.wanted:
            return
        if log.isEnabledFor(self.level):
            action = headers.get("SOAPAction") or headers.get("Content-Type", "")
            where, envelope = hide_credentials(address), self.redactor.text(message)
            log.log(self.level, "%s %s sent to %s (%s): %s", self.system, operation, where, action, envelope)
        if self.observers:
            shown = self.redactor.headers(headers)
            exchange = Sent(self.system, operation, hide_credentials(address), shown, self.redactor.text(message, None))
            for observer in self.observers:
                observer.sent(exchange)

    def received(self, operation: str, status: int, content_type: str, content: bytes) -> None:
        if not self.wanted:
            return
        if log.isEnabledFor(self.level):
            body = self.redactor.text(content)
            log.log(self.level, "%s %s answered HTTP %d (%s): %s", self.system, operation, status, content_type, body)
        if self.observers:
            received = Received(self.system, operation, status, content_type, self.redactor.text(content, None))
            for observer in self.observers:
                observer.received(received)

    def fault(self, operation: str, fault: LegacyFault, rule: str | None) -> None:
        """A legacy fault's own words, at WARNING: often the only place the legacy system says what was wrong."""
        if not (self.observers or log.isEnabledFor(logging.WARNING)):
            return
        code, reason = (self.redactor.text(part) for part in (fault.code, fault.message))
        log.warning("%s %s answered with a fault: %s: %s", self.system, operation, code, reason)
        for observer in self.observers:
            observer.faulted(Faulted(self.system, operation, code, reason, rule))
