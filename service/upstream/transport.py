"""One HTTP exchange with a legacy system, on a kept-alive connection, bounded by the call's deadline.

Everything that does not change between calls is settled once, when the transport is built: the TLS context,
the proxy for each address (from HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY, read as requests reads them,
at the first call to that address), the Basic credentials' header. A call then costs a pool lookup and the
exchange itself. A direct call is framed by h11 on a socket of this module's own pool (http11.py); a call
through a proxy goes with urllib3's ProxyManager, which does CONNECT and TLS within TLS. Their errors become
soapbridge's here, and nowhere else.
"""

from __future__ import annotations

import logging
import os
import ssl
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import h11
import requests.utils
import urllib3
from urllib3.util import make_headers

from ..config import AdapterConfig, Timeouts, Tls
from ..errors import ConfigError, UpstreamTimeout, UpstreamUnavailable
from ..redaction import hide_credentials
from ..settings import Limits
from . import http11
from .deadline import Deadline

POOL_SIZE = 32
#: The answer is read this much at a time, the deadline checked between reads: a trickle cannot outlast it.
CHUNK = 64 * 1024
#: Sent with every call, as requests sent them before.
DEFAULT_HEADERS = {"User-Agent": "soapbridge", "Accept": "*/*", **make_headers(accept_encoding=True)}
log = logging.getLogger("soapbridge.upstream")
#: Where an address's calls go: (its own connection pool, the path) direct, or (a proxy's pool manager, the address).
Route = tuple[http11.Pool | urllib3.PoolManager, str]


@dataclass(frozen=True)
class HttpAnswer:
    """A legacy system's HTTP answer, read whole (up to the body limit)."""

    status: int
    content_type: str
    content: bytes


class UpstreamTransport:
    """Posts envelopes with a connect timeout apart from the read timeout, both bounded by the call's deadline,
    and no body logging (bodies may carry credentials)."""

    def __init__(self, adapter: AdapterConfig, max_body: int = Limits().max_body) -> None:
        self.system = adapter.name
        self.max_body = max_body
        self.timeouts = adapter.timeouts
        self._pool_options: dict[str, Any] = {
            "maxsize": max(POOL_SIZE, adapter.bulkhead.max_concurrent),  # one kept-alive connection per call
            "block": False,
            "retries": False,  # a retry is the adapter's decision (retry.py), never the client library's
            **_tls_options(adapter.tls, adapter.name),
        }
        self._headers = dict(DEFAULT_HEADERS)
        if adapter.credentials and adapter.credentials.type == "http-basic":
            credentials = f"{adapter.credentials.username}:{adapter.credentials.password}"
            self._headers.update(make_headers(basic_auth=credentials))
        self._tls = adapter.tls
        self._tls_context: ssl.SSLContext | None = None  # made at the first https address: loading CAs takes a while
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()

    def post(
        self,
        address: str,
        message: bytes,
        headers: dict[str, str],
        *,
        deadline: Deadline | None = None,
        timeouts: Timeouts | None = None,
    ) -> HttpAnswer:
        """One HTTP exchange, the answer read whole (up to the body limit) before the deadline."""
        timeouts = timeouts or self.timeouts
        deadline = deadline or Deadline(timeouts.deadline)
        connect, read = deadline.cap(timeouts.connect), deadline.cap(timeouts.operation)
        if min(connect, read) <= 0:
            raise self.late(deadline, timeouts.operation, sent=False)
        opener, target = self._route(address)
        if isinstance(opener, http11.Pool):
            return self._exchange(opener, target, message, headers, deadline, timeouts)
        response = self._send(opener, target, message, headers, deadline, timeouts)
        try:  # the answer is read up to the body limit, never whole: a legacy system is not trusted either
            content = self._read(response, deadline, timeouts.operation)
        finally:
            response.close()  # closes the connection only if the answer was not read to its end
            response.release_conn()
        return HttpAnswer(response.status, response.headers.get("Content-Type", ""), content)

    def _exchange(
        self, pool: http11.Pool, target: str, message: bytes, headers: dict[str, str], deadline: Deadline,
        timeouts: Timeouts,
    ) -> HttpAnswer:  # fmt: skip
        """A direct call: a kept-alive connection of the address's pool, h11 framing both messages."""
        connect = deadline.cap(timeouts.connect)
        try:
            connection = pool.connection(connect)
        except TimeoutError as exc:
            if deadline.expired:
                raise self.late(deadline, timeouts.operation, sent=False) from exc
            raise self._unavailable(f"could not be reached within {_seconds(connect)}", sent=False) from exc
        except ssl.SSLError as exc:
            raise self._untrusted() from exc
        except ConnectionRefusedError as exc:
            raise self._unavailable("refused the connection", sent=False) from exc
        except OSError as exc:
            raise self._unavailable("cannot be reached", sent=False) from exc

        def wait() -> float:
            """The next read's bound: the operation timeout, or what is left of the deadline."""
            if deadline.expired:
                raise TimeoutError
            return max(deadline.cap(timeouts.operation), 0.001)

        fields = [("Host", pool.authority), *self._headers.items(), *headers.items()]
        request = h11.Request(method="POST", target=target, headers=[*fields, ("Content-Length", str(len(message)))])
        try:
            answer = http11.exchange(connection, request, message, wait, self.max_body)
        except BaseException as exc:
            connection.close()
            raise self._failed(exc, connection, deadline, timeouts.operation) from exc
        pool.release(connection)
        return HttpAnswer(answer.status, answer.content_type, answer.content)

    def _failed(
        self, exc: BaseException, connection: http11.Connection, deadline: Deadline, operation: float
    ) -> BaseException:
        """What a direct exchange that did not end well is, in soapbridge's terms."""
        if isinstance(exc, TimeoutError):
            return self.late(deadline, operation)
        if isinstance(exc, http11.AnswerTooLarge):
            return self._too_large()
        if isinstance(exc, http11.BrokenEncoding):
            return UpstreamUnavailable(f"{self.system} answered with {exc}", system=self.system)
        if isinstance(exc, h11.LocalProtocolError):  # a header of ours h11 will not send: nothing went out
            return UpstreamUnavailable(f"{self.system} cannot be called: {exc}", system=self.system, sent=False)
        if isinstance(exc, OSError | h11.RemoteProtocolError):
            if connection.answered:
                return self._unavailable("closed the connection before its whole answer arrived")
            return self._unavailable("reset or closed the connection without answering")
        return exc

    def _send(
        self,
        opener: urllib3.PoolManager,
        url: str,
        message: bytes,
        headers: dict[str, str],
        deadline: Deadline,
        timeouts: Timeouts,
    ) -> urllib3.BaseHTTPResponse:
        """A call through a proxy, with urllib3."""
        connect, read = deadline.cap(timeouts.connect), deadline.cap(timeouts.operation)
        try:
            return opener.urlopen(
                "POST",
                url,
                body=message,
                headers={**self._headers, **headers},
                timeout=urllib3.Timeout(connect=connect, read=read),
                redirect=False,
                assert_same_host=False,
                preload_content=False,
            )
        except urllib3.exceptions.NewConnectionError as exc:  # before ConnectTimeoutError: it is one too
            raise self._unavailable("refused the connection", sent=False) from exc
        except urllib3.exceptions.ConnectTimeoutError as exc:
            if deadline.expired:
                raise self.late(deadline, timeouts.operation, sent=False) from exc
            raise self._unavailable(f"could not be reached within {_seconds(connect)}", sent=False) from exc
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise self.late(deadline, timeouts.operation) from exc
        except urllib3.exceptions.SSLError as exc:
            raise self._untrusted() from exc
        except urllib3.exceptions.ProxyError as exc:
            raise self._unavailable("cannot be reached through the proxy", sent=False) from exc
        except (urllib3.exceptions.ProtocolError, OSError) as exc:
            raise self._unavailable("reset or closed the connection without answering") from exc
        except urllib3.exceptions.HTTPError as exc:
            raise UpstreamUnavailable(f"{self.system} cannot be reached", system=self.system) from exc

    def _read(self, response: urllib3.BaseHTTPResponse, deadline: Deadline, operation: float) -> bytes:
        body = bytearray()
        while len(body) <= self.max_body:
            if deadline.expired:
                raise self.late(deadline, operation)
            _read_timeout(response, deadline.cap(operation))
            try:
                chunk = response.read1(min(CHUNK, self.max_body + 1 - len(body)), decode_content=True)
            except urllib3.exceptions.ReadTimeoutError as exc:
                raise self.late(deadline, operation) from exc
            except urllib3.exceptions.HTTPError as exc:
                raise self._unavailable("closed the connection before its whole answer arrived") from exc
            if not chunk:
                return bytes(body)
            body += chunk
        raise self._too_large()

    def _route(self, address: str) -> Route:
        """What to post an address's calls with, and the URL to give it: its connection pool and the path when
        the call goes direct, else the proxy's pool manager and the whole address (looked up once per address)."""
        route = self._routes.get(address)
        if route is None:
            with self._lock:
                route = self._routes.get(address) or self._routes.setdefault(address, self._open_route(address))
        return route

    def _open_route(self, address: str) -> Route:
        proxy = requests.utils.select_proxy(address, requests.utils.get_environ_proxies(address))
        if not proxy:
            url = urllib3.util.parse_url(address)
            tls = None
            if url.scheme == "https":
                tls = self._tls_context = self._tls_context or _tls_context(self._tls)
            port = url.port or (443 if tls is not None else 80)
            return http11.Pool(url.host or "", port, tls, self._pool_options["maxsize"]), url.request_uri
        parts = urlsplit(proxy)
        if parts.scheme not in ("http", "https"):
            raise ConfigError(f"{self.system}: the proxy {parts.scheme}://{parts.hostname} is not an HTTP proxy")
        headers = {}
        if parts.username is not None:
            credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            headers = make_headers(proxy_basic_auth=credentials)
        log.info(
            "%s: calls %s through the proxy %s:%s", self.system, hide_credentials(address), parts.hostname, parts.port
        )
        return urllib3.ProxyManager(proxy, proxy_headers=headers, **self._pool_options), address

    def late(self, deadline: Deadline, operation: float, *, sent: bool = True) -> UpstreamTimeout:
        if deadline.left() > 0.05:
            return UpstreamTimeout(f"{self.system} did not answer within {_seconds(operation)}", system=self.system)
        what = "did not answer" if sent else "was not called"
        return UpstreamTimeout(
            f"{self.system} {what} within the {_seconds(deadline.seconds)} deadline", system=self.system, sent=sent
        )

    def _too_large(self) -> UpstreamUnavailable:
        return UpstreamUnavailable(f"{self.system} answered with more than {self.max_body} bytes", system=self.system)

    def _untrusted(self) -> UpstreamUnavailable:
        return UpstreamUnavailable(
            f"{self.system} cannot be reached: its TLS certificate is not trusted, or the TLS handshake failed",
            system=self.system,
            sent=False,
        )

    def _unavailable(self, what: str, *, sent: bool = True) -> UpstreamUnavailable:
        return UpstreamUnavailable(f"{self.system} {what}", system=self.system, sent=sent, transient=True)


def _read_timeout(response: urllib3.BaseHTTPResponse, seconds: float) -> None:
    """Bound the next read of the answer; urllib3 keeps the socket on the response while it is streamed."""
    sock = getattr(getattr(response, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value >= 1 else f"{value:g} s"


def _tls_options(tls: Tls, system: str) -> dict[str, str | None]:
    """urllib3's pool options (calls through a proxy): certificates are checked against _bundle unless switched off."""
    options: dict[str, str | None] = {"cert_file": None, "key_file": None}
    if tls.client_cert is not None:
        options.update(cert_file=str(tls.client_cert), key_file=str(tls.client_key) if tls.client_key else None)
    bundle = _bundle(tls)
    if bundle is None:
        log.warning("%s: TLS certificate verification is off ([tls] verify = false in its adapter)", system)
        return {**options, "cert_reqs": "CERT_NONE"}
    where = "ca_cert_dir" if os.path.isdir(bundle) else "ca_certs"
    return {**options, "cert_reqs": "CERT_REQUIRED", where: bundle}


def _tls_context(tls: Tls) -> ssl.SSLContext:
    """The TLS context of direct calls: the same certificates trusted as through a proxy, the same client's shown."""
    bundle = _bundle(tls)
    if bundle is None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif os.path.isdir(bundle):
        context = ssl.create_default_context(capath=bundle)
    else:
        context = ssl.create_default_context(cafile=bundle)
    if tls.client_cert is not None:
        context.load_cert_chain(str(tls.client_cert), str(tls.client_key) if tls.client_key else None)
    return context


def _bundle(tls: Tls) -> str | None:
    """What certificates are checked against: the ca_bundle if given, else what requests trusted
    (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, else its own); None when checking is switched off."""
    if not tls.verify:
        return None
    if tls.ca_bundle is not None:
        return str(tls.ca_bundle)
    named = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    return named or requests.utils.DEFAULT_CA_BUNDLE_PATH
