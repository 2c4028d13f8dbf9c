"""The request handler that acts out a system's fault mode on the socket, where WSGI cannot reach.

It reads the request itself, counts it, and then either hands it to the emulator (normal, slow) or
answers the way a failing legacy system does: an error page, half an answer, bytes that are not XML,
a reset connection, or nothing at all. Except for "truncated" (the system did the work; its answer
was lost on the way), no fault runs the operation, so the emulator's state stays as it was.
"""

from __future__ import annotations

import io
import socket
import struct
import time
from typing import Any, Protocol
from wsgiref.simple_server import ServerHandler

from lxml import etree

from ..errors import XmlError
from ..soapenv import content_type
from ..wsgi import QuietHandler
from ..xmlparse import parse_bytes
from ._soap import Emulator, addressing_of
from .faults import Arrival, FaultSwitch

#: Headers that carry credentials: never kept with the requests a system remembers.
CREDENTIAL_HEADERS = ("authorization", "proxy-authorization", "cookie")
#: How long an idle or slow client may hold a handler thread (so a stop never waits forever on one).
CLIENT_TIMEOUT = 30.0
RETRY_AFTER = "120"
FAULT_MESSAGE = "internal error: the request could not be processed (backend unavailable)"

DOWN_PAGE = b"""<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>503 Service Unavailable</title>
</head><body>
<h1>Service Unavailable</h1>
<p>The server is temporarily unable to service your
request due to maintenance downtime or capacity
problems. Please try again later.</p>
<hr>
<address>Apache/2.2.15 (Red Hat) Server at legacy.internal Port 80</address>
</body></html>
"""
ERROR_PAGE = b"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
<title>500 - Internal server error.</title></head>
<body><div id="header"><h1>Server Error</h1></div>
<div id="content"><fieldset>
<h2>500 - Internal server error.</h2>
<h3>There is a problem with the resource you are looking for, and it cannot be displayed.</h3>
</fieldset></div>
</body></html>
"""
#: Complete, and labelled text/xml, but not XML: what a broken encoder or a binary dump looks like.
GARBAGE = b"\x1f\x8b\x08\x00\xde\xad\xbe\xef ORA-01722: invalid number \x00\xff\xfe <<<\x9c\x80 @@@ \xc3("


class FaultSource(Protocol):
    """What the handler needs from its server."""

    switch: FaultSwitch
    emulator: Emulator

    def get_app(self) -> Any: ...


class FaultingHandler(QuietHandler):
    """Serve one request (HTTP/1.0: one per connection) of an emulator, as its fault mode says."""

    server: FaultSource  # type: ignore[assignment]
    timeout = CLIENT_TIMEOUT

    def handle(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        if self.command != "POST":
            self._run_app(self.rfile)
            return
        body = self.rfile.read(self._content_length())
        request = received(body, dict(self.headers.items()))
        self._act_out(self.server.switch.arrive(request["operation"], request), body)

    def _act_out(self, arrival: Arrival, body: bytes) -> None:
        mode = arrival.fault.mode
        if mode == "slow":
            time.sleep(arrival.fault.delay_ms / 1000)
        if mode in ("normal", "slow"):
            self._run_app(io.BytesIO(body))
        elif mode == "down":
            self._send(503, "text/html; charset=iso-8859-1", DOWN_PAGE, ("Retry-After", RETRY_AFTER))
        elif mode == "html500":
            self._send(500, "text/html; charset=iso-8859-1", ERROR_PAGE)
        elif mode == "garbage":
            self._send(200, "text/xml; charset=utf-8", GARBAGE)
        elif mode == "fault":
            self._send_soap(*self.server.emulator.server_fault(FAULT_MESSAGE))
        elif mode == "truncated":
            self._send_truncated(body)
        elif mode == "hang":
            arrival.released.wait()
        else:  # reset; and refuse, for a connection accepted just before the port closed
            self._reset()

    def _run_app(self, stdin: Any) -> None:
        stdout: Any = self.wfile  # typeshed wants IO[bytes]; a socket writer is what wsgiref itself passes
        handler = ServerHandler(stdin, stdout, self.get_stderr(), self.get_environ(), multithread=False)
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())

    def _send(self, code: int, media_type: str, body: bytes, *headers: tuple[str, str], length: int = -1) -> None:
        """A raw answer; length (when given) is the Content-Length to claim, whatever body holds."""
        self.send_response(code)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body) if length < 0 else length))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_soap(self, status: str, envelope: bytes) -> None:
        self._send(int(status.split()[0]), content_type(self.server.emulator.soap_version), envelope)

    def _send_truncated(self, body: bytes) -> None:
        emulator = self.server.emulator
        status, envelope = emulator.handle(body, {name.lower(): value for name, value in self.headers.items()})
        media_type = content_type(emulator.soap_version)
        self._send(int(status.split()[0]), media_type, envelope[: len(envelope) // 2], length=len(envelope))

    def _reset(self) -> None:
        """Close with SO_LINGER 0: the kernel sends a RST instead of a FIN."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # the file object holds the socket open otherwise
        self.connection.close()

    def _content_length(self) -> int:
        try:
            return max(int(self.headers.get("Content-Length") or 0), 0)
        except ValueError:
            return 0


def received(envelope: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """What a request carried, as the admin endpoint shows it: its operation, its HTTP headers (credentials
    left out), and its WS-Addressing header blocks by local name (MessageID, Action, To...)."""
    try:
        root: etree._Element | None = parse_bytes(envelope, what="request")
    except XmlError:
        root = None
    return {
        "operation": operation_of(root),
        "headers": {name: value for name, value in headers.items() if name.lower() not in CREDENTIAL_HEADERS},
        "addressing": addressing_of(_children_of(root, "Header")),
    }


def operation_of(root: etree._Element | None) -> str | None:
    """The local name of the SOAP Body's first element, whatever the SOAP version; None if there is none."""
    for payload in _children_of(root, "Body")[:1]:
        return str(etree.QName(payload).localname)
    return None


def _children_of(root: etree._Element | None, part: str) -> list[etree._Element]:
    for child in root if root is not None else ():
        if isinstance(child.tag, str) and etree.QName(child).localname == part:
            return [element for element in child if isinstance(element.tag, str)]
    return []
