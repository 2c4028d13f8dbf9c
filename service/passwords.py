"""Client passwords stored as salted scrypt hashes, in one self-describing line.

    scrypt$<n>$<r>$<p>$<salt, base64>$<hash, base64>

The parameters travel with the hash, so stronger ones can be chosen later without
invalidating the lines already written. The plaintext is never stored or logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

SCHEME = "scrypt"
#: scrypt's cost parameters: about 16 MiB and a few tens of milliseconds per check.
N, R, P = 2**14, 8, 1
_SALT_BYTES = 16
_HASH_BYTES = 32


def hash_password(password: str, *, n: int = N, r: int = R, p: int = P) -> str:
    """A new line for a clients file, with a fresh random salt."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(password, salt, n, r, p)
    return "$".join((SCHEME, str(n), str(r), str(p), _b64(salt), _b64(digest)))


def is_password_hash(line: str) -> bool:
    """True when line has the shape hash_password writes (it says nothing about the password)."""
    return _split(line) is not None


def verify_password(line: str, password: str) -> bool:
    """True when password is the one line was made from; compared in constant time."""
    parts = _split(line)
    if parts is None:
        return False
    n, r, p, salt, expected = parts
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    memory = 128 * r * (n + p + 2)
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=memory, dklen=_HASH_BYTES)


def _split(line: str) -> tuple[int, int, int, bytes, bytes] | None:
    fields = line.split("$")
    if len(fields) != 6 or fields[0] != SCHEME or not all(f.isdigit() for f in fields[1:4]):
        return None
    n, r, p = (int(f) for f in fields[1:4])
    if n < 2 or n & (n - 1) or not 1 <= r <= 64 or not 1 <= p <= 16 or n > 2**20:
        return None
    try:
        salt, digest = (base64.b64decode(f, validate=True) for f in fields[4:])
    except (binascii.Error, ValueError):
        return None
    return (n, r, p, salt, digest) if salt and digest else None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
