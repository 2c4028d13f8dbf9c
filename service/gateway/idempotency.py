"""Idempotency keys on write operations: the first call with a key runs, every repeat gets its outcome.

A key is scoped to (client, operation, key) and bound to the request's fingerprint: a SHA-256 of the
exclusive C14N of the canonical request element, rebuilt without prefixes or layout whitespace, so the
same request over SOAP 1.1, SOAP 1.2 or JSON is the same body. Every outcome is kept, faults included,
except an UpstreamError that certainly never reached the legacy system (sent=False): only then is the
key released for a retry. After a timeout or a reset the legacy system may have acted (booked the
payment), so replaying that fault is what keeps the write single. A repeat that finds the first call
still in flight, in any worker, waits for it up to the operation's deadline. Once the legacy system has
been called, its outcome is the client's answer whatever the store does (see idempotency.Keys).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from lxml import etree

from ..contract import KEY_ELEMENT
from ..engine import Engine
from ..errors import RequestError, UpstreamError, UpstreamTimeout
from ..idempotency import Entry, Keys
from ..namespaces import CANONICAL
from ..xmlparse import parse_bytes
from .faults import Fault
from .http import Request

log = logging.getLogger("soapbridge.idempotency")
T = TypeVar("T")

#: The SOAP header block that carries a key, as an alternative to the HTTP header.
KEY_BLOCK = f"{{{CANONICAL}}}{KEY_ELEMENT}"
KEY_HEADER = "Idempotency-Key"
#: On every answer that is a stored outcome rather than a new call.
REPLAYED = ("Idempotent-Replayed", "true")
_VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")
#: How often a repeat looks whether the first call has finished, in seconds.
POLL_INTERVAL = 0.025
#: How long past its deadline a call may stay in flight before its worker is taken for dead, in seconds.
ABANDONED_AFTER = 5.0


@dataclass(frozen=True)
class Outcome:
    """What an endpoint answers: the canonical response or a fault, and whether it is a stored one."""

    response: etree._Element | None = None
    fault: Fault | None = None
    replayed: bool = False

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [REPLAYED] if self.replayed else []


class RunOnce:
    """Runs operations on the engine, each write at most once per idempotency key."""

    def __init__(self, engine: Engine, keys: Keys, sleep: Callable[[float], None] = time.sleep) -> None:
        self.engine = engine
        self.keys = keys
        self.sleep = sleep

    def call(
        self, operation: str, payload: etree._Element, request: Request, block: str | None, client: str | None
    ) -> Outcome:
        """Run operation on payload; block is the text of a cn:IdempotencyKey header block, if any."""
        self.keys.flushing()  # serve starts it at fork (Gateway.forked); this covers an app served any other way
        compiled = self.engine.operations.get(operation)
        key = request_key(request, block) if compiled and not compiled.contract.read_only else None
        if key is None:
            return Outcome(self.engine.call(operation, payload))
        chosen = self.engine.route(operation, payload)
        limits = self.engine.settings.limits
        codec = Codec(
            "response",
            lambda response: etree.tostring(response, encoding="unicode"),
            lambda text: parse_bytes(text.encode(), what="a stored response", limits=limits),
        )
        scope = f"{client or '-'}\n{operation}\n{key}"
        keyed = KeyedRun(
            self.keys, scope, key, fingerprint(payload),
            name=operation, system=chosen.system, deadline=chosen.timeouts.deadline, codec=codec, sleep=self.sleep,
        )  # fmt: skip
        kept = keyed.run(lambda: self.engine.call(operation, payload))
        return Outcome(kept.value, kept.fault, kept.replayed)


def request_key(request: Request, block: str | None) -> str | None:
    """The key from the Idempotency-Key header or the SOAP header block; when both are given they must agree."""
    header = request.header(KEY_HEADER).strip() or None
    block = block.strip() if block is not None else None
    if header is not None and block is not None and header != block:
        raise RequestError(f"the {KEY_HEADER} header and the IdempotencyKey header block differ")
    key = header if header is not None else block
    if key is not None and not _VALID_KEY.fullmatch(key):
        raise RequestError("an idempotency key is 1 to 255 printable ASCII characters")
    return key


def fingerprint(element: etree._Element) -> str:
    """SHA-256 of the exclusive C14N of element, independent of its prefixes and layout whitespace."""
    canonical = etree.tostring(_rebuilt(element), method="c14n", exclusive=True, with_comments=False)
    return hashlib.sha256(canonical).hexdigest()


def _rebuilt(element: etree._Element, parent: etree._Element | None = None) -> etree._Element:
    attributes = dict(element.attrib)
    copy = (
        etree.Element(element.tag, attributes) if parent is None else etree.SubElement(parent, element.tag, attributes)
    )
    children = list(element.iterchildren(tag=etree.Element))
    for child in children:
        _rebuilt(child, copy)
    if not children:
        copy.text = element.text
    return copy


def shown(key: str) -> str:
    """A key as messages and logs show it: its first characters only, a key may be guessable from the rest."""
    return repr(key[:8] + ("..." if len(key) > 8 else ""))


@dataclass(frozen=True)
class Kept(Generic[T]):
    """How a keyed call ended: its value or its fault (as stored), and whether this is a replay."""

    value: T | None = None
    fault: Fault | None = None
    replayed: bool = False


@dataclass(frozen=True)
class Codec(Generic[T]):
    """How a keyed call's value is stored: under `field`, dumped to something JSON writes, loaded back."""

    field: str
    dump: Callable[[T], Any]
    load: Callable[[Any], T]


class KeyedRun(Generic[T]):
    """One keyed call: claim the key and run, or wait for the call that holds it and replay its outcome. The
    protocol of every keyed endpoint (canonical operations, pass-through): only what its value is differs."""

    def __init__(
        self,
        keys: Keys,
        scope: str,
        key: str,
        fingerprint: str,
        *,
        name: str,
        system: str,
        deadline: float,
        codec: Codec[T],
        endpoint: str = "idempotent call",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """name and system: the operation and who serves it, for messages; endpoint: for the log of a failure."""
        self.keys = keys
        self.scope = scope
        self.key = key
        self.fingerprint = fingerprint
        self.name = name
        self.system = system
        self.deadline = deadline
        self.codec = codec
        self.endpoint = endpoint
        self.sleep = sleep

    def run(self, call: Callable[[], T]) -> Kept[T]:
        give_up = time.monotonic() + self.deadline
        entry = self.keys.claim(self.scope, self.fingerprint)
        while entry is not None:
            if entry.outcome is not None or entry.fingerprint != self.fingerprint:
                return self._replay(entry)
            self._check_in_flight(entry, give_up)
            self.sleep(POLL_INTERVAL)
            entry = self.keys.peek(self.scope) or self.keys.claim(self.scope, self.fingerprint)
        return self._first(call, time.time())

    def _first(self, call: Callable[[], T], claimed: float) -> Kept[T]:
        try:
            outcome: Kept[T] = Kept(call())
        except UpstreamError as exc:
            if not exc.sent:
                self.keys.release(self.scope)  # the legacy system never saw it: a retry may run it
                raise
            outcome = Kept(fault=Fault.from_exception(exc, self.endpoint))
        except Exception as exc:
            outcome = Kept(fault=Fault.from_exception(exc, self.endpoint))
        self.keys.complete(self.scope, Entry(self.fingerprint, claimed, self._encode(outcome)))
        return outcome

    def _replay(self, entry: Entry) -> Kept[T]:
        if entry.fingerprint != self.fingerprint:
            raise RequestError(f"idempotency key {shown(self.key)} was used with a different request")
        assert entry.outcome is not None
        log.info("replaying the outcome of %s for idempotency key %s", self.name, shown(self.key))
        return self._decode(entry.outcome)

    def _check_in_flight(self, entry: Entry, give_up: float) -> None:
        if time.time() - entry.claimed > self.deadline + ABANDONED_AFTER:
            raise UpstreamTimeout(
                f"the outcome of the first request with idempotency key {shown(self.key)} is unknown: it never "
                f"finished, and {self.system} may have acted on it; it is not run again",
                system=self.system,
            )
        if time.monotonic() >= give_up:
            raise UpstreamTimeout(
                f"the first request with idempotency key {shown(self.key)} is still in progress; "
                "repeat it later for its outcome",
                system=self.system,
            )

    def _encode(self, outcome: Kept[T]) -> bytes:
        if outcome.fault is not None:
            fault = outcome.fault
            fields = {"client": fault.client, "code": fault.code, "message": fault.message, "system": fault.system}
            return json.dumps({"fault": fields}).encode()
        assert outcome.value is not None
        return json.dumps({self.codec.field: self.codec.dump(outcome.value)}).encode()

    def _decode(self, stored: bytes) -> Kept[T]:
        fields = json.loads(stored)
        if "fault" in fields:
            fault = fields["fault"]
            return Kept(fault=Fault(fault["client"], fault["code"], fault["message"], fault["system"]), replayed=True)
        return Kept(self.codec.load(fields[self.codec.field]), replayed=True)
