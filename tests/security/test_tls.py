"""TLS both ways: `serve --certfile --keyfile` answers over HTTPS, and adapters verify upstream certificates.

A throwaway CA and a certificate for 127.0.0.1 are made in a temporary folder; the weather
emulator is served over HTTPS with them.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from wsgiref.simple_server import make_server

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from soapbridge.cli import main
from soapbridge.errors import ConfigError
from soapbridge.legacy import build
from soapbridge.wsgi import QuietHandler, ThreadingServer
from tests.conftest import CREDENTIALS
from tests.running import start_gateway, stop_gateway
from tests.security.contentsafety import FORECAST, call, fault, forecast_works, gateway

_NOW = datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class Pki:
    ca: Path
    cert: Path
    key: Path
    client_cert: Path
    client_key: Path


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
    encoding = serialization.Encoding.PEM
    private = serialization.PrivateFormat.PKCS8
    path.write_bytes(key.private_bytes(encoding, private, serialization.NoEncryption()))
    return path


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None,
    usage: ExtendedKeyUsageOID | None = None,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    issuer_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer[0])]) if issuer else name
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_NOW - datetime.timedelta(minutes=5))
        .not_valid_after(_NOW + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if usage == ExtendedKeyUsageOID.SERVER_AUTH:
        san = x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
        )
        builder = builder.add_extension(san, critical=False)
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca_key, server_key, client_key = _key(), _key(), _key()
    ca = _certificate("soapbridge test CA", ca_key, None)
    server = _certificate("127.0.0.1", server_key, ("soapbridge test CA", ca_key), ExtendedKeyUsageOID.SERVER_AUTH)
    client = _certificate("gateway", client_key, ("soapbridge test CA", ca_key), ExtendedKeyUsageOID.CLIENT_AUTH)
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "server.pem").write_bytes(server.public_bytes(pem))
    (folder / "client.pem").write_bytes(client.public_bytes(pem))
    return Pki(
        folder / "ca.pem",
        folder / "server.pem",
        _write_key(server_key, folder / "server.key"),
        folder / "client.pem",
        _write_key(client_key, folder / "client.key"),
    )


@contextmanager
def https_weather(pki: Pki, project: Path, *, require_client_cert: bool = False) -> Iterator[str]:
    """The weather emulator over HTTPS on loopback; yields its URL."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.cert, pki.key)
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(pki.ca)
    emulator = build("weather", project / "wsdl", CREDENTIALS)
    server = make_server("127.0.0.1", 0, emulator, server_class=ThreadingServer, handler_class=QuietHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_port}/weather"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def with_tls(project: Path, pki: Pki, **keys: object) -> None:
    """Give weather's adapter a [tls] table; file values are copied into the project's tls/ folder."""
    (project / "tls").mkdir(exist_ok=True)
    lines = ["", "[tls]"]
    for key, value in keys.items():
        if isinstance(value, Path):
            (project / "tls" / value.name).write_bytes(value.read_bytes())
            value = f'"tls/{value.name}"'
        lines.append(f"{key} = {str(value).lower() if isinstance(value, bool) else value}")
    adapter = project / "adapters" / "weather.toml"
    adapter.write_text(adapter.read_text() + "\n".join(lines) + "\n")


def weather_env(url: str) -> dict[str, str]:
    return {**CREDENTIALS, "SOAPBRIDGE_WEATHER_URL": url}


def test_an_adapter_trusts_its_ca_bundle(project: Path, pki: Pki) -> None:
    with_tls(project, pki, ca_bundle=pki.ca)
    with https_weather(pki, project) as url, gateway(project, weather_env(url)) as base:
        assert forecast_works(base)


def test_an_upstream_certificate_from_an_unknown_ca_is_refused_by_default(project: Path, pki: Pki) -> None:
    with https_weather(pki, project) as url, gateway(project, weather_env(url)) as base:
        response = call(base, FORECAST, "GetForecast")
        code, canonical, message = fault(response)
    assert (code, canonical) == ("soap:Server", "UpstreamUnavailable")
    assert "certificate" in message and url not in message and "Traceback" not in response.text


def test_a_client_certificate_is_shown_when_the_system_asks_for_one(project: Path, pki: Pki) -> None:
    with_tls(project, pki, ca_bundle=pki.ca, client_cert=pki.client_cert, client_key=pki.client_key)
    with https_weather(pki, project, require_client_cert=True) as url, gateway(project, weather_env(url)) as base:
        assert forecast_works(base)


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")  # the point of the test
def test_verification_is_off_only_when_said_and_then_warned_about(
    project: Path, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    with_tls(project, pki, verify=False)
    warnings = caplog.at_level(logging.WARNING, logger="soapbridge.upstream")
    with warnings, https_weather(pki, project) as url, gateway(project, weather_env(url)) as base:
        assert forecast_works(base)
    assert any("verification is off" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("keys", "complaint"),
    [({"verify": '"no"'}, "true or false"), ({"client_key": '"tls/none.key"'}, "no such file")],
)
def test_a_wrong_tls_table_fails_at_start_up(project: Path, pki: Pki, keys: dict[str, str], complaint: str) -> None:
    with_tls(project, pki, **keys)
    with pytest.raises(ConfigError, match=complaint), gateway(project, dict(CREDENTIALS)):
        pass


def test_serve_with_a_certificate_answers_over_https(pki: Pki) -> None:
    process, running = start_gateway(extra_args=["--certfile", str(pki.cert), "--keyfile", str(pki.key)])
    try:
        base = running.base
        assert base.startswith("https://127.0.0.1:")
        response = requests.get(f"{base}/soap11?wsdl", verify=str(pki.ca), timeout=30)
        assert response.status_code == 200 and f'location="{base}/soap11"'.encode() in response.content
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{base}/soap11?wsdl", timeout=30)
    finally:
        assert stop_gateway(process) == 0


def test_serve_wants_both_certificate_and_key(pki: Pki, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--certfile", str(pki.cert)]) == 2
    assert "--certfile and --keyfile go together" in capsys.readouterr().err
