"""The few HTTP shapes the gateway's endpoints share."""

from __future__ import annotations

from dataclasses import dataclass, field

#: How much of a refused body a log line shows.
EXCERPT_LENGTH = 200


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes = b""
    #: "https" when the client's request came over TLS, else "http": wsgi.url_scheme, or a trusted proxy's word.
    scheme: str = "http"
    #: The client's IP address: the peer's (REMOTE_ADDR), or a trusted proxy's word ("unknown" when it had none).
    client_address: str = ""

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    @property
    def media_type(self) -> str:
        return self.header("content-type").split(";", 1)[0].strip().lower()

    def content_type_param(self, name: str) -> str | None:
        for part in self.header("content-type").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.strip().lower() == name:
                return value.strip().strip('"')
        return None


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)


def text(status: int, message: str) -> Response:
    return Response(status, "text/plain; charset=utf-8", (message + "\n").encode())


def excerpt(body: bytes, length: int = EXCERPT_LENGTH) -> str:
    """The start of a body for a log line: bounded, undecodable bytes replaced, control characters escaped."""
    head = body[:length].decode("utf-8", "replace")
    shown = "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in head)
    return shown + (f"... ({len(body)} bytes)" if len(body) > length else "")
