"""Bounded credential checks through whole gateways, in-process over loopback HTTP: a right password is hashed
once and then remembered; failures are throttled per client name and per peer (429 with Retry-After on JSON,
TooManyRequests on SOAP 1.1 and 1.2), the right password included, until the window moves on; gateways sharing
Redis share the counts; failed hashes are rationed per worker.

The loopback peer is a trusted proxy here, so X-Forwarded-For picks the peer each attempt comes from."""

from __future__ import annotations

import ipaddress
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests
from lxml import etree

from soapbridge.gateway import Gateway, create_app
from soapbridge.gateway.auth import Authenticator
from soapbridge.gateway.throttle import CLEAR_FOR, KEY_PREFIX
from soapbridge.legacy import build
from soapbridge.legacy._server import start
from soapbridge.namespaces import CANONICAL, SOAP11_ENV, SOAP12_ENV
from soapbridge.passwords import hash_password
from soapbridge.settings import Auth, Settings
from tests.conftest import CREDENTIALS, ROOT
from tests.redisserver import redis_url
from tests.running import serving
from tests.security.test_auth import DEMO_PASSWORD, GET_CUSTOMER, security

__all__ = ["redis_url"]

KIOSK_PASSWORD = secrets.token_urlsafe(12)
LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
ENVELOPES = {"1.1": (SOAP11_ENV, "text/xml"), "1.2": (SOAP12_ENV, "application/soap+xml")}


@pytest.fixture(scope="module")
def env() -> Iterator[dict[str, str]]:
    with start(build("crm", ROOT / "wsdl", CREDENTIALS)) as crm:
        yield {**CREDENTIALS, "SOAPBRIDGE_CRM_URL": crm.url}


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clients") / "clients.toml"
    kiosk = f'\n[clients.kiosk]\npassword = "{hash_password(KIOSK_PASSWORD)}"\noperations = ["*"]\n'
    path.write_text((ROOT / "clients.toml").read_text() + kiosk)
    return path


def gateway(env: dict[str, str], clients: Path, **auth: object) -> Gateway:
    limits = Auth(clients_file=clients, plain_http="anywhere", **auth)  # type: ignore[arg-type]
    return create_app(Settings(root=ROOT, env=env, auth=limits, trusted_proxies=LOOPBACK))


def authenticator(app: Gateway) -> Authenticator:
    assert app.json.auth is not None
    return app.json.auth


def call(base: str, user: str, password: str, peer: str = "198.51.100.1") -> requests.Response:
    return requests.post(
        f"{base}/json/GetCustomer",
        json={"customerId": "1001"},
        auth=(user, password),
        headers={"X-Forwarded-For": peer},
        timeout=30,
    )


def soap_code(base: str, version: str, user: str, password: str, peer: str) -> tuple[int, str, str]:
    """(HTTP status, canonical code or 'ok', the fault's text) of a SOAP call with a PasswordText token."""
    namespace, media_type = ENVELOPES[version]
    header = security(user, password)
    envelope = f'<e:Envelope xmlns:e="{namespace}">{header}<e:Body>{GET_CUSTOMER}</e:Body></e:Envelope>'
    answer = requests.post(
        f"{base}/soap{version.replace('.', '')}",
        data=envelope.encode(),
        headers={"Content-Type": media_type, "X-Forwarded-For": peer},
        timeout=30,
    )
    tree = etree.fromstring(answer.content)
    if tree.find(f".//{{{namespace}}}Fault") is None:
        return answer.status_code, "ok", ""
    text = tree.findtext(f".//{{{CANONICAL}}}message") or ""
    return answer.status_code, tree.findtext(f".//{{{CANONICAL}}}code") or "", text


def test_a_right_password_is_hashed_once_then_remembered(env: dict[str, str], clients: Path) -> None:
    app = gateway(env, clients)
    with serving(app) as base:
        assert call(base, "demo", DEMO_PASSWORD).status_code == 200
        hashed = authenticator(app).budget.hashes
        for _ in range(5):
            assert call(base, "demo", DEMO_PASSWORD).status_code == 200
        assert soap_code(base, "1.1", "demo", DEMO_PASSWORD, "198.51.100.1")[:2] == (200, "ok")
        assert authenticator(app).budget.hashes == hashed == 1
        assert call(base, "demo", DEMO_PASSWORD + "x").status_code == 401  # a wrong one is never remembered
        assert call(base, "demo", DEMO_PASSWORD + "x").status_code == 401
        assert authenticator(app).budget.hashes == 3


def test_a_remembered_password_expires(env: dict[str, str], clients: Path) -> None:
    app = gateway(env, clients, cache_ttl=1)
    with serving(app) as base:
        assert call(base, "demo", DEMO_PASSWORD).status_code == 200
        time.sleep(1.1)
        assert call(base, "demo", DEMO_PASSWORD).status_code == 200
        assert authenticator(app).budget.hashes == 2


def test_failures_for_one_client_name_are_throttled_from_any_peer(env: dict[str, str], clients: Path) -> None:
    app = gateway(env, clients, failures=3, failure_window=60)
    with serving(app) as base:
        assert call(base, "demo", DEMO_PASSWORD, "198.51.100.9").status_code == 200  # now remembered
        for n in range(3):
            assert call(base, "demo", f"guess-{n}", f"203.0.113.{n}").status_code == 401
        hashed = authenticator(app).budget.hashes
        throttled = call(base, "demo", DEMO_PASSWORD, "203.0.113.50")  # right, remembered, from a new peer
        assert throttled.status_code == 429 and throttled.reason == "Too Many Requests"
        assert 55 <= int(throttled.headers["Retry-After"]) <= 60
        assert throttled.headers["Content-Type"] == "application/problem+json"
        assert throttled.json()["code"] == "TooManyRequests" and "WWW-Authenticate" not in throttled.headers
        assert DEMO_PASSWORD not in throttled.text
        for version, status in (("1.1", 500), ("1.2", 400)):
            answer = soap_code(base, version, "demo", DEMO_PASSWORD, "203.0.113.51")
            assert answer[:2] == (status, "TooManyRequests") and "try again in" in answer[2]
        assert authenticator(app).budget.hashes == hashed  # a throttled attempt runs no password work
        assert call(base, "kiosk", KIOSK_PASSWORD, "203.0.113.52").status_code == 200  # another name is served


def test_failures_from_one_peer_are_throttled_whatever_the_name(env: dict[str, str], clients: Path) -> None:
    app = gateway(env, clients, failures=3, failure_window=60)
    with serving(app) as base:
        for name in ("alice", "bob", "x" * 2000):
            assert call(base, name, "guess", "192.0.2.7").status_code == 401
        assert call(base, "demo", DEMO_PASSWORD, "192.0.2.7").status_code == 429
        assert soap_code(base, "1.2", "kiosk", KIOSK_PASSWORD, "192.0.2.7")[1] == "TooManyRequests"
        assert call(base, "demo", DEMO_PASSWORD, "192.0.2.8").status_code == 200


def test_an_ipv6_peer_is_counted_per_64(env: dict[str, str], clients: Path) -> None:
    app = gateway(env, clients, failures=2, failure_window=60)
    with serving(app) as base:
        for host in ("1", "2"):
            assert call(base, f"guesser{host}", "guess", f"2001:db8:0:1::{host}").status_code == 401
        assert call(base, "demo", DEMO_PASSWORD, "2001:db8:0:1::ffff").status_code == 429
        assert call(base, "demo", DEMO_PASSWORD, "2001:db8:0:2::1").status_code == 200


def test_the_window_moves_on(env: dict[str, str], clients: Path) -> None:
    app = gateway(env, clients, failures=2, failure_window=1)
    with serving(app) as base:
        for _ in range(2):
            assert call(base, "demo", "guess").status_code == 401
        throttled = call(base, "demo", DEMO_PASSWORD)
        assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "1")
        time.sleep(1.2)
        assert call(base, "demo", DEMO_PASSWORD).status_code == 200


def test_missing_credentials_are_not_counted(env: dict[str, str], clients: Path) -> None:
    app = gateway(env, clients, failures=2, failure_window=60)
    with serving(app) as base:
        for _ in range(5):
            refused = requests.post(f"{base}/json/GetCustomer", json={"customerId": "1001"}, timeout=30)
            assert refused.status_code == 401
        assert call(base, "demo", DEMO_PASSWORD, "127.0.0.1").status_code == 200


def test_failed_hashes_are_rationed_per_worker(env: dict[str, str], clients: Path) -> None:
    """Guesses from ever new names and peers get past the throttle, never past the budget: past it they are
    refused unhashed, and a remembered client is still served at once."""
    app = gateway(env, clients, hash_rate=2, failures=100)
    with serving(app) as base:
        assert call(base, "demo", DEMO_PASSWORD).status_code == 200
        started = time.monotonic()
        answers = [call(base, f"user{n}", "guess", f"203.0.113.{n}") for n in range(12)]
        elapsed = time.monotonic() - started
        busy = [answer for answer in answers if answer.status_code == 429]
        assert busy and all(answer.headers["Retry-After"] == "1" for answer in busy)
        assert authenticator(app).budget.hashes - 1 <= 2 + 2 * elapsed + 1  # the burst, the refill, one in flight
        assert call(base, "demo", DEMO_PASSWORD).status_code == 200


def test_gateways_sharing_redis_share_the_counts(env: dict[str, str], clients: Path, redis_url: str) -> None:
    server = redis.Redis.from_url(redis_url)
    for key in server.scan_iter(f"{KEY_PREFIX}*"):
        server.delete(key)
    auth = Auth(clients_file=clients, plain_http="anywhere", failures=3, failure_window=60)
    settings = Settings(root=ROOT, env=env, auth=auth, trusted_proxies=LOOPBACK, nonce_store=redis_url)
    with serving(create_app(settings)) as first, serving(create_app(settings)) as second:
        for n, base in enumerate((first, second, first)):
            assert call(base, "demo", f"guess-{n}", f"203.0.113.{n}").status_code == 401
        assert call(second, "demo", DEMO_PASSWORD, "203.0.113.99").status_code == 429
        assert call(first, "demo", DEMO_PASSWORD, "203.0.113.99").status_code == 429
        assert call(first, "kiosk", KIOSK_PASSWORD, "198.51.100.20").status_code == 200  # first finds kiosk clear
        for n in range(3):
            assert call(second, "kiosk", f"guess-{n}", f"198.51.100.{30 + n}").status_code == 401
        time.sleep(CLEAR_FOR + 0.1)  # how late another instance's failures may reach a name found clear
        assert call(first, "kiosk", KIOSK_PASSWORD, "198.51.100.20").status_code == 429
    assert any(server.scan_iter(f"{KEY_PREFIX}*"))


def test_openapi_lists_429_with_retry_after_on_authenticated_operations(env: dict[str, str], clients: Path) -> None:
    with serving(gateway(env, clients)) as base:
        document = requests.get(f"{base}/openapi.json", timeout=30).json()
    assert all("429" in path["post"]["responses"] for path in document["paths"].values())
    throttled = document["components"]["responses"]["429"]
    assert throttled["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}
    assert "TooManyRequests" in document["components"]["schemas"]["FaultCode"]["enum"]
    unauthenticated = Settings(root=ROOT, env=env, auth=Auth(enabled=False))
    with serving(create_app(unauthenticated)) as base:
        assert "429" not in requests.get(f"{base}/openapi.json", timeout=30).json()["components"]["responses"]
