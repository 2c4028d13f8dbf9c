"""Inbound authentication against a real `soapbridge serve` (two workers): right, wrong, missing,
replayed, expired and forbidden, for WS-Security UsernameToken on SOAP and HTTP Basic on JSON."""

from __future__ import annotations

import base64
import multiprocessing
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import requests
from lxml import etree

from soapbridge.clients import load_clients
from soapbridge.errors import ConfigError
from soapbridge.gateway.throttle import CLEAR_FOR
from soapbridge.gateway.wsse import password_digest
from soapbridge.namespaces import CANONICAL, SOAP11_ENV, WSSE, WSSE_PASSWORD_DIGEST, WSSE_PASSWORD_TEXT, WSU
from soapbridge.nonces import SqliteNonces
from soapbridge.passwords import hash_password, verify_password
from tests.conftest import ROOT
from tests.redisserver import redis_url
from tests.running import RunningGateway, start_gateway, stop_gateway

__all__ = ["redis_url"]

DEMO_PASSWORD = "demo-only-password"  # documented in README as demo-only
KIOSK_PASSWORD = secrets.token_urlsafe(12)
KIOSK_DIGEST = secrets.token_urlsafe(24)
GET_CUSTOMER = f'<GetCustomer xmlns="{CANONICAL}"><customerId>1001</customerId></GetCustomer>'


@pytest.fixture(scope="module")
def clients_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped demo client, plus a kiosk that may only read forecasts and also speaks PasswordDigest."""
    path = tmp_path_factory.mktemp("auth") / "clients.toml"
    kiosk = f"""
[clients.kiosk]
password = "{hash_password(KIOSK_PASSWORD)}"
operations = ["GetForecast"]
digest_secret_env = "SOAPBRIDGE_KIOSK_DIGEST"

[clients.digester]
operations = ["*"]
digest_secret_env = "SOAPBRIDGE_KIOSK_DIGEST"
"""
    path.write_text((ROOT / "clients.toml").read_text() + kiosk)
    return path


@pytest.fixture(scope="module")
def served(clients_file: Path) -> Iterator[RunningGateway]:
    """Authentication on by default: SOAPBRIDGE_AUTH is left unset."""
    env = {"SOAPBRIDGE_AUTH": "", "SOAPBRIDGE_CLIENTS": str(clients_file), "SOAPBRIDGE_KIOSK_DIGEST": KIOSK_DIGEST}
    process, running = start_gateway(extra_env=env)
    try:
        yield running
    finally:
        assert stop_gateway(process) == 0


@pytest.fixture(scope="module")
def base(served: RunningGateway) -> str:
    return served.base


def security(username: str, password: str, *, digest: bool = False, created: datetime | None = None) -> str:
    if not digest:
        kind, secret, extra = WSSE_PASSWORD_TEXT, password, ""
    else:
        nonce = secrets.token_bytes(16)
        stamp = (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        kind, secret = WSSE_PASSWORD_DIGEST, password_digest(nonce, stamp, password)
        extra = f"<w:Nonce>{base64.b64encode(nonce).decode()}</w:Nonce><u:Created>{stamp}</u:Created>"
    return (
        f'<e:Header><w:Security xmlns:w="{WSSE}" xmlns:u="{WSU}" e:mustUnderstand="1"><w:UsernameToken>'
        f'<w:Username>{username}</w:Username><w:Password Type="{kind}">{secret}</w:Password>{extra}'
        "</w:UsernameToken></w:Security></e:Header>"
    )


def soap(base: str, header: str = "", body: str = GET_CUSTOMER) -> tuple[int, str, str]:
    """(HTTP status, canonical code or 'ok', faultstring) of a SOAP 1.1 call."""
    envelope = f'<e:Envelope xmlns:e="{SOAP11_ENV}">{header}<e:Body>{body}</e:Body></e:Envelope>'
    response = requests.post(f"{base}/soap11", data=envelope.encode(), headers={"Content-Type": "text/xml"}, timeout=30)
    tree = etree.fromstring(response.content)
    fault = tree.find(f".//{{{SOAP11_ENV}}}Fault")
    if fault is None:
        return response.status_code, "ok", ""
    return response.status_code, fault.findtext(f".//{{{CANONICAL}}}code") or "", fault.findtext("faultstring") or ""


def test_a_right_password_text_token_is_served(base: str) -> None:
    assert soap(base, security("demo", DEMO_PASSWORD))[:2] == (200, "ok")


def test_a_right_password_digest_token_is_served(base: str) -> None:
    assert soap(base, security("digester", KIOSK_DIGEST, digest=True))[:2] == (200, "ok")


def test_wrong_missing_and_unknown_credentials_get_the_same_fault(base: str) -> None:
    answers = {
        soap(base, security("demo", "not-the-password")),
        soap(base, security("nobody", DEMO_PASSWORD)),
        soap(base, security("digester", "not-the-secret-at-all", digest=True)),
        soap(base, security("demo", DEMO_PASSWORD, digest=True)),  # demo has no digest secret
        soap(base),
    }
    assert answers == {(500, "Unauthenticated", "authentication failed")}
    assert soap(base, security("demo", DEMO_PASSWORD))[:2] == (200, "ok")


def test_an_expired_or_future_token_is_refused(base: str) -> None:
    old = datetime.now(UTC) - timedelta(minutes=6)
    future = datetime.now(UTC) + timedelta(minutes=5)
    for created in (old, future):
        assert soap(base, security("digester", KIOSK_DIGEST, digest=True, created=created))[1] == "Unauthenticated"


def test_a_replayed_token_is_refused_by_every_worker(base: str) -> None:
    """Twenty copies of one token at once, over separate connections: both workers see some, one is served."""
    header = security("digester", KIOSK_DIGEST, digest=True)
    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = sorted(answer[1] for answer in pool.map(lambda _: soap(base, header), range(20)))
    assert codes == ["Unauthenticated"] * 19 + ["ok"]
    assert soap(base, header)[1] == "Unauthenticated"


def test_nonces_are_shared_between_processes(tmp_path: Path) -> None:
    store = SqliteNonces(tmp_path / "nonces.sqlite3", "SOAPBRIDGE_NONCE_STORE")
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        assert pool.apply(_remember_once, (tmp_path,)) is True
    assert store.remember("kiosk", b"n" * 16, 2e9, 1e9) is False
    assert store.remember("other", b"n" * 16, 2e9, 1e9) is True


def _remember_once(folder: Path) -> bool:
    return SqliteNonces(folder / "nonces.sqlite3", "SOAPBRIDGE_NONCE_STORE").remember("kiosk", b"n" * 16, 2e9, 1e9)


def test_a_forbidden_operation_is_refused_for_that_client_only(base: str) -> None:
    forecast = f'<GetForecast xmlns="{CANONICAL}"><stationId>EGLL</stationId><days>2</days></GetForecast>'
    assert soap(base, security("kiosk", KIOSK_PASSWORD), forecast)[:2] == (200, "ok")
    status, code, message = soap(base, security("kiosk", KIOSK_PASSWORD))
    assert (status, code, message) == (500, "Forbidden", "this client may not call GetCustomer")
    assert soap(base, security("demo", DEMO_PASSWORD))[:2] == (200, "ok")


def test_json_takes_http_basic(base: str) -> None:
    url = f"{base}/json/GetCustomer"
    right = requests.post(url, json={"customerId": "1001"}, auth=("demo", DEMO_PASSWORD), timeout=30)
    assert right.status_code == 200 and right.json()["customer"]["name"] == "Ada Lovelace"
    for auth in (("demo", "wrong"), ("nobody", DEMO_PASSWORD), None):
        refused = requests.post(url, json={"customerId": "1001"}, auth=auth, timeout=30)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"].startswith('Basic realm="soapbridge"')
        assert (refused.json()["code"], refused.json()["detail"]) == ("Unauthenticated", "authentication failed")
    forbidden = requests.post(url, json={"customerId": "1001"}, auth=("kiosk", KIOSK_PASSWORD), timeout=30)
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "Forbidden")


def test_clear_text_credentials_over_plain_http_are_refused_unless_loopback(clients_file: Path) -> None:
    """SOAPBRIDGE_AUTH_PLAIN_HTTP=never: only TLS may carry PasswordText or Basic; PasswordDigest still works."""
    env = {"SOAPBRIDGE_AUTH": "on", "SOAPBRIDGE_CLIENTS": str(clients_file), "SOAPBRIDGE_KIOSK_DIGEST": KIOSK_DIGEST}
    process, running = start_gateway(extra_env={**env, "SOAPBRIDGE_AUTH_PLAIN_HTTP": "never"})
    try:
        status, code, message = soap(running.base, security("demo", DEMO_PASSWORD))
        assert (status, code) == (500, "Unauthenticated") and "only over TLS" in message
        basic = requests.post(
            f"{running.base}/json/GetCustomer", json={"customerId": "1001"}, auth=("demo", "x"), timeout=30
        )
        assert basic.status_code == 401
        assert soap(running.base, security("digester", KIOSK_DIGEST, digest=True))[:2] == (200, "ok")
    finally:
        assert stop_gateway(process) == 0


def test_a_plaintext_password_in_the_clients_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "clients.toml"
    path.write_text('[clients.demo]\npassword = "hunter2"\noperations = ["*"]\n')
    with pytest.raises(ConfigError, match="never a plaintext") as raised:
        load_clients(path, {}, ["GetCustomer"])
    assert "hunter2" not in str(raised.value)


def test_hash_password_reads_stdin_and_prints_a_hash_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "soapbridge", "hash-password"], input="s3cret\n", capture_output=True, text=True
    )
    line = done.stdout.strip()
    assert done.returncode == 0 and line.startswith("scrypt$") and "s3cret" not in line
    assert verify_password(line, "s3cret") and not verify_password(line, "s3cret ")


def test_no_inbound_credential_reaches_the_log(served: RunningGateway) -> None:
    missing = f'<GetCustomer xmlns="{CANONICAL}"><customerId>9999</customerId></GetCustomer>'
    assert soap(served.base, security("demo", DEMO_PASSWORD), missing)[1] == "NotFound"  # logged: not a 200
    assert soap(served.base, security("demo", "a-wrong-guess"))[1] == "Unauthenticated"
    requests.post(
        f"{served.base}/json/GetCustomer", json={"customerId": "9999"}, auth=("kiosk", KIOSK_PASSWORD), timeout=30
    )
    assert requests.get(f"{served.base}/healthz", timeout=10).status_code == 200
    output = "".join(served.output)
    assert "authentication refused" in output
    for secret in (DEMO_PASSWORD, "a-wrong-guess", KIOSK_PASSWORD, KIOSK_DIGEST):
        assert secret not in output


def test_serve_throttles_failures_in_each_worker(clients_file: Path) -> None:
    """The default store is each worker's memory: each of the two allows SOAPBRIDGE_AUTH_FAILURES, no more."""
    env = {"SOAPBRIDGE_AUTH": "on", "SOAPBRIDGE_CLIENTS": str(clients_file), "SOAPBRIDGE_AUTH_FAILURES": "3"}
    env["SOAPBRIDGE_KIOSK_DIGEST"] = KIOSK_DIGEST
    process, running = start_gateway(extra_env=env)
    try:
        url = f"{running.base}/json/GetCustomer"
        answers = [requests.post(url, json={}, auth=("demo", f"guess{n}"), timeout=30) for n in range(12)]
        statuses = [answer.status_code for answer in answers]
        assert 3 <= statuses.count(401) <= 6 and statuses.count(429) == 12 - statuses.count(401)
        assert statuses[:3] == [401] * 3 and statuses[-1] == 429
        assert all(250 <= int(answer.headers["Retry-After"]) <= 300 for answer in answers if answer.status_code == 429)
        assert "guess" not in "".join(running.output)
    finally:
        assert stop_gateway(process) == 0


def test_serve_with_redis_throttles_across_workers_the_right_password_too(clients_file: Path, redis_url: str) -> None:
    """Counted in Redis, three failures are three for both workers: then even the right password, on SOAP 1.1
    and JSON, is TooManyRequests, and another client from elsewhere would still be served."""
    server = redis.Redis.from_url(redis_url)
    for key in server.scan_iter("soapbridge:signin*"):
        server.delete(key)
    env = {
        "SOAPBRIDGE_AUTH": "on",
        "SOAPBRIDGE_CLIENTS": str(clients_file),
        "SOAPBRIDGE_AUTH_FAILURES": "3",
        "SOAPBRIDGE_NONCE_STORE": redis_url,
        "SOAPBRIDGE_KIOSK_DIGEST": KIOSK_DIGEST,
    }
    process, running = start_gateway(extra_env=env)
    try:
        assert soap(running.base, security("demo", DEMO_PASSWORD))[:2] == (200, "ok")
        for n in range(3):
            assert soap(running.base, security("demo", f"guess{n}"))[:2] == (500, "Unauthenticated")
        time.sleep(CLEAR_FOR)  # a worker that found the name clear, and counted none of the failures, believes it
        for _ in range(4):  # on either worker
            status, code, message = soap(running.base, security("demo", DEMO_PASSWORD))
            assert (status, code) == (500, "TooManyRequests") and "try again in" in message
        url = f"{running.base}/json/GetCustomer"
        throttled = requests.post(url, json={"customerId": "1001"}, auth=("demo", DEMO_PASSWORD), timeout=30)
        assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 200
        assert throttled.json()["code"] == "TooManyRequests"
    finally:
        assert stop_gateway(process) == 0
