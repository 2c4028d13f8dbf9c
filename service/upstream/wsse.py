"""The wsse:Security header the gateway sends a legacy system: a fresh UsernameToken for every message.

OASIS Web Services Security UsernameToken Profile 1.0: a Username and a Password, either the password
itself (PasswordText) or its digest with a new nonce and wsu:Created (PasswordDigest), which is

    Base64( SHA-1( nonce + created + password ) )

The elements zeep's UsernameToken writes, straight in lxml, without its per-message objects.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import os
import time

from lxml import etree

from ..config import Credentials
from ..namespaces import WSSE, WSSE_PASSWORD_DIGEST, WSSE_PASSWORD_TEXT, WSU

#: What changes in a digest token's block per message, in the order it is written.
SLOTS = ("digest", "nonce", "created")
BASE64_BINARY = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
NONCE_BYTES = 16


class UsernameToken:
    """The adapter's credentials, written as a new wsse:Security block on each call.

    A digest token's block changes in three values per message (its slots: digest, nonce, created); a text
    token's never does. upstream/outbound.py writes the block once with markers in the slots, and each message's
    values into them; block() builds it as a tree.
    """

    def __init__(self, credentials: Credentials) -> None:
        self._password = credentials.password.encode("utf-8")
        self._digest = credentials.password_type == "digest"
        self._template = _block(credentials.username, self._digest, credentials.password)
        self.slots = SLOTS if self._digest else ()
        self._clock = _SecondClock()

    def header(self) -> etree._Element:
        """<wsse:Security><wsse:UsernameToken>...</wsse:UsernameToken></wsse:Security>, ready for the Header."""
        return self.block(self.values())

    def values(self) -> dict[str, str]:
        """A fresh nonce, the time, and the digest of both with the password; nothing for a text token."""
        if not self._digest:
            return {}
        nonce, created = os.urandom(NONCE_BYTES), self._clock.now()
        digest = password_digest(nonce, created, self._password)
        return {"digest": digest, "nonce": base64.b64encode(nonce).decode("ascii"), "created": created}

    def block(self, values: dict[str, str]) -> etree._Element:
        """The Security block with these values in its slots."""
        security = copy.deepcopy(self._template)
        if self._digest:
            _, password, nonce_element, created_element = security[0]
            password.text, nonce_element.text = values["digest"], values["nonce"]
            created_element.text = values["created"]
        return security

    def __repr__(self) -> str:
        return "<wsse UsernameToken>"


def _block(username: str, digest: bool, password: str) -> etree._Element:
    """The Security block; a digest token's Password, Nonce and Created are left for each message to fill."""
    security = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE})
    token = etree.SubElement(security, f"{{{WSSE}}}UsernameToken")
    etree.SubElement(token, f"{{{WSSE}}}Username").text = username
    if not digest:
        etree.SubElement(token, f"{{{WSSE}}}Password", Type=WSSE_PASSWORD_TEXT).text = password
        return security
    etree.SubElement(token, f"{{{WSSE}}}Password", Type=WSSE_PASSWORD_DIGEST)
    etree.SubElement(token, f"{{{WSSE}}}Nonce", EncodingType=BASE64_BINARY)
    etree.SubElement(token, f"{{{WSU}}}Created", nsmap={"wsu": WSU})
    return security


def password_digest(nonce: bytes, created: str, password: bytes) -> str:
    return base64.b64encode(hashlib.sha1(nonce + created.encode("ascii") + password).digest()).decode("ascii")


class _SecondClock:
    """The current UTC time to the second, as 2024-05-01T12:00:00Z: formatted when the second changes. Two threads
    crossing a second at once both format it, to the same text, so no lock is needed."""

    def __init__(self) -> None:
        self._last: tuple[int, str] = (-1, "")

    def now(self) -> str:
        second = int(time.time())
        last = self._last
        if last[0] == second:
            return last[1]
        text = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))
        self._last = (second, text)
        return text
