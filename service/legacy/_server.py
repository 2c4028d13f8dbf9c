"""Run emulators as real threaded HTTP servers on loopback."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

from ..wsgi import serve_in_background
from ._soap import Emulator


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
    server, thread = serve_in_background(emulator, host, port, name=f"legacy-{emulator.name}")
    return RunningEmulator(emulator, server, thread)
