"""A system's pass-through endpoint, /passthrough/<system>: its legacy operations, published unchanged.

The client speaks the legacy binding's SOAP version, and its payload goes to the legacy system as it sent it.
The gateway reads only the envelope around it (envelopehead.py) and applies the SOAP edge's own checks: the
media type, the envelope's version and structure, mustUnderstand, authentication and authorisation (by the
operation's qualified name, weather.GetCurrentObservation), the SOAPAction and WS-Addressing's Action, and
idempotency keys on operations not declared idempotent. The legacy answer, a SOAP fault included, goes back as
received, with its status and media type; the gateway's own faults (a refused request, an unavailable or slow
system, an open circuit) are its typed SOAP faults in the endpoint's version.

Idempotency keys follow the canonical operations' protocol (idempotency.KeyedRun). What differs is what is kept:
the fingerprint is the SHA-256 of the payload's bytes as sent (pass-through never reads them, so the same request
written differently is a different request), and the value is the legacy answer as received (status, media type,
bytes).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from ..engine import Engine
from ..engine.passthrough import PassthroughOperation, PassthroughSystem
from ..errors import RequestError, XmlError
from ..idempotency import Keys
from ..soapenv import content_type
from ..telemetry.context import annotate, record_rejected
from ..upstream.deadline import Deadline
from ..upstream.transport import HttpAnswer
from .addressing import adopt_correlation, check_addressing
from .auth import Authenticator
from .envelopehead import EnvelopeHead, HeadReader, OtherVersion
from .faults import Fault
from .http import Request, Response
from .idempotency import KEY_BLOCK, REPLAYED, Codec, Kept, KeyedRun, request_key
from .passthroughwsdl import passthrough_wsdl
from .soap import (
    MustUnderstand,
    VersionMismatch,
    check_header_blocks,
    check_media_type,
    fault_response,
    sent_action,
)
from .wsdl import PublishedWsdl


class PassthroughEndpoint:
    """One system's pass-through operations and their WSDL, in the system's SOAP version."""

    def __init__(self, engine: Engine, system: PassthroughSystem, keys: Keys, auth: Authenticator | None) -> None:
        self.system = system
        self.version = system.version
        self.heads = HeadReader(system.version, engine.settings.limits)
        #: The idempotency store the canonical endpoints use: keys are scoped by operation, so they never meet.
        self.keys = keys
        self.auth = auth
        self._wsdl = PublishedWsdl(passthrough_wsdl(system))

    def wsdl(self, address: str) -> Response:
        return Response(200, "text/xml; charset=utf-8", self._wsdl.at(address))

    def post(self, request: Request) -> Response:
        try:
            answered = self._dispatch(request)
        except (VersionMismatch, OtherVersion) as exc:
            return fault_response(Fault.version_mismatch(str(exc)), self.version, exc.spoken or self.version)
        except MustUnderstand as exc:
            return fault_response(Fault.must_understand(exc.blocks), self.version)
        except Exception as exc:
            return fault_response(Fault.from_exception(exc, f"pass-through {self.system.name}"), self.version)
        headers = [REPLAYED] if answered.replayed else []
        if answered.fault is not None:
            return fault_response(answered.fault, self.version, headers=headers)
        assert answered.value is not None
        answer = answered.value
        return Response(answer.status, answer.content_type or content_type(self.version), answer.content, headers)

    def _dispatch(self, request: Request) -> Kept[HttpAnswer]:
        check_media_type(request, self.version)
        head = self._head(request.body)
        adopt_correlation(head.header, request)
        check_header_blocks(head.header, self.version, understood_security=self.auth is not None)
        client = self.auth.soap(head.header, request) if self.auth is not None else None
        operation = self._operation(request, head)
        annotate(operation=operation.name, client=client.name if client else None)
        if self.auth is not None and client is not None:
            self.auth.authorise(client, operation.name)
        self._check_action(request, operation, head)
        block = head.header.findtext(KEY_BLOCK) if head.header is not None else None
        key = None if operation.idempotent else request_key(request, block)
        if key is None:
            return Kept(self._send(operation, head.payload))
        self.keys.flushing()  # serve starts it at fork (Gateway.forked); this covers an app served any other way
        scope = f"{client.name if client else '-'}\n{operation.name}\n{key}"
        keyed = KeyedRun(
            self.keys, scope, key, hashlib.sha256(head.payload).hexdigest(),
            name=operation.name, system=operation.system, deadline=operation.timeouts.deadline, codec=ANSWERS,
            endpoint="idempotent pass-through call",
        )  # fmt: skip
        return keyed.run(lambda: self._send(operation, head.payload))

    def _head(self, body: bytes) -> EnvelopeHead:
        try:
            return self.heads.read(body)
        except XmlError as exc:
            record_rejected(exc.reason)
            raise

    def _operation(self, request: Request, head: EnvelopeHead) -> PassthroughOperation:
        operation = self.system.operation_for(head.payload_tag, sent_action(request, self.version) or None)
        if operation is None:
            published = ", ".join(sorted(self.system.operations))
            raise RequestError(
                f"{self.system.name} passes through no operation that takes {head.payload_tag[:200]}; "
                f"it passes through: {published}"
            )
        return operation

    def _check_action(self, request: Request, operation: PassthroughOperation, head: EnvelopeHead) -> None:
        """The HTTP SOAPAction (1.1) or action parameter (1.2), and a wsa:Action, when sent, name the operation."""
        sent, expected = sent_action(request, self.version), operation.binding.soap_action
        if sent and sent != expected:
            raise RequestError(f"the SOAPAction {sent[:200]!r} does not match the body's operation ({expected!r})")
        check_addressing(head.header, operation.call.operation.addressing_action or expected)

    def _send(self, operation: PassthroughOperation, payload: bytes) -> HttpAnswer:
        timeouts = operation.timeouts
        deadline = Deadline(timeouts.deadline)
        return operation.call.send(payload, deadline=deadline, timeouts=timeouts, idempotent=operation.idempotent)


def _dump(answer: HttpAnswer) -> dict[str, Any]:
    return {"status": answer.status, "type": answer.content_type, "content": base64.b64encode(answer.content).decode()}


def _load(stored: dict[str, Any]) -> HttpAnswer:
    return HttpAnswer(stored["status"], stored["type"], base64.b64decode(stored["content"]))


#: How a keyed pass-through call's legacy answer is stored.
ANSWERS = Codec("answer", _dump, _load)
