"""Inbound notifications: a legacy system posts a one-way SOAP message to /flows/<name>, as CRMs send outbound
messages. It is acknowledged (HTTP 202, no body: SOAP's one-way answer) only once its items are in the ledger
and queued; until then the sender gets a fault and sends it again, as such senders do.

Served by the flows process itself (`soapbridge flows worker --notifications HOST:PORT`; `serve` gives it a
loopback port and prints it), so the gateway's workers never hold a notification in memory.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from lxml import etree

from ..errors import SoapbridgeError, StoreError
from ..soapenv import fault, fault_status, open_envelope, read_envelope, serialize, wrap
from ..xmlparse import parse_bytes
from .definition import NotificationTrigger
from .intake import take_in
from .runtime import FlowRuntime

log = logging.getLogger("soapbridge.flows")
StartResponse = Callable[..., Any]
PREFIX = "/flows/"


class Inbox:
    """The WSGI application that takes notifications for every flow with a notification trigger."""

    def __init__(self, runtime: FlowRuntime) -> None:
        self.runtime = runtime

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        compiled = self.runtime.flows.get(path.removeprefix(PREFIX)) if path.startswith(PREFIX) else None
        if compiled is None or not isinstance(compiled.flow.trigger, NotificationTrigger):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"no flow takes notifications here\n"]
        if environ.get("REQUEST_METHOD") != "POST":
            start_response("405 Method Not Allowed", [("Allow", "POST"), ("Content-Type", "text/plain")])
            return [b"POST a SOAP message\n"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(min(length, self.runtime.settings.limits.max_body))
        return self._take(compiled, body, start_response)

    def _take(self, compiled: Any, body: bytes, start_response: StartResponse) -> list[bytes]:
        version = "1.1"
        try:
            root = parse_bytes(body, what="a notification", limits=self.runtime.settings.limits)
            opened = open_envelope(root)
            if opened is None:
                raise SoapbridgeError("a notification is a SOAP 1.1 or 1.2 Envelope")
            version = opened[0]
            payload = _payload(read_envelope(root, version).body, compiled.flow.trigger)
            queued = take_in(self.runtime, compiled, copy.deepcopy(payload))
        except StoreError as exc:  # not kept: the sender must send it again
            return _fault(start_response, version, False, exc.message)
        except SoapbridgeError as exc:
            return _fault(start_response, version, True, exc.message)
        log.info("flow %s took a notification: %d items, %d new", compiled.name, queued.seen, queued.queued)
        start_response("202 Accepted", [("Content-Length", "0")])
        return []


def _payload(body: etree._Element, trigger: NotificationTrigger) -> etree._Element:
    children = list(body.iterchildren(tag=etree.Element))
    if len(children) != 1:
        raise SoapbridgeError(f"a notification's Body holds one element, not {len(children)}")
    if trigger.element and children[0].tag != trigger.element:
        raise SoapbridgeError(f"this flow takes {trigger.element}, not {children[0].tag}")
    return children[0]


def _fault(start_response: StartResponse, version: str, client: bool, message: str) -> list[bytes]:
    code = ("Sender" if version == "1.2" else "Client") if client else ("Receiver" if version == "1.2" else "Server")
    answer = serialize(wrap(fault(version, code, message), version))
    media = "application/soap+xml; charset=utf-8" if version == "1.2" else "text/xml; charset=utf-8"
    start_response(fault_status(version, client), [("Content-Type", media), ("Content-Length", str(len(answer)))])
    return [answer]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the flow's own log line says what was taken
        return


def serve_inbox(runtime: FlowRuntime, host: str, port: int) -> tuple[str, Callable[[], None]]:
    """Serve the inbox in a thread; its base URL, and how to stop it."""
    server = make_server(host, port, Inbox(runtime), server_class=_Server, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="flows-inbox", daemon=True).start()
    return f"http://{host}:{server.server_port}{PREFIX}", server.shutdown
