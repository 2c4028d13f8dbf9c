"""An in-process gateway over real loopback HTTP, with the emulators in threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from soapbridge.gateway import create_app
from soapbridge.legacy import SYSTEMS, build
from soapbridge.legacy._server import start
from soapbridge.settings import Auth, Settings
from tests.conftest import CREDENTIALS, ROOT


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve_gateway(env: dict[str, str]) -> Iterator[str]:
    server = make_server(
        "127.0.0.1", 0, create_app(Settings(root=ROOT, env=env, auth=Auth(enabled=False))), handler_class=_Quiet
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    running = [start(build(name, ROOT / "wsdl", CREDENTIALS)) for name in SYSTEMS]
    env = {**CREDENTIALS, **{f"SOAPBRIDGE_{r.emulator.name.upper()}_URL": r.url for r in running}}
    try:
        yield from serve_gateway(env)
    finally:
        for emulator in running:
            emulator.stop()
