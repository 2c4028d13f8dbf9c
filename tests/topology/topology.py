"""The whole topology: Redis, the emulators, two gateways and HAProxy, started in dependency order and
stopped in reverse."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .balancer import HAProxy
from .processes import GRACE_PERIOD, Emulators, Gateway, Redis, wait_until


@dataclass
class Topology:
    redis: Redis
    emulators: Emulators
    gateways: list[Gateway]
    haproxy: HAProxy

    @property
    def base(self) -> str:
        """Where clients connect: HAProxy."""
        return self.haproxy.base

    def by_name(self, name: str) -> Gateway:
        (gateway,) = [gateway for gateway in self.gateways if gateway.name == name]
        return gateway

    def assert_healthy(self) -> None:
        """Every gateway running and in HAProxy's rotation: what each test starts from and leaves behind."""
        for gateway in self.gateways:
            assert gateway.process is not None and gateway.process.poll() is None, f"{gateway.name} is not running"
            self.haproxy.wait_for(gateway.name, "UP")

    def restore(self) -> None:
        """Start again whatever a failed test left stopped, so that the next test starts from a whole topology."""
        if self.redis.process is None:
            self.redis.start()
        for gateway in self.gateways:
            if gateway.process is None:
                gateway.start()
        self.assert_healthy()

    def answered_by(self, correlation_id: str, timeout: float = 5) -> str:
        """The name of the gateway whose log has the request line of correlation_id."""
        found: list[str] = []

        def logged() -> bool:
            found[:] = [g.name for g in self.gateways if f'"correlation_id": "{correlation_id}"' in g.output()]
            return bool(found)

        wait_until(logged, timeout, f"a gateway logging request {correlation_id}", step=0.05)
        assert len(found) == 1, f"request {correlation_id} logged by {found}"
        return found[0]


def upstream_credentials() -> dict[str, str]:
    """The legacy systems' credentials, shared by the emulators and the gateways (random for each run)."""
    return {
        "SOAPBRIDGE_CRM_USERNAME": "gateway",
        "SOAPBRIDGE_CRM_PASSWORD": secrets.token_urlsafe(16),
        "SOAPBRIDGE_MAILING_USERNAME": "gateway",
        "SOAPBRIDGE_MAILING_PASSWORD": secrets.token_urlsafe(16),
        "SOAPBRIDGE_EHR_USERNAME": "gateway",
        "SOAPBRIDGE_EHR_PASSWORD": secrets.token_urlsafe(16),
        "SOAPBRIDGE_WEATHER_LICENCE": secrets.token_urlsafe(16),
    }


def gateway_env(
    emulators: Emulators, redis_url: str, clients_file: Path, instance: str, extra: dict[str, str]
) -> dict[str, str]:
    """What each instance is given, as compose.yaml gives it: the legacy systems, the shared Redis, its name."""
    return {
        **emulators.credentials,
        **{f"SOAPBRIDGE_{system.upper()}_URL": url for system, url in emulators.urls.items()},
        "SOAPBRIDGE_AUTH": "on",
        "SOAPBRIDGE_CLIENTS": str(clients_file),
        "SOAPBRIDGE_IDEMPOTENCY_STORE": redis_url,
        "SOAPBRIDGE_NONCE_STORE": redis_url,
        "SOAPBRIDGE_INSTANCE": instance,
        "SOAPBRIDGE_TRUSTED_PROXIES": "127.0.0.1",
        "SOAPBRIDGE_LOG_FORMAT": "json",
        "SOAPBRIDGE_GRACE_PERIOD": str(GRACE_PERIOD),
        **extra,
    }


@contextmanager
def running_topology(folder: Path, clients_file: Path, extra_env: dict[str, str]) -> Iterator[Topology]:
    """Everything started in dependency order, and stopped in reverse, whatever a test left running."""
    (folder / "redis").mkdir()
    (folder / "haproxy").mkdir()
    redis_server = Redis(folder / "redis")
    emulators = Emulators(upstream_credentials())
    gateways: list[Gateway] = []
    haproxy: HAProxy | None = None
    try:
        redis_server.start()
        emulators.start()
        for name in ("gw1", "gw2"):
            gateways.append(Gateway(name, gateway_env(emulators, redis_server.url, clients_file, name, extra_env)))
            gateways[-1].start()
        haproxy = HAProxy(folder / "haproxy", gateways)
        haproxy.start()
        topology = Topology(redis_server, emulators, gateways, haproxy)
        topology.assert_healthy()
        yield topology
    finally:
        _stop_all(haproxy, gateways, emulators, redis_server)


def _stop_all(haproxy: HAProxy | None, gateways: list[Gateway], emulators: Emulators, redis_server: Redis) -> None:
    if haproxy is not None:
        haproxy.stop()
    codes = {gateway.name: gateway.stop() for gateway in gateways if gateway.process is not None}
    emulators.stop()
    redis_server.stop()
    assert set(codes.values()) <= {0}, f"serve exit codes: {codes}"
