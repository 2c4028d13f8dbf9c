"""A sign-in's cost: HTTP Basic checked by the Authenticator, remembered (the throttle's two reads, an HMAC, a
dictionary) against the scrypt check every call paid before, and the throttle alone, in memory and in Redis.

`python -m bench.micro.signin [--quick] [--redis redis://…]` prints the rows; measure() returns them in the
shape bench.micro's table reads. Redis is measured only when a URL is given (a loopback server is the fair one).
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
from pathlib import Path
from typing import Any

from soapbridge.clients import Client
from soapbridge.gateway.auth import Authenticator
from soapbridge.gateway.http import Request
from soapbridge.gateway.throttle import open_throttle
from soapbridge.nonces import SqliteNonces
from soapbridge.passwords import hash_password, verify_password
from soapbridge.settings import Auth, Settings

from .documents import ROOT
from .timing import median_us, row

PASSWORD = "a-benchmark-password"
#: A remembered sign-in must cost at most this share of the scrypt check it replaces.
TARGET_SHARE = 0.01


def measure(*, quick: bool = False, redis_url: str | None = None) -> list[dict[str, Any]]:
    runs = 200 if quick else 2000
    stored = hash_password(PASSWORD)
    scrypt = median_us(lambda: verify_password(stored, PASSWORD), runs=20 if quick else 100)
    rows = [row("sign-in: scrypt check (before: every call)", scrypt, "us")]
    rows += _remembered("memory", _authenticator(stored, None), runs, scrypt)
    if redis_url is not None:
        rows += _remembered("redis", _authenticator(stored, redis_url), runs, scrypt)
    return rows


def _remembered(where: str, auth: Authenticator, runs: int, scrypt: float) -> list[dict[str, Any]]:
    """A remembered sign-in, the throttle's reads when clear lately, and a read that goes to the store."""
    request = _basic_request("bench", PASSWORD)
    auth.basic(request)  # hashed once; every later call is remembered
    remembered = median_us(lambda: auth.basic(request), runs=runs)
    clear = median_us(lambda: auth.throttle.retry_after("bench", "127.0.0.1"), runs=runs)
    peers = (f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}" for n in range(1, 1 << 24))
    read = median_us(lambda: auth.throttle.retry_after("bench", next(peers)), runs=runs)
    assert auth.budget.hashes == 1, "a remembered sign-in ran scrypt"
    share = f"<= {TARGET_SHARE:.0%} of scrypt"
    return [
        row(f"sign-in: remembered, throttle in {where}", remembered, "us", share, remembered <= scrypt * TARGET_SHARE),
        row(f"sign-in: throttle's reads, clear lately, {where}", clear, "us"),
        row(f"sign-in: throttle's reads, a new peer, {where}", read, "us"),
    ]


def _authenticator(stored: str, redis_url: str | None) -> Authenticator:
    settings = Settings(root=ROOT, auth=Auth(plain_http="anywhere"), nonce_store=redis_url)
    clients = {"bench": Client("bench", frozenset({"*"}), stored)}
    nonces = SqliteNonces(Path(tempfile.mkdtemp(prefix="bench-signin-")) / "nonces.sqlite3", "bench")
    return Authenticator(settings.auth, clients, nonces, throttle=open_throttle(settings))


def _basic_request(user: str, password: str) -> Request:
    credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
    return Request(
        "POST", "/json/GetCustomer", "", {"authorization": f"Basic {credentials}"}, client_address="127.0.0.1"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.micro.signin", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs: faster, rougher")
    parser.add_argument("--redis", metavar="URL", help="also measure the throttle in this Redis (loopback)")
    arguments = parser.parse_args(argv)
    from .__main__ import table

    rows = measure(quick=arguments.quick, redis_url=arguments.redis)
    print(table(rows))
    return 0 if all(r["met"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
