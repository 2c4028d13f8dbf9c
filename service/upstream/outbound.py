"""The message sent to a legacy operation, composed once per operation at start-up and filled per message.

Its envelope and header blocks (the adapter's wsse:Security, WS-Addressing when the WSDL uses it) are built as
a tree once, with a marker where each per-message value goes (digest, nonce, created, message id) and one in
the Body, and serialised; each message then joins the serialised pieces around its values and its body's bytes.
lxml writes the same bytes for the tree built per message, which `tree` still builds for a body that is not the
root of its document (its ancestors' namespaces would be written differently): tests/upstream/test_outbound.py
holds the two to each other.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from lxml import etree

from ..soapenv import envelope, serialize
from . import addressing
from .wsse import UsernameToken

#: The key of the body's slot; the others are the contributors' value names.
BODY = "body"
_RUN = secrets.token_hex(8)  # markers no adapter's username, address or action can contain by chance
_MARKER = re.compile(rf"soapbridge-slot-{_RUN}-([a-z_]+)".encode())


def _marker(name: str) -> str:
    return f"soapbridge-slot-{_RUN}-{name}"


@dataclass(frozen=True)
class Addressing:
    """An operation's WS-Addressing: its Action and the address it is sent To; the MessageID changes per call."""

    action: str
    to: str


class Outbound:
    """One operation's message: SOAP version, UsernameToken and WS-Addressing, composed once."""

    def __init__(self, version: str, token: UsernameToken | None, wsa: Addressing | None) -> None:
        self.version = version
        self.token = token
        self.wsa = wsa
        slots = dict.fromkeys(token.slots if token is not None else (), "")
        if wsa is not None:
            slots["message_id"] = ""
        root = envelope(version, [], prefix="soapenv", headers=self._blocks({name: _marker(name) for name in slots}))
        root[-1].text = _marker(BODY)
        pieces = _MARKER.split(serialize(root))
        self._pieces = pieces[::2]  # the fixed bytes, around...
        self._slots = [name.decode("ascii") for name in pieces[1::2]]  # ...the slots, in the order written

    def values(self, correlation_id: str) -> dict[str, str]:
        """This message's changing values: a fresh token's digest, nonce and created, and its message id."""
        values = self.token.values() if self.token is not None else {}
        if self.wsa is not None:
            values["message_id"] = addressing.message_id(correlation_id)
        return values

    def message(self, body: etree._Element, values: dict[str, str]) -> bytes:
        """The serialised envelope around body (left where it is) with these values."""
        if body.getparent() is not None:
            return self.tree(body, values)
        filled = {name: _text(value) for name, value in values.items()}
        filled[BODY] = etree.tostring(body, encoding="utf-8")
        joined = [self._pieces[0]]
        for name, piece in zip(self._slots, self._pieces[1:], strict=True):
            joined += (filled[name], piece)
        return b"".join(joined)

    def around(self, body: bytes, values: dict[str, str]) -> bytes:
        """The serialised envelope around body's bytes as they are (a pass-through payload, never parsed here)."""
        filled = {name: _text(value) for name, value in values.items()}
        filled[BODY] = body
        joined = [self._pieces[0]]
        for name, piece in zip(self._slots, self._pieces[1:], strict=True):
            joined += (filled[name], piece)
        return b"".join(joined)

    def tree(self, body: etree._Element, values: dict[str, str]) -> bytes:
        """The same message built as a tree (body moved into it) and serialised."""
        return serialize(envelope(self.version, [body], prefix="soapenv", headers=self._blocks(values)))

    def _blocks(self, values: dict[str, str]) -> list[etree._Element]:
        blocks = [self.token.block(values)] if self.token is not None else []
        if self.wsa is not None:
            blocks += addressing.headers(values["message_id"], self.wsa.action, self.wsa.to)
        return blocks


def _text(value: str) -> bytes:
    """value as lxml writes an element's text in UTF-8."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return escaped.encode("utf-8")
