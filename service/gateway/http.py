"""The few HTTP shapes the gateway's endpoints share."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Bodies larger than this are refused before they are read (bytes).
MAX_BODY = 10 * 1024 * 1024


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes = b""

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
