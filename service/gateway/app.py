"""The gateway as a WSGI application: routing, body reading, and nothing else.

A body is read only up to Limits.max_body, and only uncompressed: a compressed body would make
the size limit meaningless (a small gzip can inflate to gigabytes), so any Content-Encoding but
identity is refused with 415. Both refusals, like every other, reach a SOAP client as a fault in
its endpoint's version and a JSON client as problem details. Every refused request is logged at
WARNING, and a malformed one with a short excerpt of its body, never the whole body.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from typing import Any

from ..engine import Engine
from ..engine.compiler import CompiledProject
from ..engine.passthrough import PATH as PASSTHROUGH
from ..engine.passthrough import qualified_names
from ..errors import RequestError
from ..idempotency import open_keys
from ..instance import Instance
from ..settings import Settings
from ..soapenv import content_type, serialize
from ..telemetry import correlation, tracecontext
from ..telemetry.context import (
    CLIENT_FAULT,
    OK,
    SERVER_FAULT,
    RequestTrace,
    current,
    record_fault,
    record_rejected,
    tracing,
)
from ..telemetry.logs import log_request
from ..wsgi import StartResponse
from .addressing import stamp
from .auth import Authenticator
from .faults import Fault, problem, soap_fault
from .forwarded import Origin, ProxyTrust
from .health import Health
from .http import Request, Response, excerpt, text
from .idempotency import RunOnce
from .jsonapi import JsonEndpoint
from .metrics import metrics_page, open_metrics
from .openapi import OpenApiPage, build_document
from .passthrough import PassthroughEndpoint
from .soap import SoapEndpoint
from .status import StatusPage

log = logging.getLogger("soapbridge.gateway")
#: The faults whose request body's start is logged: the request was malformed or broke the gateway, and its
#: start helps find out why. Business answers (NotFound, Conflict), credential refusals and legacy failures are
#: told by the request line and their own log lines; their bodies are the client's business.
EXCERPTED = frozenset({"InvalidRequest", "VersionMismatch", "MustUnderstand", "InternalError"})
#: The environ key that marks a request whose body the server refused unread: over the limit as declared.
REFUSED_UNREAD = "soapbridge.refused_unread"
#: The only Content-Encoding a request body may have.
IDENTITY = ("", "identity")
#: A refusal: (HTTP status, the error) to a response in the endpoint's own format.
Refuse = Callable[[int, RequestError], Response]
#: Told of every request once it is answered: its trace, and the response about to be written.
Observer = Callable[[RequestTrace, Response], None]
#: A page: the WSGI environ to a response.
Page = Callable[[dict[str, Any]], Response]
#: The protocol label of each operation path.
PROTOCOLS = {"/soap11": "soap11", "/soap12": "soap12"}

REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class Gateway:
    """Routes /soap11, /soap12 (and ?wsdl) and /json/<Operation> to their endpoints, and GETs of the pages
    (/, /healthz, /readyz, /metrics, /openapi.json) to theirs; each request runs inside its trace."""

    def __init__(self, engine: Engine, instance: Instance | None = None) -> None:
        self.engine = engine
        #: What the workers forked from here share (state, runtime and metrics folders, worker loads).
        self.instance = instance or Instance.alone(engine.settings, self)
        state = self.instance.state  # what outlives a restart: the SQLite stores, the journal
        callable_operations = [*engine.operations, *qualified_names(engine.passthrough)]
        auth = Authenticator.from_settings(engine.settings, callable_operations, state)  # one nonce store for all
        self.once = RunOnce(engine, open_keys(engine.settings, state))  # one idempotency store for all endpoints
        self.soap: dict[str, SoapEndpoint | PassthroughEndpoint] = {
            "/soap11": SoapEndpoint(engine, "1.1", self.once, auth),
            "/soap12": SoapEndpoint(engine, "1.2", self.once, auth),
        }
        for system in engine.passthrough.values():  # /passthrough/<system>: SOAP in the legacy binding's version
            self.soap[system.path] = PassthroughEndpoint(engine, system, self.once.keys, auth)
        self.json = JsonEndpoint(engine, self.once, auth)
        self.max_body = engine.settings.limits.max_body
        #: The operator's proxies: only their X-Forwarded-* and Forwarded headers are believed.
        self.proxies = ProxyTrust(engine.settings.trusted_proxies)
        #: The address the WSDLs publish when the operator fixed it (SOAPBRIDGE_PUBLIC_URL), whatever the headers say.
        self.public_url = engine.settings.public_url
        self.health = Health(engine)
        served = [routed.contract for routed in engine.operations.values()]
        server = self.public_url or "/"
        contract = build_document(self.json.shapes, served, authenticated=auth is not None, server=server)
        #: Told of each answered request, in order (the request log line, the metrics).
        self.observers: list[Observer] = []
        self.observers.append(log_request)
        #: What GET answers at each path that is not an endpoint's: pages for people and for monitoring.
        self.pages: dict[str, Page] = {
            "/healthz": lambda environ: self.health.liveness(),
            "/readyz": lambda environ: self.health.readiness(),
            "/openapi.json": OpenApiPage(contract),
            "/": StatusPage(engine),
        }
        self.metrics = open_metrics(engine, self.instance)
        self.observers.append(self.metrics.observe)
        self.pages["/metrics"] = lambda environ: metrics_page(self.metrics)

    def forked(self) -> None:
        """Start what each worker process runs beside its requests, right after fork: the idempotency journal's
        flusher, so that an idle instance (health checks only) still writes pending outcomes back and notices a
        store that lost its keys."""
        self.once.keys.flushing()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        origin = self.proxies.origin(environ)
        with tracing(_trace(environ, origin)) as trace:
            response = self.handle(environ, origin)
            trace.answered = time.monotonic()
            if response.status >= 400 and trace.outcome == OK:
                trace.outcome = CLIENT_FAULT if response.status < 500 else SERVER_FAULT
            for observe in self.observers:
                observe(trace, response)
        headers = [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(response.body))),
            (correlation.HEADER, trace.correlation_id),
            *response.headers,
        ]
        start_response(f"{response.status} {REASONS.get(response.status, '')}".strip(), headers)
        return [response.body]

    def handle(self, environ: dict[str, Any], origin: Origin) -> Response:
        path = environ.get("PATH_INFO", "/") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if origin.host is None:
            return self._bad_host(path)
        if path in self.soap:
            return self._soap(self.soap[path], method, environ, origin)
        if path.startswith("/json/"):
            return self._json(path[len("/json/") :], method, environ, origin)
        if path in self.pages:
            return self.pages[path](environ) if method in ("GET", "HEAD") else text(405, f"GET {path}")
        return text(404, f"nothing at {path}; try /soap11?wsdl, /soap12?wsdl or POST /json/<Operation>")

    def _bad_host(self, path: str) -> Response:
        """RFC 9112 section 3.2: a Host that is no host[:port] is a 400, in the endpoint's own format."""
        record_rejected("bad_host")
        refused = RequestError("the Host header (or a trusted proxy's forwarded host) is not a valid host[:port]")
        if path in self.soap:
            return _soap_refusal(self.soap[path].version, 400, refused)
        return _json_refusal(400, refused) if path.startswith("/json/") else text(400, refused.message)

    def _soap(
        self, endpoint: SoapEndpoint | PassthroughEndpoint, method: str, environ: dict[str, Any], origin: Origin
    ) -> Response:
        if method == "GET" and environ.get("QUERY_STRING", "").lower() == "wsdl":
            return endpoint.wsdl(_base_url(origin, self.public_url) + environ.get("PATH_INFO", ""))
        if method != "POST":
            return text(405, "POST a SOAP envelope here, or GET ?wsdl")
        return self._with_body(environ, origin, endpoint.post, partial(_soap_refusal, endpoint.version))

    def _json(self, operation: str, method: str, environ: dict[str, Any], origin: Origin) -> Response:
        if method != "POST":
            refusal = _json_refusal(405, RequestError("POST a JSON object with the operation's fields"))
            return replace(refusal, headers=[*refusal.headers, ("Allow", "POST")])
        return self._with_body(environ, origin, lambda request: self.json.post(operation, request), _json_refusal)

    def _with_body(
        self, environ: dict[str, Any], origin: Origin, handler: Callable[[Request], Response], refuse: Refuse
    ) -> Response:
        request = _request(environ, origin)
        encoding = request.header("content-encoding").strip().lower()
        if encoding not in IDENTITY:
            record_rejected("compressed")
            return refuse(415, RequestError(f"the body must not be compressed; Content-Encoding {encoding[:40]!r}"))
        try:
            request.body = _read_body(environ, self.max_body)
        except RequestError as exc:
            record_rejected("too_large")
            return refuse(413, exc)
        response = handler(request)
        trace = current()
        if trace is not None and trace.fault_code in EXCERPTED:
            log.warning(
                "answered %s %s with %d; the request began: %s",
                request.method,
                request.path,
                response.status,
                excerpt(request.body),
            )
        return response


def create_app(
    settings: Settings | None = None, *, instance: Instance | None = None, project: CompiledProject | None = None
) -> Gateway:
    """Load everything (adapters, WSDLs, stylesheets, schemas) and return the WSGI app.

    instance: what the workers the app is about to be forked into share (serve); default a single process's.
    project: the project compiled from these settings already (serve's, which `check` has passed)."""
    settings = settings or Settings.from_env()
    return Gateway(Engine(settings, project=project), instance)


def _trace(environ: dict[str, Any], origin: Origin) -> RequestTrace:
    """A new request's trace: its correlation id the client's when usable, its protocol by path, and the
    client's address as believed (see forwarded.py)."""
    path = environ.get("PATH_INFO", "/") or "/"
    protocol = PROTOCOLS.get(path, "json" if path.startswith("/json/") else "http")
    protocol = "passthrough" if path.startswith(PASSTHROUGH) else protocol
    protocol = protocol if environ.get("REQUEST_METHOD") == "POST" else "http"  # a WSDL is no operation call
    given = correlation.usable(environ.get("HTTP_X_CORRELATION_ID"))
    trace = RequestTrace(given or correlation.new_id(), protocol, path, client_address=origin.client)
    trace.trace_context = tracecontext.received(environ.get("HTTP_TRACEPARENT"), environ.get("HTTP_TRACESTATE"))
    return trace


def _request(environ: dict[str, Any], origin: Origin) -> Request:
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    headers["content-type"] = environ.get("CONTENT_TYPE", "")
    return Request(
        environ.get("REQUEST_METHOD", "GET"),
        environ.get("PATH_INFO", "/"),
        environ.get("QUERY_STRING", ""),
        headers,
        scheme=origin.scheme,
        client_address=origin.client,
    )


def _read_body(environ: dict[str, Any], limit: int) -> bytes:
    """The body, read only when it fits: an announced oversize body is refused unread, here or by the server."""
    length_text = environ.get("CONTENT_LENGTH") or ""
    length = int(length_text) if length_text.isdigit() else -1
    if length > limit or environ.get(REFUSED_UNREAD):
        raise RequestError(f"the body is larger than {limit} bytes")
    stream = environ["wsgi.input"]
    data: bytes = stream.read(length) if length >= 0 else stream.read(limit + 1)
    if len(data) > limit:
        raise RequestError(f"the body is larger than {limit} bytes")
    return data


def _soap_refusal(version: str, status: int, exc: RequestError) -> Response:
    """A body refused before it was read, as a Client fault in the endpoint's SOAP version, with the HTTP status."""
    log.warning("refused a SOAP %s request (%d): %s", version, status, exc.message)
    record_fault(exc.fault_code, True)
    _, envelope = soap_fault(Fault(True, exc.fault_code, exc.message), version, version)
    return Response(status, content_type(version), serialize(stamp(envelope)))


def _json_refusal(status: int, exc: RequestError) -> Response:
    log.warning("refused a JSON request (%d): %s", status, exc.message)
    record_fault(exc.fault_code, True)
    return Response(status, "application/problem+json", problem(Fault(True, exc.fault_code, exc.message), status)[1])


def _base_url(origin: Origin, public_url: str | None) -> str:
    """The gateway's address as published: the operator's when set, else the one the client used (validated)."""
    return public_url or f"{origin.scheme}://{origin.host}"
