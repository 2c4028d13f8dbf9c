"""Run emulators as real threaded HTTP servers on loopback."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from ._soap import Emulator


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Emulators are noisy otherwise; the gateway logs what matters."""


@dataclass
class RunningEmulator:
    """An emulator listening on a port, served by a background thread; `with` stops it at the end."""

    emulator: Emulator
    server: WSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        host, port = self.server.socket.getsockname()[:2]
        return f"http://{host}:{port}/{self.emulator.name}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start(emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> RunningEmulator:
    """Serve one emulator on host:port (0 picks a free port) until stop() is called."""
    server = make_server(host, port, emulator, server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"legacy-{emulator.name}", daemon=True
    )
    thread.start()
    return RunningEmulator(emulator, server, thread)
