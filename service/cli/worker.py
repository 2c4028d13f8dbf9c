"""The gunicorn worker `soapbridge serve` runs: gthread, stopping without dropping a connection it was given.

gthread accepts one connection per poll, so a burst leaves connections in the listen backlog
that have completed the TCP handshake, and often sent their request; when a stopping worker
closes its listeners, the kernel resets them. This worker accepts whatever is already waiting
before it stops listening, serves it like any in-flight request (answered with Connection: close),
and closes its copy of the listeners at once, so that later clients are refused instead of
being left waiting in a backlog nobody reads.

Every worker waits on the same listening socket, and whichever wakes first takes the connection: a
burst of keep-alive connections used to leave most of them with one worker for their whole life (85
of 100, the other worker idle). So each worker writes how many connections it holds into the
instance's shared WorkerLoads on every turn of its loop, and stops accepting while it holds clearly
more than its least loaded live sibling, leaving the next connection to that one. SO_REUSEPORT (a
socket per worker) would spread them too, but by a hash of the client's address, blind to load;
it would also let another process of the same user bind the port and take a share of the clients
silently, and a closing worker's socket drops the connections still waiting in its own queue.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

from ..gateway import Gateway
from ..workerload import WorkerLoads
from .buffering import BufferedConn, BufferingWorker, PeerBound

#: Seconds the arbiter waits beyond a worker's own grace period before it kills the worker: a worker whose
#: requests outlast the grace period stops by itself, and is never killed (nor reported as out of memory).
ARBITER_MARGIN = 2
#: The signals that stop a worker. The arbiter blocks them across fork (serve's _Arbiter.spawn_worker) and the
#: new worker unblocks them once its own handlers are in place: one that arrived in between would otherwise run
#: the arbiter's inherited handler, which only queues it in the worker's copy of the arbiter, and the worker
#: would go on serving until the arbiter killed it a grace period later (seen under load: a stop that took 32 s).
STOPPING = frozenset({signal.SIGTERM, signal.SIGINT, signal.SIGQUIT})
#: Seconds a worker that left a connection to a sibling waits before it looks at the loads again.
RECHECK = 0.05


class DrainingWorker(BufferingWorker):
    """gthread, reading each request in full before serving it (service/cli/buffering.py), that drains its
    listen backlog on SIGTERM, treats SIGINT (Ctrl-C) as SIGTERM, and tells
    the gateway it is draining, so that /readyz answers 503; with the instance's worker loads (take_slot),
    it also leaves new connections to a sibling that holds clearly fewer, and counts the requests it answers."""

    #: The instance's per-worker figures, and this worker's slot in them (None: it defers to no one).
    loads: WorkerLoads | None = None
    slot: int | None = None

    def take_slot(self, loads: WorkerLoads) -> None:
        """Join the instance's worker loads (in the new worker process, before it serves), and bound each peer's
        connections by them (set bounds first)."""
        self.loads, self.slot = loads, loads.claim(os.getpid())
        self._counting = threading.Lock()  # this worker's threads count into one slot
        if self.slot is not None:
            self.peers = PeerBound(loads, self.slot, self.bounds.connections.max_per_peer)

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
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)  # one that came while forking is delivered now

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        wsgi = getattr(self, "wsgi", None)  # not loaded yet when a stop came while the worker was forking
        if isinstance(wsgi, Gateway):
            wsgi.health.draining = True
        super().handle_exit(sig, frame)

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        if self.alive and self.loads is not None and self.slot is not None:
            self.loads.hold(self.slot, self.nr_conns)
            self.set_accept_enabled(self.nr_conns < self.worker_connections)
            if not self._accepting:  # a sibling is taking the new connections: look again soon
                timeout = min(timeout, RECHECK)
        super().wait_for_and_dispatch_events(timeout)

    def set_accept_enabled(self, enabled: bool) -> None:
        if enabled and self.alive and self.loads is not None and self.slot is not None:
            enabled = self.loads.may_accept(self.slot, self.nr_conns)
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            if self.loads is not None and self.slot is not None:
                self.loads.withdraw(self.slot)  # stopping: the siblings must not leave connections to it
            self._accept_backlog()
            for listener in self.sockets:
                listener.close()

    def handle_request(self, req: Any, conn: BufferedConn) -> bool:
        try:
            kept: bool = super().handle_request(req, conn)
            return kept
        finally:
            if self.loads is not None and self.slot is not None:
                with self._counting:
                    self.loads.answered(self.slot)

    def _accept_backlog(self) -> None:
        """Take every connection already waiting, up to worker_connections, without waiting for more."""
        for listener in self.sockets:
            listener.setblocking(False)
            while self.nr_conns < self.worker_connections:
                try:
                    client, address = listener.accept()
                except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                    break
                self.admit(client, address, listener)
