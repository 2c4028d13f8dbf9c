"""One topology for the whole suite (starting it takes seconds): every test finds both gateways in HAProxy's
rotation and leaves them so, whatever it stopped, killed or restarted on the way."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

from .topology import Topology, running_topology

#: The shipped demo client's password (README: demo only).
DEMO = ("demo", "demo-only-password")
#: A client that authenticates with PasswordDigest, whose secret the gateways read from the environment.
DIGESTER = ("digester", secrets.token_urlsafe(24))


@pytest.fixture(scope="session")
def clients_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clients") / "clients.toml"
    digester = '\n[clients.digester]\noperations = ["*"]\ndigest_secret_env = "SOAPBRIDGE_DIGESTER_SECRET"\n'
    path.write_text((ROOT / "clients.toml").read_text() + digester)
    return path


@pytest.fixture(scope="session")
def topology(tmp_path_factory: pytest.TempPathFactory, clients_file: Path) -> Iterator[Topology]:
    env = {"SOAPBRIDGE_DIGESTER_SECRET": DIGESTER[1]}
    with running_topology(tmp_path_factory.mktemp("topology"), clients_file, env) as running:
        yield running


@pytest.fixture
def healthy(topology: Topology) -> Iterator[Topology]:
    topology.assert_healthy()
    yield topology
    topology.restore()
