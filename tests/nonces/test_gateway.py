"""A PasswordDigest token through whole gateways, in-process over loopback HTTP: accepted once by every gateway
sharing a Redis nonce store, and once across a restart of a gateway whose SQLite store outlives it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from soapbridge.gateway import Gateway, create_app
from soapbridge.legacy import build
from soapbridge.legacy._server import start
from soapbridge.settings import Auth, Idempotency, Settings
from tests.conftest import CREDENTIALS, ROOT
from tests.running import serving
from tests.security.test_auth import security, soap

DIGEST = secrets.token_urlsafe(24)
CLIENTS = """
[clients.digester]
operations = ["*"]
digest_secret_env = "SOAPBRIDGE_KIOSK_DIGEST"
"""


@pytest.fixture(scope="module")
def env() -> Iterator[dict[str, str]]:
    """The CRM emulator (GetCustomer answers), and a client that speaks PasswordDigest."""
    with start(build("crm", ROOT / "wsdl", CREDENTIALS)) as crm:
        yield {**CREDENTIALS, "SOAPBRIDGE_CRM_URL": crm.url, "SOAPBRIDGE_KIOSK_DIGEST": DIGEST}


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clients") / "clients.toml"
    path.write_text(CLIENTS)
    return path


def gateway(env: dict[str, str], clients: Path, **settings: object) -> Gateway:
    auth = Auth(clients_file=clients)
    return create_app(Settings(root=ROOT, env=env, auth=auth, **settings))  # type: ignore[arg-type]


@pytest.mark.parametrize("shared", ["nonce_store", "idempotency store"])
def test_a_token_accepted_by_one_instance_is_refused_by_another_sharing_redis(
    env: dict[str, str], clients: Path, redis_url: str, shared: str
) -> None:
    """Named by SOAPBRIDGE_NONCE_STORE, or by default the idempotency store's Redis."""
    store = {"nonce_store": redis_url} if shared == "nonce_store" else {"idempotency": Idempotency(store=redis_url)}
    token = security("digester", DIGEST, digest=True)
    with serving(gateway(env, clients, **store)) as a, serving(gateway(env, clients, **store)) as b:
        assert soap(a, token)[:2] == (200, "ok")
        assert soap(b, token)[:2] == (500, "Unauthenticated")
        assert soap(a, token)[:2] == (500, "Unauthenticated")
        assert soap(b, security("digester", DIGEST, digest=True))[:2] == (200, "ok")  # a new token is served


def test_a_token_is_refused_after_a_restart_on_the_same_state_folder(
    env: dict[str, str], clients: Path, tmp_path: Path
) -> None:
    token = security("digester", DIGEST, digest=True)
    with serving(gateway(env, clients, state_dir=tmp_path)) as first:
        assert soap(first, token)[:2] == (200, "ok")
    with serving(gateway(env, clients, state_dir=tmp_path)) as restarted:
        assert soap(restarted, token)[:2] == (500, "Unauthenticated")
    with serving(gateway(env, clients)) as elsewhere:  # a Settings built in code: a new temporary state folder
        assert soap(elsewhere, token)[:2] == (200, "ok")
