"""Proxy headers are believed only from the operator's proxies, and the published address cannot be forged.

The rules first, on gateway/forwarded.py alone; then in-process gateways over loopback HTTP (authentication's
clear-text policy, the WSDL's soap:address, the request log, refused Hosts); then a real `soapbridge serve`,
where gunicorn's own trust in loopback's X-Forwarded-Proto must be gone too.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from lxml import etree

from soapbridge.gateway import create_app
from soapbridge.gateway.forwarded import UNKNOWN, Origin, ProxyTrust
from soapbridge.gateway.wsdl import PublishedWsdl, wsdl_tree
from soapbridge.legacy import SYSTEMS, build
from soapbridge.legacy._server import start
from soapbridge.namespaces import WSDL11
from soapbridge.settings import Auth, Settings
from tests.conftest import CREDENTIALS, ROOT
from tests.running import serving, start_gateway, stop_gateway

DEMO = ("demo", "demo-only-password")  # the shipped demo client, documented in the README as demo-only
LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
#: Every header that has been taken to mean TLS somewhere: none may, from an untrusted peer.
FORGED_TLS = [
    {"X-Forwarded-Proto": "https"},
    {"X-Forwarded-Ssl": "on"},
    {"X-Forwarded-Protocol": "https"},
    {"Front-End-Https": "on"},
    {"Forwarded": "proto=https;for=127.0.0.1"},
]
INVALID_HOSTS = ['gw"><x a="', "gw.example<x>", "a b", "gw\x01", "gw'", "gw&amp", "[::1", "gw:99999", "a" * 300, ""]

# --- the rules --------------------------------------------------------------------------------------------------

PROXIES = ProxyTrust(ipaddress.ip_network(net) for net in ("127.0.0.1/32", "10.0.0.0/8", "2001:db8:1::/48"))
HOST = "gw.internal:8080"


@pytest.mark.parametrize(
    ("peer", "headers", "expected"),
    [
        # an untrusted peer: only the connection counts
        ("203.0.113.5", {"X_FORWARDED_PROTO": "https", "X_FORWARDED_FOR": "127.0.0.1"}, ("http", "203.0.113.5", HOST)),
        ("203.0.113.5", {"FORWARDED": "for=127.0.0.1;proto=https;host=evil"}, ("http", "203.0.113.5", HOST)),
        ("203.0.113.5", {"X_FORWARDED_HOST": "evil.example"}, ("http", "203.0.113.5", HOST)),
        # a trusted proxy with nothing to say is the client itself
        ("127.0.0.1", {}, ("http", "127.0.0.1", HOST)),
        # one trusted hop
        (
            "127.0.0.1",
            {"X_FORWARDED_PROTO": "https", "X_FORWARDED_FOR": "203.0.113.9", "X_FORWARDED_HOST": "soap.example"},
            ("https", "203.0.113.9", "soap.example"),
        ),
        # several hops: the client's forged entries on the left are skipped, the first untrusted from the right wins
        ("127.0.0.1", {"X_FORWARDED_FOR": "127.0.0.1, 203.0.113.9, 10.1.2.3"}, ("http", "203.0.113.9", HOST)),
        ("127.0.0.1", {"X_FORWARDED_FOR": "2001:db8:2::7, ::ffff:10.0.0.1"}, ("http", "2001:db8:2::7", HOST)),
        # -Proto at the same place from the right as the client's entry, or the only value
        (
            "127.0.0.1",
            {"X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1", "X_FORWARDED_PROTO": "https, http"},
            ("https", "203.0.113.9", HOST),
        ),
        # RFC 7239, quoted IPv6 with a port, several hops; Forwarded wins over X-Forwarded-*
        (
            "127.0.0.1",
            {
                "FORWARDED": "for=192.0.2.60;proto=http, "
                'for="[2001:db8:cafe::17]:4711";proto=https;host="a.example:8443", For=10.0.0.2;by=10.0.0.3',
                "X_FORWARDED_FOR": "198.51.100.1",
            },
            ("https", "2001:db8:cafe::17", "a.example:8443"),
        ),
        # what cannot be read ends the walk with an unknown client, never a loopback one
        ("127.0.0.1", {"X_FORWARDED_FOR": "127.0.0.1, garbage"}, ("http", UNKNOWN, HOST)),
        ("127.0.0.1", {"FORWARDED": 'for="_hidden";proto=https'}, ("https", UNKNOWN, HOST)),
        ("127.0.0.1", {"FORWARDED": 'for="127.0.0.1, for=10.0.0.2;proto=https'}, ("https", UNKNOWN, HOST)),
        ("127.0.0.1", {"FORWARDED": "for=127.0.0.1;for=10.0.0.2"}, ("http", UNKNOWN, HOST)),
        ("127.0.0.1", {"X_FORWARDED_FOR": "fe80::1%eth0"}, ("http", UNKNOWN, HOST)),
        ("127.0.0.1", {"X_FORWARDED_PROTO": "https"}, ("https", UNKNOWN, HOST)),
        # a proto that is neither http nor https is ignored; a bad forwarded host is a bad host
        ("127.0.0.1", {"X_FORWARDED_FOR": "203.0.113.9", "X_FORWARDED_PROTO": "ftp"}, ("http", "203.0.113.9", HOST)),
        ("127.0.0.1", {"X_FORWARDED_FOR": "203.0.113.9", "X_FORWARDED_HOST": "a<b"}, ("http", "203.0.113.9", None)),
    ],
)
def test_the_origin_is_the_connection_unless_a_trusted_proxy_says_otherwise(
    peer: str, headers: dict[str, str], expected: tuple[str, str, str | None]
) -> None:
    environ = {"wsgi.url_scheme": "http", "REMOTE_ADDR": peer, "HTTP_HOST": HOST}
    environ.update({f"HTTP_{name}": value for name, value in headers.items()})
    assert PROXIES.origin(environ) == Origin(*expected)


VALID_HOSTS = ["gw.example", "gw.example:443", "192.0.2.1:8080", "[2001:db8::1]:8443", "[::ffff:127.0.0.1]", "gw_1~x"]


@pytest.mark.parametrize("host", VALID_HOSTS)
def test_a_valid_host_is_kept(host: str) -> None:
    assert ProxyTrust(()).origin({"REMOTE_ADDR": "203.0.113.5", "HTTP_HOST": host}).host == host


@pytest.mark.parametrize("host", INVALID_HOSTS)
def test_an_invalid_host_is_none(host: str) -> None:
    assert ProxyTrust(()).origin({"REMOTE_ADDR": "203.0.113.5", "HTTP_HOST": host}).host is None


def test_without_a_host_the_listening_address_is_published() -> None:
    environ = {"REMOTE_ADDR": "203.0.113.5", "SERVER_NAME": "::", "SERVER_PORT": "8080"}
    assert ProxyTrust(()).origin(environ).host == "[::]:8080"


def test_the_serializer_escapes_whatever_address_it_is_given() -> None:
    gateway = create_app(Settings(root=ROOT, env=dict(CREDENTIALS), auth=Auth(enabled=False)))
    published = PublishedWsdl(wsdl_tree(gateway.engine.contract, gateway.engine.operations, "1.1"))
    hostile = 'http://gw"><wsdl:import location="http://evil/&x'
    assert soap_address(published.at(hostile)) == hostile


# --- in-process gateways over loopback HTTP ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def emulators() -> Iterator[dict[str, str]]:
    running = [start(build(name, ROOT / "wsdl", CREDENTIALS)) for name in SYSTEMS]
    try:
        yield {**CREDENTIALS, **{f"SOAPBRIDGE_{r.emulator.name.upper()}_URL": r.url for r in running}}
    finally:
        for emulator in running:
            emulator.stop()


@contextmanager
def gateway(env: dict[str, str], plain_http: str = "never", **settings: Any) -> Iterator[str]:
    auth = Auth(clients_file=ROOT / "clients.toml", plain_http=plain_http)
    with serving(create_app(Settings(root=ROOT, env=env, auth=auth, **settings)), "gateway") as base:
        yield base


def soap_address(wsdl: bytes) -> str:
    (location,) = etree.fromstring(wsdl).xpath("//wsdl:service/wsdl:port/*/@location", namespaces={"wsdl": WSDL11})
    return str(location)


def published(base: str, version: str = "11", headers: dict[str, str] | None = None) -> str:
    answer = requests.get(f"{base}/soap{version}?wsdl", headers=headers or {}, timeout=30)
    assert answer.status_code == 200, answer.text
    return soap_address(answer.content)


def basic_call(base: str, headers: dict[str, str]) -> int:
    """The status of a GetCustomer call with the demo client's password in clear text."""
    answer = requests.post(
        f"{base}/json/GetCustomer", json={"customerId": "1001"}, auth=DEMO, headers=headers, timeout=30
    )
    return answer.status_code


def raw_status(base: str, request: bytes) -> int:
    """The status of a request written byte for byte, for Host values no HTTP library would send."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        connection.sendall(request)
        return int(connection.makefile("rb").readline().split()[1])


@pytest.mark.parametrize("forged", FORGED_TLS, ids=lambda headers: next(iter(headers)))
def test_no_header_from_an_untrusted_peer_makes_plain_http_look_like_tls(
    emulators: dict[str, str], forged: dict[str, str]
) -> None:
    with gateway(emulators) as base:
        assert basic_call(base, forged) == 401
        assert published(base, headers={**forged, "X-Forwarded-Host": "evil.example"}) == f"{base}/soap11"


def test_a_trusted_proxys_word_is_taken(emulators: dict[str, str]) -> None:
    with gateway(emulators, trusted_proxies=LOOPBACK) as base:
        assert basic_call(base, {}) == 401  # the proxy said nothing: still plain HTTP
        assert basic_call(base, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}) == 200
        assert basic_call(base, {"Forwarded": 'for="[2001:db8::9]";proto=https'}) == 200
        assert basic_call(base, {"X-Forwarded-Ssl": "on", "Front-End-Https": "on"}) == 401  # never read
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "soap.example:8443"}
        assert published(base, "12", forwarded) == "https://soap.example:8443/soap12"
        assert published(base, headers={"Forwarded": "proto=https;host=a.example"}) == "https://a.example/soap11"


def test_a_remote_client_behind_a_loopback_proxy_is_not_loopback(emulators: dict[str, str]) -> None:
    with gateway(emulators, plain_http="loopback", trusted_proxies=LOOPBACK) as base:
        assert basic_call(base, {}) == 200  # a direct loopback call, as before
        assert basic_call(base, {"X-Forwarded-For": "203.0.113.9"}) == 401
        assert basic_call(base, {"X-Forwarded-For": "127.0.0.1, not-an-address"}) == 401


def test_the_public_url_is_published_whatever_the_headers_say(emulators: dict[str, str]) -> None:
    public = "https://soap.example.com/gateway"
    with gateway(emulators, trusted_proxies=LOOPBACK, public_url=public) as base:
        assert published(base) == f"{public}/soap11"
        assert requests.get(f"{base}/openapi.json", timeout=30).json()["servers"] == [{"url": public}]
        assert published(base, "12", {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}) == (
            f"{public}/soap12"
        )


@pytest.mark.parametrize("host", INVALID_HOSTS[:-1], ids=repr)
def test_an_invalid_host_is_a_400(emulators: dict[str, str], host: str) -> None:
    with gateway(emulators) as base:
        for line in (b"GET /soap11?wsdl", b"POST /soap11", b"POST /json/GetCustomer", b"GET /readyz"):
            request = line + b" HTTP/1.1\r\nHost: " + host.encode("latin-1") + b"\r\nContent-Length: 0\r\n\r\n"
            assert raw_status(base, request) == 400, (line, host)


def test_an_http_1_0_request_without_host_is_served(emulators: dict[str, str]) -> None:
    with gateway(emulators) as base:
        assert raw_status(base, b"GET /soap11?wsdl HTTP/1.0\r\n\r\n") == 200


def test_the_request_log_names_the_client_as_believed(
    emulators: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="soapbridge.request")
    with gateway(emulators, trusted_proxies=LOOPBACK) as base:
        requests.get(f"{base}/soap11?wsdl", headers={"X-Forwarded-For": "127.0.0.1, 203.0.113.9"}, timeout=30)
    with gateway(emulators) as base:
        requests.get(f"{base}/soap11?wsdl", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=30)
    lines = [record for record in caplog.records if record.name == "soapbridge.request"]
    assert [record.__dict__["request"]["client_address"] for record in lines] == ["203.0.113.9", "127.0.0.1"]
    assert lines[0].getMessage().endswith("from 203.0.113.9")


# --- a real `soapbridge serve` ----------------------------------------------------------------------------------


def test_serve_trusts_proxy_headers_only_from_the_listed_proxies() -> None:
    """gunicorn trusts X-Forwarded-Proto and X-Forwarded-Ssl from loopback by default; serve must not."""
    never = {"SOAPBRIDGE_AUTH": "on", "SOAPBRIDGE_AUTH_PLAIN_HTTP": "never"}
    tls = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Host": "soap.example"}
    for env, trusted in ((never, False), ({**never, "SOAPBRIDGE_TRUSTED_PROXIES": "127.0.0.1"}, True)):
        process, running = start_gateway(extra_env=env)
        try:
            base = running.base
            assert basic_call(base, tls) == (200 if trusted else 401)
            assert published(base, headers=tls) == ("https://soap.example/soap11" if trusted else f"{base}/soap11")
            assert raw_status(base, b'GET /soap11?wsdl HTTP/1.1\r\nHost: gw"><x/>\r\n\r\n') == 400
        finally:
            assert stop_gateway(process) == 0


def test_serve_publishes_the_public_url() -> None:
    public = "https://soap.example.com"
    env = {"SOAPBRIDGE_PUBLIC_URL": public, "SOAPBRIDGE_TRUSTED_PROXIES": "127.0.0.1"}
    process, running = start_gateway(extra_env=env)
    try:
        headers = {"X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil.example", "Host": "other.example"}
        assert published(running.base, "12", headers) == f"{public}/soap12"
    finally:
        assert stop_gateway(process) == 0
