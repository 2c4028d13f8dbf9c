"""The canonical operations as JSON: POST /json/<Operation> with the request's fields.

The JSON is turned into the canonical request element (in XSD order), run through the same
engine as SOAP, and the canonical response element is written back as canonical JSON.
"""

from __future__ import annotations

import logging

from ..engine import Engine
from ..errors import AuthenticationError, RequestError, ThrottledError, ValidationError
from ..jsonform import Shape, from_json, load_shapes, parse_json, to_json
from ..telemetry.context import annotate, record_fault
from .auth import CHALLENGE, Authenticator
from .faults import Fault, problem
from .http import Request, Response
from .idempotency import Outcome, RunOnce

JSON = "application/json"
log = logging.getLogger("soapbridge.gateway")


class JsonEndpoint:
    def __init__(self, engine: Engine, once: RunOnce, auth: Authenticator | None = None) -> None:
        self.engine = engine
        #: Runs the operations, writes at most once per idempotency key.
        self.once = once
        #: None only when authentication was switched off explicitly.
        self.auth = auth
        self.shapes: dict[str, Shape] = load_shapes(engine.settings.canonical_xsd)

    def post(self, operation: str, request: Request) -> Response:
        try:
            outcome = self._call(operation, request)
        except AuthenticationError as exc:
            return self._problem(Fault.from_exception(exc, "JSON"), [("WWW-Authenticate", CHALLENGE)])
        except ThrottledError as exc:  # RFC 6585: 429 says when to come back
            return self._problem(Fault.from_exception(exc, "JSON"), [("Retry-After", str(exc.retry_after))])
        except _NotJson as exc:
            return self._problem(Fault.from_exception(exc, "JSON"), status=415)
        except Exception as exc:
            return self._problem(Fault.from_exception(exc, "JSON"))
        if outcome.fault is not None:
            return self._problem(outcome.fault, outcome.headers)
        assert outcome.response is not None
        try:
            body = to_json(outcome.response, self.shapes[f"{operation}Response"])
        except ValidationError as exc:  # a number too long to write: the answer's fault, not the client's
            log.warning("the %sResponse cannot be written as JSON: %s", operation, exc.message)
            return self._problem(Fault(False, "InternalError", f"the answer cannot be written as JSON: {exc.message}"))
        return Response(200, JSON, body.encode(), outcome.headers)

    def _call(self, operation: str, request: Request) -> Outcome:
        client = self.auth.basic(request) if self.auth is not None else None
        if operation not in self.engine.operations:
            raise RequestError(f"{operation} is not an operation of this gateway; see /openapi.json")
        annotate(operation=operation, client=client.name if client else None)
        if self.auth is not None and client is not None:
            self.auth.authorise(client, operation)
        if request.media_type != JSON:
            raise _NotJson(f"the Content-Type must be {JSON}, not {request.media_type or 'missing'}")
        element = from_json(parse_json(request.body), self.shapes[operation])
        return self.once.call(operation, element, request, None, client.name if client else None)

    def _problem(
        self, fault: Fault, headers: list[tuple[str, str]] | None = None, status: int | None = None
    ) -> Response:
        record_fault(fault.code, fault.client)
        status, body = problem(fault, status)
        return Response(status, "application/problem+json", body, headers or [])


class _NotJson(RequestError):
    """The body is not declared as JSON: an InvalidRequest fault, with HTTP 415 (RFC 9110 15.5.16)."""
