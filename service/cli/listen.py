"""The listening socket `soapbridge serve` binds itself, before anything else starts, and hands to gunicorn.

Binding here, not in gunicorn, makes a bind failure one line naming what to change: gunicorn's own bind
logs five lines and retries for about 13 seconds before it gives up on a busy port.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

from ..errors import SoapbridgeError

#: What to do about each bind failure, by errno; {where} is "port P on H".
ADVICE = {
    errno.EADDRINUSE: "{where} is in use; pick another with --port",
    errno.EADDRNOTAVAIL: "{where} is not available: {host} is not an address of this machine; pick another with --host",
    errno.EACCES: "{where} needs privileges this user does not have (ports below 1024 do); pick another with --port",
}


class BindError(SoapbridgeError, OSError):
    """Raised when the gateway cannot listen where it was told to."""


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port (not listening yet: gunicorn listens with its backlog)."""
    family, address = _address(host, port)
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does: a restart needs no wait
    try:
        listener.bind(address)
    except OSError as exc:
        listener.close()
        where = f"port {port} on {host}"
        advice = ADVICE.get(exc.errno or 0, "{where} cannot be used: {reason}; pick another with --port or --host")
        raise BindError(advice.format(where=where, host=host, reason=exc.strerror or exc)) from None
    return listener


def handed_over(listener: socket.socket) -> str:
    """gunicorn's bind setting for listener; gunicorn takes the descriptor over (and closes it) when it starts."""
    return f"fd://{listener.detach()}"


def _address(host: str, port: int) -> tuple[socket.AddressFamily, Any]:
    """The first address host:port resolves to, and its family (an IPv6 address keeps its scope)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise BindError(f"--host {host}: no such address ({exc.strerror})") from None
    family, _, _, _, address = found[0]
    return family, address
