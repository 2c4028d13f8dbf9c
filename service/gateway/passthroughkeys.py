"""Idempotency keys on pass-through operations: the first call with a key runs, every repeat gets its answer.

The rules are those of the canonical operations (gateway/idempotency.py): a key is scoped to (client,
operation, key) and bound to the request's fingerprint, every outcome is kept except a failure that never
reached the legacy system, and a repeat waits for a first call still in flight. What differs is what is kept:
the fingerprint is the SHA-256 of the payload's bytes as sent (pass-through never reads them, so the same request
written differently is a different request), and an outcome is the legacy answer as received (status, media
type, bytes), or the gateway's fault.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..engine.passthrough import PassthroughOperation
from ..errors import RequestError, UpstreamError, UpstreamTimeout
from ..idempotency import Entry, Keys
from ..upstream.transport import HttpAnswer
from .faults import Fault
from .idempotency import ABANDONED_AFTER, POLL_INTERVAL, shown

log = logging.getLogger("soapbridge.idempotency")


@dataclass(frozen=True)
class Answered:
    """A pass-through call's outcome: the legacy answer, or the gateway's fault; replayed when stored."""

    answer: HttpAnswer | None = None
    fault: Fault | None = None
    replayed: bool = False


class KeyedPassthrough:
    """One keyed call: claim the key and run, or wait for the call that holds it and replay its outcome."""

    def __init__(
        self,
        keys: Keys,
        operation: PassthroughOperation,
        payload: bytes,
        scope: str,
        key: str,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.keys = keys
        self.operation = operation
        self.scope = scope
        self.key = key
        self.fingerprint = hashlib.sha256(payload).hexdigest()
        self.sleep = sleep

    def run(self, call: Callable[[], HttpAnswer]) -> Answered:
        give_up = time.monotonic() + self.operation.timeouts.deadline
        entry = self.keys.claim(self.scope, self.fingerprint)
        while entry is not None:
            if entry.outcome is not None or entry.fingerprint != self.fingerprint:
                return self._replay(entry)
            self._check_in_flight(entry, give_up)
            self.sleep(POLL_INTERVAL)
            entry = self.keys.peek(self.scope) or self.keys.claim(self.scope, self.fingerprint)
        return self._first(call, time.time())

    def _first(self, call: Callable[[], HttpAnswer], claimed: float) -> Answered:
        try:
            outcome = Answered(call())
        except UpstreamError as exc:
            if not exc.sent:
                self.keys.release(self.scope)  # the legacy system never saw it: a retry may run it
                raise
            outcome = Answered(fault=Fault.from_exception(exc, "idempotent pass-through call"))
        except Exception as exc:
            outcome = Answered(fault=Fault.from_exception(exc, "idempotent pass-through call"))
        self.keys.complete(self.scope, Entry(self.fingerprint, claimed, _encode(outcome)))
        return outcome

    def _replay(self, entry: Entry) -> Answered:
        if entry.fingerprint != self.fingerprint:
            raise RequestError(f"idempotency key {shown(self.key)} was used with a different request")
        assert entry.outcome is not None
        log.info("replaying the outcome of %s for idempotency key %s", self.operation.name, shown(self.key))
        return _decode(entry.outcome)

    def _check_in_flight(self, entry: Entry, give_up: float) -> None:
        system = self.operation.system
        if time.time() - entry.claimed > self.operation.timeouts.deadline + ABANDONED_AFTER:
            raise UpstreamTimeout(
                f"the outcome of the first request with idempotency key {shown(self.key)} is unknown: it never "
                f"finished, and {system} may have acted on it; it is not run again",
                system=system,
            )
        if time.monotonic() >= give_up:
            raise UpstreamTimeout(
                f"the first request with idempotency key {shown(self.key)} is still in progress; "
                "repeat it later for its outcome",
                system=system,
            )


def _encode(outcome: Answered) -> bytes:
    if outcome.fault is not None:
        fault = outcome.fault
        fields = {"client": fault.client, "code": fault.code, "message": fault.message, "system": fault.system}
        return json.dumps({"fault": fields}).encode()
    assert outcome.answer is not None
    answer = outcome.answer
    content = base64.b64encode(answer.content).decode("ascii")
    return json.dumps({"answer": {"status": answer.status, "type": answer.content_type, "content": content}}).encode()


def _decode(stored: bytes) -> Answered:
    fields = json.loads(stored)
    if "fault" in fields:
        fault = fields["fault"]
        return Answered(fault=Fault(fault["client"], fault["code"], fault["message"], fault["system"]), replayed=True)
    answer = fields["answer"]
    return Answered(HttpAnswer(answer["status"], answer["type"], base64.b64decode(answer["content"])), replayed=True)
