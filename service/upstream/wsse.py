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

BASE64_BINARY = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
NONCE_BYTES = 16


class UsernameToken:
    """The adapter's credentials, written as a new wsse:Security block on each call.

    The block is built once and copied for each message (a copy costs a third of building it anew);
    a digest token's copy then gets its own nonce, wsu:Created and digest.
    """

    def __init__(self, credentials: Credentials) -> None:
        self._password = credentials.password.encode("utf-8")
        self._digest = credentials.password_type == "digest"
        self._template = _block(credentials.username, self._digest, credentials.password)

    def header(self) -> etree._Element:
        """<wsse:Security><wsse:UsernameToken>...</wsse:UsernameToken></wsse:Security>, ready for the Header."""
        security = copy.deepcopy(self._template)
        if self._digest:
            _, password, nonce_element, created_element = security[0]
            nonce, created = os.urandom(NONCE_BYTES), _now()
            password.text = password_digest(nonce, created, self._password)
            nonce_element.text = base64.b64encode(nonce).decode("ascii")
            created_element.text = created
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


def _now() -> str:
    """The current UTC time to the second, as 2024-05-01T12:00:00Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
