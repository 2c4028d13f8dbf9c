"""The e2e suites share one real `soapbridge serve` (see tests/running.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import zeep

from tests.running import RunningGateway, running_gateway


@pytest.fixture(scope="session")
def gateway() -> Iterator[RunningGateway]:
    with running_gateway() as running:
        yield running


@pytest.fixture(scope="session", params=["11", "12"], ids=["soap11", "soap12"])
def soap(request: pytest.FixtureRequest, gateway: RunningGateway) -> zeep.Client:
    return gateway.client(request.param)
