"""The gateway as a WSGI application: routing, body reading, and nothing else."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from ..engine import Engine
from ..errors import RequestError
from ..settings import Settings
from ..wsgi import StartResponse
from .http import MAX_BODY, Request, Response, text
from .jsonapi import JsonEndpoint
from .soap import SoapEndpoint

REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    502: "Bad Gateway",
    504: "Gateway Timeout",
}


class Gateway:
    """Routes /soap11, /soap12 (and ?wsdl), /json/<Operation> and /healthz to their endpoints."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.soap = {"/soap11": SoapEndpoint(engine, "1.1"), "/soap12": SoapEndpoint(engine, "1.2")}
        self.json = JsonEndpoint(engine)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        response = self.handle(environ)
        headers = [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(response.body))),
            *response.headers,
        ]
        start_response(f"{response.status} {REASONS.get(response.status, '')}".strip(), headers)
        return [response.body]

    def handle(self, environ: dict[str, Any]) -> Response:
        path = environ.get("PATH_INFO", "/") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if path in self.soap:
            return self._soap(self.soap[path], method, environ)
        if path.startswith("/json/"):
            return self._json(path[len("/json/") :], method, environ)
        if path == "/healthz":
            return Response(200, "application/json", json.dumps({"status": "ok"}).encode())
        return text(404, f"nothing at {path}; try /soap11?wsdl, /soap12?wsdl or POST /json/<Operation>")

    def _soap(self, endpoint: SoapEndpoint, method: str, environ: dict[str, Any]) -> Response:
        if method == "GET" and environ.get("QUERY_STRING", "").lower() == "wsdl":
            return endpoint.wsdl(_base_url(environ) + environ.get("PATH_INFO", ""))
        if method != "POST":
            return text(405, "POST a SOAP envelope here, or GET ?wsdl")
        return self._with_body(environ, endpoint.post)

    def _json(self, operation: str, method: str, environ: dict[str, Any]) -> Response:
        if method != "POST":
            return text(405, "POST a JSON object with the operation's fields")
        return self._with_body(environ, lambda request: self.json.post(operation, request))

    def _with_body(self, environ: dict[str, Any], handler: Callable[[Request], Response]) -> Response:
        request = _request(environ)
        try:
            request.body = _read_body(environ)
        except RequestError as exc:
            return text(413, exc.message)
        return handler(request)


def create_app(settings: Settings | None = None) -> Gateway:
    """Load everything (adapters, WSDLs, stylesheets, schemas) and return the WSGI app."""
    return Gateway(Engine(settings or Settings.from_env()))


def _request(environ: dict[str, Any]) -> Request:
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    headers["content-type"] = environ.get("CONTENT_TYPE", "")
    return Request(
        environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/"), environ.get("QUERY_STRING", ""), headers
    )


def _read_body(environ: dict[str, Any]) -> bytes:
    length_text = environ.get("CONTENT_LENGTH") or ""
    length = int(length_text) if length_text.isdigit() else -1
    if length > MAX_BODY:
        raise RequestError(f"the body is larger than {MAX_BODY} bytes")
    stream = environ["wsgi.input"]
    data: bytes = stream.read(length) if length >= 0 else stream.read(MAX_BODY + 1)
    if len(data) > MAX_BODY:
        raise RequestError(f"the body is larger than {MAX_BODY} bytes")
    return data


def _base_url(environ: dict[str, Any]) -> str:
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    return f"{scheme}://{host}"
