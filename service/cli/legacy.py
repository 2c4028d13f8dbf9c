"""`soapbridge legacy`: run the emulated legacy systems on loopback and print their URLs."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import MutableMapping
from functools import partial
from typing import Any

from ..legacy import SYSTEMS, Emulator, build
from ..legacy._server import RunningEmulator, start
from ..legacy.admin import start_admin
from ..settings import Settings

#: Systems that require credentials, and the variables they read them from (the gateway's adapters read the same).
CREDENTIALS = {
    "crm": ("SOAPBRIDGE_CRM_USERNAME", "SOAPBRIDGE_CRM_PASSWORD"),
    "mailing": ("SOAPBRIDGE_MAILING_USERNAME", "SOAPBRIDGE_MAILING_PASSWORD"),
    "ehr": ("SOAPBRIDGE_EHR_USERNAME", "SOAPBRIDGE_EHR_PASSWORD"),
    "weather": ("SOAPBRIDGE_WEATHER_LICENCE",),  # a licence key in the request body: weather.toml's [parameters]
}
READY = "ready"
#: The first word of the line that gives the emulators' admin URL (fault injection, call counts).
ADMIN = "admin"


def register(commands: Any) -> None:
    command = commands.add_parser("legacy", help="run the emulated legacy systems", description=__doc__)
    command.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    command.add_argument(
        "--port", type=int, default=0, help="first port; the systems take consecutive ports (default 0: any free ports)"
    )
    command.add_argument("--systems", default=",".join(SYSTEMS), help=f"comma-separated subset of {','.join(SYSTEMS)}")
    command.add_argument("--watch-stdin", action="store_true", help=argparse.SUPPRESS)
    command.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    names = [name.strip() for name in arguments.systems.split(",") if name.strip()]
    unknown = [name for name in names if name not in SYSTEMS]
    if unknown:
        print(f"soapbridge legacy: unknown system {unknown[0]!r}; known: {', '.join(SYSTEMS)}", file=sys.stderr)
        return 2
    generated = ensure_credentials(os.environ, names)
    settings = Settings.from_env()
    running = [_start(name, index, arguments, settings) for index, name in enumerate(names)]
    admin = start_admin(
        {emulator.emulator.name: emulator.switch for emulator in running},
        {emulator.emulator.name: partial(_reseed, emulator, settings) for emulator in running},
        {emulator.emulator.name: partial(_current, emulator) for emulator in running},
    )
    for emulator in running:
        print(f"{emulator.emulator.name} {emulator.url}  (WSDL: {emulator.url}?wsdl)", flush=True)
    print(f"{ADMIN} {admin.url}", flush=True)
    if generated and not arguments.watch_stdin:
        print(
            "credentials generated for this run: " + " ".join(f"{k}={os.environ[k]}" for k in generated),
            file=sys.stderr,
        )
    print(READY, flush=True)
    wait_for_stop(arguments.watch_stdin)
    stop_gracefully(running, settings.grace_period)
    admin.stop()
    return 0


def stop_gracefully(running: list[RunningEmulator], grace: float) -> None:
    """Close every port first, then let the requests in flight finish, all within one grace period."""
    for emulator in running:
        emulator.stop_accepting()
    deadline = time.monotonic() + grace
    for emulator in running:
        if not emulator.server.drain(max(deadline - time.monotonic(), 0)):
            print(
                f"soapbridge legacy: {emulator.emulator.name} still busy after {grace:g} s; stopping", file=sys.stderr
            )


def ensure_credentials(env: MutableMapping[str, str], systems: list[str]) -> list[str]:
    """Fill in random demo credentials for systems whose variables are unset; return the names set."""
    generated = []
    for system in systems:
        for variable in CREDENTIALS.get(system, ()):
            if not env.get(variable):
                env[variable] = (
                    ("demo-" + secrets.token_hex(4)) if variable.endswith("USERNAME") else secrets.token_urlsafe(18)
                )
                generated.append(variable)
    return generated


def _start(name: str, index: int, arguments: argparse.Namespace, settings: Settings) -> RunningEmulator:
    port = arguments.port + index if arguments.port else 0
    return start(build(name, settings.wsdl_dir, os.environ), arguments.host, port)


def _current(running: RunningEmulator) -> Emulator:
    return running.emulator


def _reseed(running: RunningEmulator, settings: Settings) -> None:
    running.replace(build(running.emulator.name, settings.wsdl_dir, os.environ))


def wait_for_stop(watch_stdin: bool) -> None:
    """Block until SIGINT or SIGTERM, or, when our parent watches us through stdin, until SIGTERM or stdin closes."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    # Ctrl-C reaches the whole process group; under serve, the gateway drains first and then closes our stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN if watch_stdin else lambda *_: stop.set())
    if watch_stdin:

        def watch() -> None:
            sys.stdin.read()
            stop.set()

        threading.Thread(target=watch, daemon=True).start()
    while not stop.wait(0.5):
        pass
