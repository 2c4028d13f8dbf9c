"""Running third-party SOAP clients: tools that must be there, commands that must succeed, stubs built once.

Every stack's test generates its client from the live WSDL, builds it once per WSDL (by hash) within
a run, runs it, and reads the one JSON report it prints (see scenario.py for what it holds).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

#: Which Debian package brings each program the suite drives; scripts/system-packages installs them.
PACKAGES = {
    "php": "php-cli and php-soap",
    "wsimport": "jaxws",
    "javac": "default-jdk-headless",
    "java": "default-jdk-headless",
    "wsdl": "mono-devel",
    "mcs": "mono-devel",
    "mono": "mono-devel",
    "wsdl2h": "gsoap",
    "soapcpp2": "gsoap",
    "g++": "g++",
    "node": "nodejs",
    "wsdl2perl": "libsoap-wsdl-perl",
}


@dataclass(frozen=True)
class Endpoint:
    """One of the gateway's SOAP endpoints, with the WSDL it publishes."""

    version: str  # "1.1" or "1.2"
    url: str
    wsdl_url: str
    wsdl: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.wsdl).hexdigest()[:16]

    @classmethod
    def fetch(cls, base: str, version: str) -> Endpoint:
        url = f"{base}/soap{version.replace('.', '')}"
        response = requests.get(f"{url}?wsdl", timeout=10)
        response.raise_for_status()
        return cls(version=version, url=url, wsdl_url=f"{url}?wsdl", wsdl=response.content)


class StubCache:
    """Generated clients, one folder per stack and WSDL hash, built at most once per run."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def get(self, stack: str, endpoint: Endpoint, build: Callable[[Path], None]) -> Path:
        folder = self.root / f"{stack}-{endpoint.digest}"
        done = folder / ".built"
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            build(folder)
            done.touch()
        return folder


def require(*programs: str) -> None:
    """Fail, loudly, when a stack is missing: a skipped interop test would hide a broken CI machine."""
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        packages = sorted({PACKAGES.get(p, p) for p in missing})
        pytest.fail(
            f"{', '.join(missing)} not installed (Debian: {'; '.join(packages)}); scripts/test installs them as root",
            pytrace=False,
        )


def run(command: Sequence[str | Path], cwd: Path, timeout: float = 300, env: dict[str, str] | None = None) -> str:
    """Run a tool; on failure, fail the test with what it printed."""
    try:
        done = subprocess.run(
            [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{command[0]} did not finish within {timeout:.0f} s", pytrace=False)
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, command))} exited {done.returncode}\n"
            f"--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}",
            pytrace=False,
        )
    return done.stdout


def run_report(command: Sequence[str | Path], cwd: Path, **kwargs: Any) -> dict[str, Any]:
    """Run a client program and read the JSON report it prints as its last line."""
    output = run(command, cwd, **kwargs)
    lines = output.strip().splitlines()
    try:
        report: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        pytest.fail(f"{command[0]} printed no JSON report:\n{output[-4000:]}", pytrace=False)
    return report
