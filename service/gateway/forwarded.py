"""Where a request came from, as the gateway believes it: the scheme, the client's address and the host asked for.

From a peer the operator does not list in SOAPBRIDGE_TRUSTED_PROXIES, only the connection counts:
wsgi.url_scheme, REMOTE_ADDR and the Host header. Every proxy header (Forwarded, X-Forwarded-*,
X-Forwarded-Ssl, Front-End-Https...) is ignored, so a caller cannot make plain HTTP look like TLS,
nor choose the address the WSDL publishes. From a trusted proxy, RFC 7239 Forwarded is read when
present, else X-Forwarded-For, -Proto and -Host; the hops are walked from the right (the nearest
proxy's) while each sender is trusted, and the outermost trusted proxy's word is taken: the client
is the first untrusted address. A hop that cannot be read, or names no address (unknown, an
obfuscated identifier), ends the walk with the client "unknown": never loopback, never trusted.

The host, wherever it came from, must be an RFC 3986 host (a DNS-style name, IPv4, or [IPv6]) with
an optional port; anything else (markup, quotes, spaces, control characters, over 260 characters)
leaves Origin.host None, which the gateway answers with 400 (RFC 9112 section 3.2).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: The client's address when a trusted proxy could not or would not say it.
UNKNOWN = "unknown"
SCHEMES = ("http", "https")
#: A Host longer than this is refused: a DNS name is at most 253 characters, a port 6 more.
MAX_HOST = 260
#: How many distinct addresses' trust each process remembers: the untrusted peer's path is one lookup.
REMEMBERED = 4096

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: A DNS-style name or IPv4 (RFC 3986 unreserved characters only: no sub-delims, no percent-encoding, which no
#: real host name uses and which would let quotes and ampersands through), or a bracketed IPv6; then a port.
HOST = re.compile(r"(?:[A-Za-z0-9._~-]+|\[(?P<ipv6>[0-9A-Fa-f:.]+)\])(?::(?P<port>[0-9]{1,5}))?")
#: An RFC 7239 node: a bracketed IPv6, or anything else up to a port (IPv4, unknown, _obfuscated), then a port.
NODE = re.compile(r"\[(?P<ipv6>[^\]]*)\](?::[A-Za-z0-9._-]+)?|(?P<name>[^:\[\]]+)(?::[A-Za-z0-9._-]+)?")
#: An RFC 7239 forwarded-pair: a token, then a token or a quoted string.
TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
PAIR = re.compile(rf'\s*(?P<name>{TOKEN})=(?:(?P<token>{TOKEN})|"(?P<quoted>(?:[^"\\]|\\.)*)")\s*')


@dataclass(frozen=True)
class Origin:
    """A request's origin as believed: from the connection, or from the operator's proxies."""

    #: http or https: how the client reached the gateway, or the outermost trusted proxy.
    scheme: str
    #: The client's IP address, or UNKNOWN.
    client: str
    #: host[:port] as the client asked for it, validated; None when invalid (the request is a 400).
    host: str | None


@dataclass(frozen=True)
class Hop:
    """What one proxy said about the hop before it; None fields it did not say."""

    client: str | None
    scheme: str | None
    host: str | None


class ProxyTrust:
    """The operator's proxies, and the reading of a request's origin that follows from them."""

    def __init__(self, networks: Iterable[Network]) -> None:
        self.networks = tuple(networks)
        self.trusts: Callable[[str], bool] = lru_cache(maxsize=REMEMBERED)(self._trusts)

    def origin(self, environ: dict[str, Any]) -> Origin:
        scheme, client, host = environ.get("wsgi.url_scheme", "http"), environ.get("REMOTE_ADDR", ""), _host(environ)
        if self.networks and self.trusts(client):
            scheme, client, host = self._walk(_hops(environ), scheme, client, host)
        return Origin(scheme, client, valid_host(host))

    def _walk(self, hops: list[Hop | None], scheme: str, client: str, host: str) -> tuple[str, str, str]:
        """From the nearest proxy outward, while the one who wrote a hop is trusted."""
        for hop in reversed(hops):
            if hop is None:
                return scheme, UNKNOWN, host
            scheme = hop.scheme if hop.scheme in SCHEMES else scheme
            host = hop.host if hop.host is not None else host
            client = hop.client or UNKNOWN
            if client == UNKNOWN or not self.trusts(client):
                break
        return scheme, client, host

    def _trusts(self, address: str) -> bool:
        parsed = ip_address(address)
        return parsed is not None and any(parsed in network for network in self.networks)


def valid_host(host: str) -> str | None:
    """host when it is a valid RFC 3986 host and port (see HOST), else None."""
    match = HOST.fullmatch(host) if len(host) <= MAX_HOST else None
    if match is None or (match["port"] is not None and int(match["port"]) > 65535):
        return None
    if match["ipv6"] is not None and not _is_ipv6(match["ipv6"]):
        return None
    return host


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def ip_address(text: str) -> Address | None:
    """text as an IP address, an IPv4-mapped IPv6 one as its IPv4 (a dual-stack socket's peers); None if it is
    none, or carries an IPv6 zone (%eth0), whose free text has no place in a log line or a trust decision."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address.scope_id is not None:
        return None
    return address.ipv4_mapped or address


def _host(environ: dict[str, Any]) -> str:
    """The Host header, or (HTTP/1.0) the address the server listens on."""
    host: str | None = environ.get("HTTP_HOST")
    if host is not None:
        return host
    name, port = environ.get("SERVER_NAME", "localhost"), environ.get("SERVER_PORT", "80")
    return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"


def _hops(environ: dict[str, Any]) -> list[Hop | None]:
    """The hops a trusted peer reports, oldest first: Forwarded when it sent one, else X-Forwarded-*."""
    forwarded = environ.get("HTTP_FORWARDED")
    if forwarded is not None:
        return [_forwarded_hop(element) for element in forwarded.split(",") if element.strip()]
    return _x_forwarded_hops(environ)


def _forwarded_hop(element: str) -> Hop | None:
    """One RFC 7239 forwarded-element, or None when it is malformed (a quoted comma makes two malformed halves)."""
    pairs: dict[str, str] = {}
    for text in element.split(";"):
        pair = PAIR.fullmatch(text)
        name = pair["name"].lower() if pair is not None else ""
        if pair is None or name in pairs:  # RFC 7239: each parameter at most once per element
            return None
        pairs[name] = pair["token"] if pair["token"] is not None else re.sub(r"\\(.)", r"\1", pair["quoted"])
    node = pairs.get("for")
    return Hop(_node_address(node) if node is not None else None, _scheme(pairs.get("proto")), pairs.get("host"))


def _x_forwarded_hops(environ: dict[str, Any]) -> list[Hop | None]:
    """X-Forwarded-For's entries as hops, each with the -Proto and -Host value at its place from the right, or
    the only value when a proxy overwrote the header instead of appending to it."""
    clients = _values(environ.get("HTTP_X_FORWARDED_FOR"))
    schemes = _values(environ.get("HTTP_X_FORWARDED_PROTO"))
    hosts = _values(environ.get("HTTP_X_FORWARDED_HOST"))
    count = len(clients) or (1 if schemes or hosts else 0)
    hops: list[Hop | None] = []
    for place in range(count, 0, -1):
        node = _node_address(clients[-place]) if clients else None
        hops.append(Hop(node, _scheme(_at(schemes, place)), _at(hosts, place)))
    return hops


def _node_address(node: str) -> str | None:
    """The IP address a node names (RFC 7239: [IPv6] or IPv4, perhaps with a port; X-Forwarded-For: bare IPv6
    too), as text; None for unknown, an obfuscated identifier, or anything unreadable."""
    match = NODE.fullmatch(node.strip())
    text = (match["ipv6"] if match["ipv6"] is not None else match["name"]) if match is not None else node.strip()
    address = ip_address(text) or ip_address(node.strip())
    return str(address) if address is not None else None


def _scheme(value: str | None) -> str | None:
    return value.strip().lower() if value is not None else None


def _values(header: str | None) -> list[str]:
    return [value.strip() for value in header.split(",") if value.strip()] if header else []


def _at(values: list[str], place: int) -> str | None:
    """The value at place from the right (1 is the rightmost); the only value whatever the place."""
    if len(values) == 1:
        return values[0]
    return values[-place] if place <= len(values) else None
