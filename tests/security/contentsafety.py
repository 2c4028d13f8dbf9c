"""What the stylesheet, loading, upstream and TLS tests share: a canary, a listener, an in-process gateway."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from lxml import etree

from soapbridge.gateway import create_app
from soapbridge.namespaces import CANONICAL, SOAP11_ENV
from soapbridge.settings import Settings
from tests.running import accepting, serving

CANARY_TEXT = "CANARY-7f3a9c-contentsafety"
FORECAST = f'<GetForecast xmlns="{CANONICAL}"><stationId>EGLL</stationId><days>1</days></GetForecast>'
CUSTOMER = f'<GetCustomer xmlns="{CANONICAL}"><customerId>1001</customerId></GetCustomer>'


def write_canary(folder: Path) -> Path:
    """A secret-looking file outside any project folder; no test may ever see its text."""
    canary = folder / "canary.txt"
    canary.write_text(CANARY_TEXT)
    return canary


@dataclass
class Listener:
    """A loopback TCP port that records every connection made to it and answers nothing."""

    port: int
    connections: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def listening() -> Iterator[Listener]:
    connections: list[str] = []

    def record(connection: socket.socket, peer: str) -> None:
        connections.append(peer)
        connection.close()

    with accepting(record) as port:
        yield Listener(port, connections)


@contextmanager
def gateway(root: Path, env: dict[str, str]) -> Iterator[str]:
    """The gateway on a project folder, in-process over loopback HTTP, with inbound authentication off
    (these tests are about what the gateway reads and calls, not who calls it); yields its base URL."""
    settings = Settings.from_env({**env, "SOAPBRIDGE_HOME": str(root), "SOAPBRIDGE_AUTH": "off"})
    with serving(create_app(settings), "gateway") as base:
        yield base


@contextmanager
def answering(payload: Callable[[], bytes], content_type: str = "text/xml", status: int = 200) -> Iterator[str]:
    """A misbehaving legacy system: every POST gets payload, whatever was asked; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = payload()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # the gateway stops reading an oversized answer at its limit and hangs up: that is the point
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/legacy"
    finally:
        server.shutdown()
        server.server_close()


def call(base: str, body: str, operation: str) -> requests.Response:
    data = f'<e:Envelope xmlns:e="{SOAP11_ENV}"><e:Body>{body}</e:Body></e:Envelope>'.encode()
    headers = {"Content-Type": "text/xml", "SOAPAction": f'"{CANONICAL}/{operation}"'}
    return requests.post(f"{base}/soap11", data=data, headers=headers, timeout=30)


def fault(response: requests.Response) -> tuple[str, str, str]:
    """(faultcode, canonical code, faultstring) of a SOAP 1.1 fault."""
    found = etree.fromstring(response.content).find(f".//{{{SOAP11_ENV}}}Fault")
    assert found is not None, response.text
    code = found.findtext(f".//{{{CANONICAL}}}code") or ""
    return found.findtext("faultcode") or "", code, found.findtext("faultstring") or ""


def forecast_works(base: str) -> bool:
    response = call(base, FORECAST, "GetForecast")
    return response.status_code == 200 and b"GetForecastResponse" in response.content
