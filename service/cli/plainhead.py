"""The request heads nearly every client sends, read without h11: an HTTP/1.1 request line, headers of visible
ASCII, one Host, and a body framed by one Content-Length or none.

A head like that ends where h11 would end it, and its body is as long as h11 would read, so framing.py takes it
as is and spares h11's per-request parse (about 30 µs). Anything else (chunked, Expect, Upgrade, an unknown
method, HTTP/1.0, a folded or odd header, a malformed or doubled Content-Length) is declined, and h11 reads the
request from its first byte: every refusal and every subtle case stays h11's.
"""

from __future__ import annotations

import re

#: The head up to its blank line, each part within what h11's request-line and header-field rules accept.
_PLAIN_HEAD = re.compile(
    rb"(?:GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) [\x21-\x7e]+ HTTP/1\.1\r\n"
    rb"(?:[-!#$%&'*+.^_`|~0-9A-Za-z]+:[\x20-\x7e\t]*\r\n)*\r\n"
)
#: The headers that bear on where a request ends (or on h11's checks of it), with their values.
_FRAMING_FIELD = re.compile(
    rb"\r\n(host|content-length|transfer-encoding|expect|upgrade):[ \t]*([\x20-\x7e\t]*?)[ \t]*(?=\r\n)",
    re.IGNORECASE,
)
#: Where h11 ends a head: its first blank line, bare LF or CRLF.
BLANK_LINE = re.compile(rb"\n\r?\n")
_DIGITS = re.compile(rb"[0-9]{1,18}")


def plain_body_length(head: bytes | bytearray) -> int | None:
    """The body's length in bytes when head (up to and with its blank line) is plain, or None: h11 must read it."""
    if _PLAIN_HEAD.fullmatch(head) is None:
        return None
    hosts, lengths = 0, []
    for name, value in _FRAMING_FIELD.findall(head):
        field = name.lower()
        if field == b"host":
            hosts += 1
        elif field == b"content-length":
            lengths.append(value)
        else:
            return None  # transfer-encoding, expect, upgrade: h11's cases
    if hosts != 1 or len(lengths) > 1:
        return None
    if not lengths:
        return 0
    return int(lengths[0]) if _DIGITS.fullmatch(lengths[0]) else None
