"""Shared fixtures: the project root, and the rule that in-process tests reach only loopback."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Upstream credentials the shipped adapters read; any value will do where nothing authenticates.
CREDENTIALS = {
    "SOAPBRIDGE_CRM_USERNAME": "u",
    "SOAPBRIDGE_CRM_PASSWORD": "p",
    "SOAPBRIDGE_MAILING_USERNAME": "u",
    "SOAPBRIDGE_MAILING_PASSWORD": "p",
    "SOAPBRIDGE_EHR_USERNAME": "u",
    "SOAPBRIDGE_EHR_PASSWORD": "p",
    "SOAPBRIDGE_WEATHER_LICENCE": "weather-licence-for-tests",
}
_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise ConnectionRefusedError(f"tests may only connect to loopback, not {host}")
    _connect(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    yield


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the shipped configuration that a test may break."""
    for folder in ("adapters", "wsdl", "xslt"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "clients.toml", tmp_path / "clients.toml")  # serve (auth on) and check both read it
    return tmp_path
