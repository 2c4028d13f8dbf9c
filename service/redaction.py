"""Text from outside made fit to show: URLs without their secrets, foreign text as short plain text.

A leaf module, so that the gateway, the upstream runtime and the log all hide the same things the same way.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

#: The longest foreign text (a legacy system's faultstring) passed on to a client or the log, in characters.
MAX_FOREIGN_TEXT = 512
#: C0 and C1 controls, DEL, and the Unicode line and paragraph separators: each could start a line of its own.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
#: Anything shaped like a tag or a comment: markup a faultstring carried escaped, for a browser to render.
_MARKUP = re.compile(r"<[^<>]*>")
_SPACES = re.compile(r"\s{2,}")


def hide_credentials(url: str) -> str:
    """url without its user and password, its query values masked, and without its fragment."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    query = "&".join(f"{key}=***" for key, _ in parse_qsl(parts.query, keep_blank_values=True))
    return f"{parts.scheme}://{host}{parts.path}" + (f"?{query}" if query else "")


def plain_text(text: str, limit: int = MAX_FOREIGN_TEXT) -> str:
    """text on one line, without control characters or markup, at most limit characters (an ellipsis ends a cut).

    Only a bounded head is looked at, so a megabyte of text costs no more than a few kilobytes.
    """
    head = text[: limit * 4]
    plain = _SPACES.sub(" ", _MARKUP.sub(" ", _CONTROLS.sub(" ", head))).strip()
    if len(plain) > limit or len(text) > len(head):
        return plain[: limit - 1].rstrip() + "…"
    return plain
