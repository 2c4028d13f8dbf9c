"""`soapbridge serve`: the gateway on gunicorn, plus the emulators for systems with no URL set.

It compiles the project once, runs `soapbridge check` on it, and does not start when the configuration
fails it.
On SIGTERM or SIGINT (Ctrl-C) it stops accepting, lets in-flight requests finish for up to the
grace period, then stops the emulators and exits 0; a second signal does not cut the wait short
(SIGQUIT does).

The process model: the arbiter binds the port, loads everything and makes the Instance (runtime and
metrics folders, the workers' shared loads) once; the workers fork from it and share what it made.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.glogging import Logger as GunicornLogger

from ..config import endpoint_variable
from ..engine.compiler import compile_project
from ..errors import UsageError
from ..flows.serving import start_flows, stop_flows
from ..gateway import Gateway, create_app
from ..instance import Instance
from ..settings import Settings
from ..telemetry.logs import configure as configure_logging
from ..toolkit.check import check_project
from .buffering import ClientBounds
from .check import print_table
from .listen import bind, handed_over
from .worker import ARBITER_MARGIN, STOPPING, DrainingWorker

#: Seconds the worker heartbeat may go quiet beyond the longest deadline before gunicorn replaces the worker.
HEARTBEAT_MARGIN = 30


def register(commands: Any) -> None:
    command = commands.add_parser("serve", help="run the gateway", description=__doc__)
    command.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    command.add_argument("--port", type=int, default=8080, help="port to bind; 0 picks a free one (default 8080)")
    command.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    command.add_argument("--threads", type=int, default=8, help="threads per worker (default 8)")
    command.add_argument(
        "--no-emulators",
        action="store_true",
        help="never start emulated legacy systems, even for systems with no URL set",
    )
    command.add_argument(
        "--no-flows",
        action="store_true",
        help="do not run the project's flows (flows/*.toml) beside the gateway; also SOAPBRIDGE_FLOWS=off",
    )
    command.add_argument("--certfile", metavar="FILE", help="serve HTTPS with this certificate (PEM); needs --keyfile")
    command.add_argument("--keyfile", metavar="FILE", help="the certificate's private key (PEM)")
    command.add_argument(
        "--grace-period",
        type=_grace_period,
        metavar="SECONDS",
        help="on SIGTERM, how long in-flight requests may still take (default SOAPBRIDGE_GRACE_PERIOD, else 30)",
    )
    command.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    _check_tls(arguments)
    listener = bind(arguments.host, arguments.port)  # first: a busy port is one line, before anything starts
    settings = Settings.from_env()
    emulated = [] if arguments.no_emulators else _unset_systems()
    # Everything loads here, before any fork, and check judges that very project, secrets included. Only the demo
    # (emulated systems) compiles twice: check first without the secrets and URLs its emulators are to bring,
    # so a broken configuration starts nothing, then again with them.
    project = None if emulated else compile_project(settings, with_clients=True)
    report = check_project(settings, project)
    if not report.ok:
        print("soapbridge: not starting; `soapbridge check` fails on:", file=sys.stderr)
        print_table(report.failures, sys.stderr)
        return 1
    configure_logging(settings)  # before the workers fork: they inherit the handler
    emulators = _start_emulators(emulated) if emulated else None
    flows = None
    try:
        settings = Settings.from_env() if emulated else settings  # with the emulators' URLs and secrets
        instance = Instance.serving(settings, listener.getsockname()[1], arguments.workers)
        app = create_app(settings, instance=instance, project=project)
        flows = None if arguments.no_flows else start_flows(settings, arguments.host)  # with the metrics folder set
        _Server(app, listener, arguments, arguments.grace_period or settings.grace_period).run()
    finally:
        stop_flows(flows)
        _stop(emulators)
    return 0


def _check_tls(arguments: argparse.Namespace) -> None:
    if (arguments.certfile is None) != (arguments.keyfile is None):
        raise UsageError("--certfile and --keyfile go together")
    for option, path in (("--certfile", arguments.certfile), ("--keyfile", arguments.keyfile)):
        if path is not None and not os.path.isfile(path):
            raise UsageError(f"{option}: no such file: {path}")


def _grace_period(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 86400:
        raise argparse.ArgumentTypeError(f"a whole number of seconds between 1 and 86400, not {text!r}")
    return int(text)


def _unset_systems() -> list[str]:
    """The emulated systems that no SOAPBRIDGE_<SYSTEM>_URL points elsewhere: serve starts them."""
    from ..legacy import SYSTEMS  # the emulators' modules: only when some may be started, not for --no-emulators

    return [name for name in SYSTEMS if not os.environ.get(endpoint_variable(name))]


def _start_emulators(missing: list[str]) -> subprocess.Popen[str]:
    """Start `soapbridge legacy` for the systems missing, and point the gateway at it."""
    from .legacy import ADMIN, READY, ensure_credentials

    ensure_credentials(os.environ, missing)
    command = [sys.executable, "-m", "soapbridge", "legacy", "--systems", ",".join(missing), "--watch-stdin"]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() == READY:
            break
        name, url = line.split()[:2]
        if name == ADMIN:
            print(f"emulators admin {url}", flush=True)
            continue
        os.environ[endpoint_variable(name)] = url
        print(f"emulated {name:8} {url}", flush=True)
    else:
        _stop(child)
        raise SystemExit("soapbridge: the emulated legacy systems did not start")
    return child


def _stop(child: subprocess.Popen[str] | None) -> None:
    if child is None or child.poll() is not None:
        return
    assert child.stdin is not None
    child.stdin.close()  # the emulators exit when their stdin closes
    try:
        child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


class _Server(BaseApplication):  # type: ignore[misc]
    """gunicorn with the already-loaded gateway: workers fork from a process where it is ready."""

    def __init__(self, app: Gateway, listener: socket.socket, arguments: argparse.Namespace, grace: int) -> None:
        self.application = app
        served = (operation for routed in app.engine.operations.values() for operation in routed.adapters)
        longest = max((operation.timeouts.deadline for operation in served), default=0)
        instance = app.instance
        settings = app.engine.settings
        bounds = ClientBounds(settings.connections, settings.limits.max_body, app.proxies.trusts)
        self.options = {
            "bind": handed_over(listener),
            "workers": arguments.workers,
            "worker_class": DrainingWorker,
            "threads": arguments.threads,
            "graceful_timeout": grace + ARBITER_MARGIN,  # each worker drains for the grace period itself
            "timeout": int(longest) + HEARTBEAT_MARGIN,
            "keepalive": settings.connections.idle_timeout,
            "when_ready": _announce,
            "post_fork": lambda server, worker: _worker_started(app, worker, bounds),
            "child_exit": lambda server, worker: instance.worker_exited(worker.pid),
            # gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl), which two
            # gateways on one host would share; soapbridge is run by signals (TERM, HUP, TTIN), so none at all.
            "control_socket_disable": True,
            # No header changes wsgi.url_scheme or the environ from any peer, loopback included: the gateway
            # believes X-Forwarded-* and Forwarded only from SOAPBRIDGE_TRUSTED_PROXIES, by itself.
            "forwarded_allow_ips": "",
            "secure_scheme_headers": {},
            "forwarder_headers": "",
            "loglevel": "warning",
            "logger_class": _GunicornLog,
        }
        if arguments.certfile:
            self.options.update(certfile=arguments.certfile, keyfile=arguments.keyfile)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Gateway:
        return self.application

    def run(self) -> None:
        try:
            _Arbiter(self).run()
        except RuntimeError as exc:  # what gunicorn's own run() reports in one line
            raise SystemExit(f"soapbridge: {exc}") from None


def _worker_started(app: Gateway, worker: DrainingWorker, bounds: ClientBounds) -> None:
    worker.bounds = bounds  # first: the worker's slot bounds each peer's connections by it
    if app.instance.workers is not None:
        worker.take_slot(app.instance.workers)
    app.forked()


class _Arbiter(Arbiter):  # type: ignore[misc]
    """gunicorn's arbiter, with SIGINT taken as SIGTERM: Ctrl-C drains, and a second one is ignored like a
    second SIGTERM (gunicorn's own SIGINT stops at once, dropping in-flight requests)."""

    def signal(self, sig: int, frame: Any) -> None:
        super().signal(signal.SIGTERM if sig == signal.SIGINT else sig, frame)

    def spawn_worker(self) -> int:
        """Fork a worker with the stopping signals blocked until it has its own handlers (see worker.STOPPING);
        the arbiter gets any that came meanwhile as soon as the fork is done."""
        signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
        try:
            pid: int = super().spawn_worker()
            return pid
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)

    def stop(self, graceful: bool = True) -> None:
        super().stop(graceful)
        for pid in list(self.WORKERS):  # killed at the end, but not reaped yet: wait, or init inherits a zombie
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            self.WORKERS.pop(pid).tmp.close()


class _GunicornLog(GunicornLogger):  # type: ignore[misc]
    """gunicorn's own lines (a worker timing out, failing to boot) through soapbridge's log handler, so that
    the stream is all one format (SOAPBRIDGE_LOG_FORMAT); gunicorn writes no access log here."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in list(self.error_log.handlers):
            self.error_log.removeHandler(handler)
        self.error_log.propagate = True


def _announce(server: Any) -> None:
    host, port = server.LISTENERS[0].sock.getsockname()[:2]
    base = f"{'https' if server.cfg.is_ssl else 'http'}://{host}:{port}"
    print(f"soapbridge listening on {base}", flush=True)
    for version in ("11", "12"):
        print(f"  SOAP {version[0]}.{version[1]} WSDL: {base}/soap{version}?wsdl", flush=True)
    print(f"  JSON:         POST {base}/json/<Operation>", flush=True)
    print(f"  OpenAPI:      {base}/openapi.json", flush=True)
    print(f"  Status page:  {base}/   metrics: {base}/metrics", flush=True)
