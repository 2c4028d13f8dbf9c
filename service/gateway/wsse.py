"""The wsse:UsernameToken of an inbound SOAP header, read (not yet checked).

OASIS Web Services Security UsernameToken Profile 1.0/1.1: a Username and a Password whose
Type is PasswordText (the password itself) or PasswordDigest, which is

    Base64( SHA-1( nonce + created + secret ) )

with nonce the decoded wsse:Nonce and created the wsu:Created text exactly as sent.
Anything malformed is refused with the same words as a wrong password.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from ..errors import AuthenticationError
from ..namespaces import WSSE, WSSE_PASSWORD_DIGEST, WSSE_PASSWORD_TEXT, WSU

#: What every client whose credentials do not authenticate is told, whatever was wrong.
REFUSED = "authentication failed"
SECURITY = f"{{{WSSE}}}Security"
BASE64_BINARY = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
#: A bound on each part, so that a hostile token costs nothing to refuse.
_MAX_TEXT = 1024


@dataclass(frozen=True)
class UsernameToken:
    username: str
    password: str = field(repr=False)
    digest: bool = False
    nonce: bytes = b""
    created_text: str = ""
    created: datetime | None = None


def read_token(header: etree._Element | None) -> UsernameToken:
    """The header's UsernameToken; AuthenticationError when there is none or it is malformed."""
    token = None if header is None else header.find(f"{SECURITY}/{{{WSSE}}}UsernameToken")
    if token is None:
        raise refused("no wsse:Security header with a UsernameToken")
    username = _text(token, WSSE, "Username")
    password = _child(token, WSSE, "Password")
    kind = password.get("Type", WSSE_PASSWORD_TEXT)
    if kind == WSSE_PASSWORD_TEXT:
        return UsernameToken(username, _text(token, WSSE, "Password"))
    if kind != WSSE_PASSWORD_DIGEST:
        raise refused("an unknown password Type")
    created = _text(token, WSU, "Created")
    return UsernameToken(username, password.text or "", True, _nonce(token), created, _timestamp(created))


def password_digest(nonce: bytes, created: str, secret: str) -> str:
    """Base64(SHA-1(nonce + created + secret)), as the token carries it."""
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + secret.encode()).digest()).decode("ascii")


def refused(reason: str) -> AuthenticationError:
    return AuthenticationError(REFUSED, reason=reason)


def _child(parent: etree._Element, ns: str, local: str) -> etree._Element:
    found = parent.find(f"{{{ns}}}{local}")
    if found is None:
        raise refused(f"the UsernameToken has no {local}")
    return found


def _text(parent: etree._Element, ns: str, local: str) -> str:
    text = (_child(parent, ns, local).text or "").strip()
    if not text or len(text) > _MAX_TEXT:
        raise refused(f"the UsernameToken's {local} is empty or too long")
    return text


def _nonce(token: etree._Element) -> bytes:
    if _child(token, WSSE, "Nonce").get("EncodingType", BASE64_BINARY) != BASE64_BINARY:
        raise refused("the nonce is not Base64Binary")
    try:
        nonce = base64.b64decode(_text(token, WSSE, "Nonce"), validate=True)
    except (binascii.Error, ValueError):
        raise refused("the nonce does not decode") from None
    if len(nonce) < 8:
        raise refused("the nonce is shorter than 8 bytes")
    return nonce


def _timestamp(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise refused("Created is not a dateTime") from None
    if moment.tzinfo is None:
        raise refused("Created has no time zone")
    return moment
