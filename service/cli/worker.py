"""The gunicorn worker `soapbridge serve` runs: gthread, stopping without dropping a connection it was given.

gthread accepts one connection per poll, so a burst leaves connections in the listen backlog
that have completed the TCP handshake, and often sent their request; when a stopping worker
closes its listeners, the kernel resets them. This worker accepts whatever is already waiting
before it stops listening, serves it like any in-flight request (answered with Connection: close),
and closes its copy of the listeners at once, so that later clients are refused instead of
being left waiting in a backlog nobody reads.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

from gunicorn.workers.gthread import TConn, ThreadWorker

from ..gateway import Gateway

#: Seconds the arbiter waits beyond a worker's own grace period before it kills the worker: a worker whose
#: requests outlast the grace period stops by itself, and is never killed (nor reported as out of memory).
ARBITER_MARGIN = 2


class DrainingWorker(ThreadWorker):  # type: ignore[misc]
    """gthread that drains its listen backlog on SIGTERM, treats SIGINT (Ctrl-C) as SIGTERM, and tells
    the gateway it is draining, so that /readyz answers 503."""

    def init_process(self) -> None:
        # This process's copy of the settings: the arbiter's graceful_timeout includes its margin, ours does not.
        self.cfg.set("graceful_timeout", max(1, self.cfg.graceful_timeout - ARBITER_MARGIN))
        super().init_process()

    def run(self) -> None:
        super().run()
        if self.nr_conns > 0:
            # gthread's pool threads would be joined at exit, keeping the worker until each request ends
            self.log.warning("grace period over: stopping with %d connection(s) still open", self.nr_conns)
            sys.stderr.flush()
            os._exit(0)

    def init_signals(self) -> None:
        super().init_signals()
        # Ctrl-C reaches every process of the terminal's group, workers too: drain, as on SIGTERM
        signal.signal(signal.SIGINT, self.handle_exit)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if isinstance(self.wsgi, Gateway):
            self.wsgi.health.draining = True
        super().handle_exit(sig, frame)

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            self._accept_backlog()
            for listener in self.sockets:
                listener.close()

    def _accept_backlog(self) -> None:
        """Take every connection already waiting, up to worker_connections, without waiting for more."""
        for listener in self.sockets:
            listener.setblocking(False)
            while self.nr_conns < self.worker_connections:
                try:
                    client, address = listener.accept()
                except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                    break
                self.nr_conns += 1
                client.setblocking(True)
                self.enqueue_req(TConn(self.cfg, client, address, listener.getsockname()))
