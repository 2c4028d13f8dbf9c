"""Fixtures every emulator's tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """An HTTP session that talks to loopback directly, whatever proxy the environment names."""
    with requests.Session() as session:
        session.trust_env = False
        yield session
