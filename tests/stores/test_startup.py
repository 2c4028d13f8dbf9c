"""A store that cannot be used stops `soapbridge serve` with one line naming the setting and the cause, never a
traceback: a read-only state folder, an unwritable file, a file that is no database, an unreachable Redis.

As root, a read-only folder or file is not read-only, so serve then runs as nobody."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CREDENTIALS, ROOT
from tests.running import free_port

#: Root ignores file modes: serve then runs as nobody (util-linux's setpriv, in Debian's base system).
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder that serve may reach whoever it runs as (pytest's own tmp_path is private to its user)."""
    made = Path(tempfile.mkdtemp(prefix="soapbridge-startup-"))
    made.chmod(0o755)
    try:
        yield made
    finally:
        for path in (made, *made.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(made)


def serve(env: dict[str, str], *, file_modes: bool = True) -> subprocess.CompletedProcess[str]:
    """serve's run to its exit; file_modes: as someone file modes apply to (nobody, when the tests run as root)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
    environment.update({**CREDENTIALS, "SOAPBRIDGE_HOME": str(ROOT), "SOAPBRIDGE_AUTH": "off", **env})
    command = [sys.executable, "-m", "soapbridge", "serve", "--no-emulators", "--port", "0"]
    command = AS_NOBODY + command if file_modes else command
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=60)


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    """serve's only error line, once it has exited 1 without a traceback."""
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("soapbridge:")]
    return line


def test_a_read_only_state_folder(folder: Path) -> None:
    folder.chmod(0o555)
    line = one_line(serve({"SOAPBRIDGE_STATE_DIR": str(folder)}))
    assert line == (
        f"soapbridge: SOAPBRIDGE_STATE_DIR: cannot use {folder}/idempotency.sqlite3 as a SQLite store: "
        f"the folder {folder} is not writable"
    )
    line = one_line(serve({"SOAPBRIDGE_STATE_DIR": str(folder / "var")}))
    assert line == f"soapbridge: SOAPBRIDGE_STATE_DIR: cannot make the state folder {folder}/var: Permission denied"


def test_an_unwritable_store_file(folder: Path) -> None:
    folder.chmod(0o777)
    store = folder / "keys.sqlite3"
    store.write_bytes(b"")
    store.chmod(0o444)
    line = one_line(serve({"SOAPBRIDGE_STATE_DIR": str(folder), "SOAPBRIDGE_IDEMPOTENCY_STORE": str(store)}))
    assert (
        line
        == f"soapbridge: SOAPBRIDGE_IDEMPOTENCY_STORE: cannot use {store} as a SQLite store: the file is not writable"
    )


def test_a_file_that_is_no_database(folder: Path) -> None:
    folder.chmod(0o777)
    store = folder / "nonces.sqlite3"
    store.write_bytes(b"these are no nonces" * 100)
    store.chmod(0o666)
    env = {"SOAPBRIDGE_STATE_DIR": str(folder), "SOAPBRIDGE_AUTH": "", "SOAPBRIDGE_NONCE_STORE": str(store)}
    line = one_line(serve(env))
    assert line == f"soapbridge: SOAPBRIDGE_NONCE_STORE: cannot use {store} as a SQLite store: file is not a database"


@pytest.mark.parametrize("setting", ["SOAPBRIDGE_IDEMPOTENCY_STORE", "SOAPBRIDGE_NONCE_STORE"])
def test_an_unreachable_redis_server(folder: Path, setting: str) -> None:
    folder.chmod(0o777)
    port = free_port()
    env = {"SOAPBRIDGE_STATE_DIR": str(folder), "SOAPBRIDGE_AUTH": "", setting: f"redis://127.0.0.1:{port}/0"}
    line = one_line(serve(env, file_modes=False))
    assert line.startswith(f"soapbridge: {setting}: cannot reach the Redis server at 127.0.0.1:{port}: ")
    assert "refused" in line
