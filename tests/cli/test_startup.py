"""What `soapbridge serve` imports on its way to ready, that registering one subcommand changes nothing, and that
a port it cannot bind is one line at once.

Start-up to ready must stay under a second (issue 7), and most of it is imports. The guarantees asserted here are
the ones that keep it there and that nothing on the serving path needs: a broken promise would cost 0.1 s or more
on every start, and the RSS of every worker. No timings: those are the benchmark's (python -m bench.micro).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import soapbridge.cli
from soapbridge.cli import COMMANDS, parser
from tests.conftest import CREDENTIALS, ROOT

#: Loaded in a fresh interpreter the way `soapbridge serve` loads: its parser alone, the check, then the gateway.
SERVE_PATH = """
import json, sys
from soapbridge.cli import parser
parser(["serve", "--no-emulators"])
from soapbridge.settings import Settings
from soapbridge.toolkit.check import check_project
settings = Settings.from_env()
assert check_project(settings).ok
checked = set(sys.modules)
from soapbridge.gateway import create_app
create_app(settings)
print(json.dumps({"checked": sorted(checked), "served": sorted(sys.modules)}))
"""


def subcommands(top: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = (a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_subcommand_module_is_listed() -> None:
    """A module with register() that COMMANDS leaves out would vanish from the command line."""
    modules = {info.name for info in pkgutil.iter_modules(soapbridge.cli.__path__)}
    registering = {name for name in modules if hasattr(importlib.import_module(f"soapbridge.cli.{name}"), "register")}
    assert registering == set(COMMANDS.values())
    assert list(subcommands(parser([]))) == list(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_a_subcommand_registered_alone_parses_and_helps_the_same(name: str) -> None:
    alone, full = subcommands(parser([name, "--help"])), subcommands(parser(["--help"]))
    assert list(alone) == [name]
    assert alone[name].format_help() == full[name].format_help()
    assert alone[name].format_usage() == full[name].format_usage()


def test_top_level_help_without_a_subcommand_lists_them_all() -> None:
    done = subprocess.run([sys.executable, "-m", "soapbridge", "--help"], capture_output=True, text=True, check=True)
    listed = re.findall(r"^    (\S+)", done.stdout, re.MULTILINE)
    assert listed == list(COMMANDS)
    done = subprocess.run([sys.executable, "-m", "soapbridge", "nonsense"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "invalid choice: 'nonsense' (choose from " + ", ".join(f"'{n}'" for n in COMMANDS) + ")" in done.stderr


def test_serving_with_the_default_store_imports_only_what_it_serves_with(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
    env.update(CREDENTIALS, SOAPBRIDGE_HOME=str(ROOT), SOAPBRIDGE_AUTH="off", SOAPBRIDGE_RUNTIME_DIR=str(tmp_path))
    env.update(SOAPBRIDGE_STATE_DIR=str(tmp_path / "state"))  # not the checkout's var/: tests share no state
    done = subprocess.run([sys.executable, "-c", SERVE_PATH], env=env, capture_output=True, text=True, check=True)
    modules = json.loads(done.stdout)
    checked, served = set(modules["checked"]), set(modules["served"])
    # redis is for a redis:// idempotency store only; the default SQLite store must not pay ~0.1 s and the
    # workers' memory for it.
    assert "redis" not in served
    # The other subcommands (emulators, mock, the toolkit's walkers) are never part of serving.
    assert not {"soapbridge.legacy", "soapbridge.cli.mock", "soapbridge.toolkit.mock", "soapbridge.cli.legacy"} & served
    # check verifies with libxml2 alone; xmlschema (~0.15 s to import) is for the tools that walk a schema model
    # (inspect, sample, mock) and for the gateway's JSON shapes, built once after the check.
    assert "xmlschema" not in checked
    assert "soapbridge.gateway" in served


def _serve(*arguments: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
    env.update(CREDENTIALS, SOAPBRIDGE_AUTH="off")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "soapbridge", "serve", "--no-emulators", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, time.monotonic() - started


def test_a_busy_port_is_one_line_naming_the_port_and_the_option_at_once() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done, seconds = _serve("--port", str(port))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"soapbridge: port {port} on 127.0.0.1 is in use; pick another with --port"]
    assert not done.stdout
    assert seconds < 5  # gunicorn alone retried for about 13 s


def test_an_address_not_of_this_machine_is_one_line_naming_the_option() -> None:
    done, _ = _serve("--host", "192.0.2.1", "--port", "8080")  # TEST-NET-1: never a local address
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "soapbridge: port 8080 on 192.0.2.1 is not available: 192.0.2.1 is not an address of this machine;"
        " pick another with --host"
    ]
