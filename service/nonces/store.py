"""What every nonce store does: remember a client's nonce once, until it expires."""

from __future__ import annotations

import hashlib
from typing import Protocol

#: What a client is told when the store fails: its token could not be checked for a replay, so it is not served.
UNAVAILABLE = "the nonce store cannot be read or written; try again later"


class NonceStore(Protocol):
    def remember(self, client: str, nonce: bytes, expires: float, now: float) -> bool:
        """True the first time client's nonce is seen, False for a replay until expires (epoch seconds)."""


def nonce_digest(client: str, nonce: bytes) -> str:
    """What a store keeps for (client, nonce): fixed-length, and the same in every backend."""
    return hashlib.sha256(client.encode() + b"\0" + nonce).hexdigest()
