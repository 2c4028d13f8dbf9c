"""The UsernameToken the gateway sends upstream reads back, through the gateway's own inbound reader, as valid."""

from __future__ import annotations

from lxml import etree

from soapbridge.config import Credentials
from soapbridge.gateway.wsse import password_digest, read_token
from soapbridge.namespaces import WSSE
from soapbridge.upstream.wsse import UsernameToken


def header_of(token: UsernameToken) -> etree._Element:
    header = etree.Element("Header")
    header.append(token.header())
    return header


def test_a_digest_token_carries_a_fresh_nonce_and_a_digest_of_it() -> None:
    token = UsernameToken(Credentials("wsse-username-token", "gateway", "s3cret", "digest"))
    first, second = read_token(header_of(token)), read_token(header_of(token))
    assert first.username == "gateway" and first.digest
    assert first.password == password_digest(first.nonce, first.created_text, "s3cret")
    assert first.nonce != second.nonce and len(first.nonce) == 16
    assert first.created_text.endswith("Z")


def test_a_text_token_carries_the_password_itself() -> None:
    token = UsernameToken(Credentials("wsse-username-token", "gateway", "s3cret", "text"))
    read = read_token(header_of(token))
    assert (read.username, read.password, read.digest) == ("gateway", "s3cret", False)
    assert header_of(token).find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken/{{{WSSE}}}Nonce") is None
