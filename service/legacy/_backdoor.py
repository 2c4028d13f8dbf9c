"""What an emulator offers the admin endpoint besides faults: changing its data behind its callers' backs.

Tests and demos use it to do what a clerk at the legacy system's own screens would: create a customer,
finish an encounter, open an account. An emulator declares its actions by (HTTP method, resource); the
admin endpoint passes the rest of the path and the JSON body, and answers with the returned object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

#: (the path after /systems/<name>/<resource>, split at "/"; the JSON body, {} when empty) -> the JSON answer.
Action = Callable[[tuple[str, ...], Any], dict[str, Any]]
Actions = Mapping[tuple[str, str], Action]


class Refused(ValueError):
    """Raised when an action's input is not acceptable (400), or names nothing that exists (404)."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.status = "404 Not Found" if missing else "400 Bad Request"


def fields(body: Any, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, Any]:
    """body as a dict with only the known keys, refusing unknown and missing ones by name."""
    if not isinstance(body, dict):
        raise Refused("expected a JSON object")
    unknown = sorted(set(body) - {*required, *optional})
    if unknown:
        raise Refused(f"unknown field {unknown[0]!r}; known: {', '.join((*required, *optional))}")
    missing = [name for name in required if body.get(name) in (None, "")]
    if missing:
        raise Refused(f"{missing[0]} is required")
    return {name: value for name, value in body.items() if value is not None}


def no_more(rest: tuple[str, ...], count: int) -> tuple[str, ...]:
    """rest when it has exactly count parts; a 404 Refused otherwise."""
    if len(rest) != count:
        raise Refused(f"no such resource: /{'/'.join(rest)}", missing=True)
    return rest


def text(value: Any, name: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise Refused(f"{name} must be a string")
    return str(value).strip()


def count(value: Any, name: str, most: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
        raise Refused(f"{name} must be a whole number from 1 to {most}")
    return value
