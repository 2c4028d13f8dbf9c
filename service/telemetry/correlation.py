"""Correlation ids: taken from the client when it sends a usable one, otherwise made here."""

from __future__ import annotations

import re
import uuid

#: The HTTP header that carries the id both ways, and to the legacy systems.
HEADER = "X-Correlation-ID"
#: What an incoming id may be: short, printable, and free of anything a log line or header would mangle.
_USABLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}")
#: A URI of at most 128 characters, with none but RFC 3986's characters (so no space, quote or control character).
_URI = re.compile(r"(?=.{1,128}\Z)[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]+")


def usable(value: str | None) -> str | None:
    """value, stripped, when it can serve as a correlation id; None when it is missing or unusable."""
    text = (value or "").strip()
    return text if _USABLE.fullmatch(text) else None


def usable_uri(value: str | None) -> str | None:
    """value, stripped, when it is a URI (a WS-Addressing MessageID) short and plain enough to serve as the id."""
    text = (value or "").strip()
    return text if _URI.fullmatch(text) else None


def new_id() -> str:
    return str(uuid.uuid4())
