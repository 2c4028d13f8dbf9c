"""Run emulators as real threaded HTTP servers on loopback, each with its fault switch."""

from __future__ import annotations

import socket
import threading
import time
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIServer

from ._faulting import FaultingHandler
from ._soap import Emulator
from .faults import FaultSwitch

POLL_INTERVAL = 0.05


class EmulatorServer(ThreadingMixIn, WSGIServer):
    """A threaded WSGI server that knows its emulator, its fault switch, and the requests in flight."""

    daemon_threads = True  # a stop waits for them itself (drain), up to a bound
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: Emulator, switch: FaultSwitch) -> None:
        super().__init__(address, FaultingHandler)
        self.set_app(emulator)
        self.emulator = emulator
        self.switch = switch
        self.in_flight: set[threading.Thread] = set()
        self._threads_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(target=self._serve_one, args=(request, client_address), daemon=True)
        with self._threads_lock:
            self.in_flight.add(thread)
        thread.start()

    def _serve_one(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._threads_lock:
                self.in_flight.discard(threading.current_thread())

    def drain(self, timeout: float) -> bool:
        """Wait up to timeout seconds for the requests in flight; True if they all finished."""
        deadline = time.monotonic() + timeout
        with self._threads_lock:
            threads = list(self.in_flight)
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0))
        return not any(thread.is_alive() for thread in threads)


class RunningEmulator:
    """An emulator listening on a port, served by a background thread; `with` stops it at the end.

    Its switch's "refuse" mode closes the port; any other mode opens it again, on the same port.
    """

    def __init__(self, emulator: Emulator, host: str, port: int) -> None:
        self.emulator = emulator
        self.switch = FaultSwitch(emulator.name, on_change=self._follow_mode)
        self.server = EmulatorServer((host, port), emulator, self.switch)
        self.address: tuple[str, int] = self.server.socket.getsockname()[:2]
        self._lock = threading.Lock()
        self._stopping = False
        self.thread = self._serve()

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}/{self.emulator.name}"

    def replace(self, emulator: Emulator) -> None:
        """Answer from now on with emulator (freshly seeded, say); requests in flight finish with the old one."""
        self.emulator = self.server.emulator = emulator
        self.server.set_app(emulator)

    def stop(self, grace: float = 30.0) -> bool:
        """Stop accepting, let requests in flight finish (up to grace seconds), end hanging ones; True if all did."""
        self.stop_accepting()
        return self.server.drain(grace)

    def stop_accepting(self) -> None:
        """Close the port for good and release hanging requests; the ones in flight go on."""
        with self._lock:
            self._stopping = True
            self._close_port()
        self.switch.release_all()

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _follow_mode(self, _: str) -> None:
        with self._lock:  # the mode as it is now, not as it was when called: the last of two switches wins
            if self._stopping:
                return
            if self.switch.mode == "refuse":
                self._close_port()
            elif self.thread is None:
                self._reopen_port()

    def _serve(self) -> threading.Thread | None:
        name = f"legacy-{self.emulator.name}"
        thread = threading.Thread(target=self.server.serve_forever, args=(POLL_INTERVAL,), name=name, daemon=True)
        thread.start()
        return thread

    def _close_port(self) -> None:
        if self.thread is None:
            return
        self.server.shutdown()
        self.server.socket.close()
        self.thread.join(timeout=5)
        self.thread = None

    def _reopen_port(self) -> None:
        listener = socket.socket(self.server.address_family, self.server.socket_type)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(self.address)
        listener.listen(self.server.request_queue_size)
        self.server.socket = listener
        self.thread = self._serve()


def start(emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> RunningEmulator:
    """Serve one emulator on host:port (0 picks a free port) until stop() is called."""
    return RunningEmulator(emulator, host, port)
