"""compose.yaml describes the topology this suite runs: the same HAProxy file, the same Redis settings, and
the settings each gateway is given. Nothing here can pull images, so the comparison is with the files."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ROOT

from .processes import GRACE_PERIOD, REDIS_SETTINGS
from .topology import Topology

pytestmark = pytest.mark.slow
COMPOSE = (ROOT / "compose.yaml").read_text()
#: What differs by nature: each run's ports, credentials and clients file, and the emulators' addresses.
PER_RUN = re.compile(r"SOAPBRIDGE_(\w+_URL|\w+_USERNAME|\w+_PASSWORD|CLIENTS|AUTH|DIGESTER_SECRET)$")


def test_compose_mounts_the_haproxy_file_this_suite_runs() -> None:
    assert "./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in COMPOSE


def test_compose_gives_redis_the_settings_this_suite_gives_it() -> None:
    assert f"command: {json.dumps(['redis-server', *REDIS_SETTINGS])}" in COMPOSE


def test_compose_gives_each_gateway_the_settings_this_suite_gives_it(healthy: Topology) -> None:
    composed = set(re.findall(r"^\s+(SOAPBRIDGE_\w+):", COMPOSE, re.MULTILINE))
    for gateway in healthy.gateways:
        assert {key for key in gateway.env if not PER_RUN.match(key)} <= composed
    assert f'SOAPBRIDGE_GRACE_PERIOD: "{GRACE_PERIOD}"' in COMPOSE
    assert "SOAPBRIDGE_LOG_FORMAT: json" in COMPOSE


def test_the_shared_redis_keeps_what_it_is_given(healthy: Topology) -> None:
    """The gateways read the server's settings at start-up and warn when a restart or eviction could lose keys."""
    for gateway in healthy.gateways:
        assert "may lose keys" not in gateway.output()
        assert "cannot be verified" not in gateway.output()
