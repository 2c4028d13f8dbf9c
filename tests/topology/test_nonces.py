"""UsernameToken nonces live in the shared Redis: one accepted by an instance is refused by the other."""

from __future__ import annotations

import pytest

from .calls import digest_token, soap_get_customer
from .conftest import DIGESTER
from .topology import Topology

pytestmark = pytest.mark.slow


def test_a_nonce_accepted_by_one_instance_is_refused_by_the_other(healthy: Topology) -> None:
    first, second = healthy.gateways
    token = digest_token(*DIGESTER)
    assert soap_get_customer(first.base, token) == (200, "ok")
    assert soap_get_customer(second.base, token) == (500, "Unauthenticated")
    assert soap_get_customer(healthy.base, token) == (500, "Unauthenticated")


def test_a_fresh_nonce_is_accepted_through_the_balancer(healthy: Topology) -> None:
    """The refusals above are replays refused, not digests refused: a new token passes wherever it lands."""
    assert [soap_get_customer(healthy.base, digest_token(*DIGESTER)) for _ in range(4)] == [(200, "ok")] * 4
