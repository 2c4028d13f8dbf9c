"""One real `soapbridge serve` for the interop suites, its two endpoints, and the stub cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.running import RunningGateway, running_gateway

from .harness import Endpoint, StubCache


@pytest.fixture(scope="session")
def interop_gateway() -> Iterator[RunningGateway]:
    with running_gateway() as running:
        yield running


@pytest.fixture(scope="session", params=["1.1", "1.2"], ids=["soap11", "soap12"])
def endpoint(request: pytest.FixtureRequest, interop_gateway: RunningGateway) -> Endpoint:
    return Endpoint.fetch(interop_gateway.base, request.param)


@pytest.fixture(scope="session")
def stubs(tmp_path_factory: pytest.TempPathFactory) -> StubCache:
    return StubCache(tmp_path_factory.mktemp("stubs"))
