"""The emulators' admin endpoint: switch a system's fault mode and read its call counts, as JSON over HTTP.

    GET    /systems                     {"systems": ["crm", ...]}
    GET    /systems/{name}              {"system", "fault": {"mode", "times", "delay_ms"}, "calls", "operations"}
    PUT    /systems/{name}/fault        {"mode": M, "times": N?, "delay_ms": D?}  -> the status above
    DELETE /systems/{name}/fault        back to normal                            -> the status
    GET    /systems/{name}/requests     {"system", "requests": [{"operation", "headers", "addressing"}, ...]}
                                        what the latest requests carried, oldest first (no credentials)
    DELETE /systems/{name}/calls        counters to zero, requests forgotten      -> the status
    POST   /systems/{name}/reset        seed data again, normal, counters to zero -> the status
    ANY    /systems/{name}/{resource}/… what the system's backdoor offers (its data behind its callers' backs:
                                        see the system's module and docs/flows-contract.md)

It is served on loopback only: anyone who reaches it can take a system down.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..wsgi import Background, StartResponse, read_body, respond, serve_in_background
from ._backdoor import Refused
from ._soap import Emulator
from .faults import Fault, FaultError, FaultSwitch

#: The admin endpoint never listens anywhere else.
ADMIN_HOST = "127.0.0.1"
JSON = "application/json"

Route = Callable[[FaultSwitch, dict[str, Any]], dict[str, Any]]
#: Per system, the emulator serving it now (a reset replaces it).
Current = Mapping[str, Callable[[], Emulator]]


class AdminApp:
    """A WSGI app over the fault switches and backdoors of the systems one `soapbridge legacy` process runs."""

    def __init__(
        self,
        switches: Mapping[str, FaultSwitch],
        reseed: Mapping[str, Callable[[], None]],
        emulators: Current | None = None,
    ) -> None:
        self.switches = dict(switches)
        self.reseed = dict(reseed)
        self.emulators = dict(emulators or {})
        self.routes: dict[tuple[str, str], Route] = {
            ("GET", ""): lambda switch, environ: switch.status(),
            ("GET", "requests"): lambda switch, environ: {"system": switch.system, "requests": switch.received()},
            ("PUT", "fault"): self._set_fault,
            ("DELETE", "fault"): self._clear_fault,
            ("DELETE", "calls"): self._zero,
            ("POST", "reset"): self._reset,
        }

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        parts = environ.get("PATH_INFO", "/").strip("/").split("/")
        if parts == ["systems"] and method == "GET":
            return _answer(start_response, "200 OK", {"systems": list(self.switches)})
        if parts[0] != "systems" or len(parts) < 2:
            return _error(start_response, "404 Not Found", "no such resource; try GET /systems")
        switch = self.switches.get(parts[1])
        if switch is None:
            return _error(start_response, "404 Not Found", f"unknown system {parts[1]!r}; known: {self._names()}")
        if len(parts) > 2 and not any(resource == parts[2] for _, resource in self.routes):
            return self._backdoor(parts[1], method, parts[2:], environ, start_response)
        if len(parts) > 3:
            return _error(start_response, "404 Not Found", "no such resource; try GET /systems")
        route = self.routes.get((method, parts[2] if len(parts) == 3 else ""))
        if route is None:
            return _error(
                start_response, "405 Method Not Allowed", f"{method} does not apply to {environ['PATH_INFO']}"
            )
        try:
            return _answer(start_response, "200 OK", route(switch, environ))
        except FaultError as exc:
            return _error(start_response, "400 Bad Request", str(exc))

    def _names(self) -> str:
        return ", ".join(self.switches)

    def _backdoor(
        self, system: str, method: str, path: list[str], environ: dict[str, Any], start_response: StartResponse
    ) -> list[bytes]:
        emulator = self.emulators.get(system)
        action = emulator().backdoor.get((method, path[0])) if emulator else None
        if action is None:
            return _error(start_response, "404 Not Found", f"{system} offers no {method} /{'/'.join(path)}")
        try:
            body = json.loads(read_body(environ) or b"{}")
        except ValueError as exc:
            return _error(start_response, "400 Bad Request", f"the body is not JSON: {exc}")
        try:
            return _answer(start_response, "200 OK", action(tuple(path[1:]), body))
        except Refused as exc:
            return _error(start_response, exc.status, str(exc))

    @staticmethod
    def _set_fault(switch: FaultSwitch, environ: dict[str, Any]) -> dict[str, Any]:
        try:
            data = json.loads(read_body(environ) or b"null")
        except ValueError as exc:
            raise FaultError(f"the body is not JSON: {exc}") from None
        switch.set(Fault.from_json(data))
        return switch.status()

    @staticmethod
    def _clear_fault(switch: FaultSwitch, environ: dict[str, Any]) -> dict[str, Any]:
        switch.clear()
        return switch.status()

    @staticmethod
    def _zero(switch: FaultSwitch, environ: dict[str, Any]) -> dict[str, Any]:
        switch.zero()
        return switch.status()

    def _reset(self, switch: FaultSwitch, environ: dict[str, Any]) -> dict[str, Any]:
        switch.clear()
        self.reseed[switch.system]()
        switch.zero()
        return switch.status()


def _answer(start_response: StartResponse, status: str, data: dict[str, Any]) -> list[bytes]:
    return respond(start_response, status, JSON, json.dumps(data).encode() + b"\n")


def _error(start_response: StartResponse, status: str, message: str) -> list[bytes]:
    return _answer(start_response, status, {"error": message})


def start_admin(
    switches: Mapping[str, FaultSwitch], reseed: Mapping[str, Callable[[], None]], emulators: Current | None = None
) -> Background:
    """Serve the admin endpoint for these systems on a free loopback port, whatever address they listen on.

    reseed gives, per system, what puts its data back at the seed; emulators, the emulator serving it now,
    whose backdoor the endpoint offers.
    """
    return serve_in_background(AdminApp(switches, reseed, emulators), ADMIN_HOST, 0, name="legacy-admin")
