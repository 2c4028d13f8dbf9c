"""An in-process gateway over real loopback HTTP, with the emulators in threads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from soapbridge.gateway import create_app
from soapbridge.legacy import SYSTEMS, build
from soapbridge.legacy._server import start
from soapbridge.settings import Auth, Settings
from tests.conftest import CREDENTIALS, ROOT
from tests.running import serving


def serve_gateway(env: dict[str, str]) -> Iterator[str]:
    with serving(create_app(Settings(root=ROOT, env=env, auth=Auth(enabled=False))), "gateway") as base:
        yield base


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    running = [start(build(name, ROOT / "wsdl", CREDENTIALS)) for name in SYSTEMS]
    env = {**CREDENTIALS, **{f"SOAPBRIDGE_{r.emulator.name.upper()}_URL": r.url for r in running}}
    try:
        yield from serve_gateway(env)
    finally:
        for emulator in running:
            emulator.stop()
