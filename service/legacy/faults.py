"""Fault injection: the mode one emulated system is switched into, and the calls that reached it.

This module only keeps the state; the emulator's server (_server.py) acts it out on the socket,
and the admin endpoint (admin.py) switches it.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

#: What a system can be switched into; see README "Fault injection" for what each looks like on the wire.
MODES = ("normal", "down", "refuse", "slow", "hang", "html500", "truncated", "garbage", "reset", "fault")
#: How many of the latest requests a system remembers (their headers and WS-Addressing), for tests to read.
REMEMBERED = 50


class FaultError(ValueError):
    """Raised when a fault setting is not one an emulator can act out (unknown mode, bad times or delay)."""


@dataclass(frozen=True)
class Fault:
    """A fault mode; times (when set) is how many more requests get it before the system is normal again."""

    mode: str = "normal"
    times: int | None = None
    delay_ms: int = 0

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise FaultError(f"unknown mode {self.mode!r}; known: {', '.join(MODES)}")
        if self.times is not None and (not _is_int(self.times) or self.times < 1):
            raise FaultError("times must be a positive integer or null")
        if not _is_int(self.delay_ms) or self.delay_ms < 0:
            raise FaultError("delay_ms must be a non-negative integer")
        if self.mode == "refuse" and self.times is not None:
            raise FaultError("refuse closes the port, so no request is there to count: times does not apply")

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        if not isinstance(data, dict) or "mode" not in data:
            raise FaultError('expected a JSON object like {"mode": "down", "times": 2, "delay_ms": 0}')
        unknown = set(data) - {"mode", "times", "delay_ms"}
        if unknown:
            raise FaultError(f"unknown field {sorted(unknown)[0]!r}; known: mode, times, delay_ms")
        return cls(data["mode"], data.get("times"), 0 if data.get("delay_ms") is None else data["delay_ms"])

    def after_one(self) -> Fault:
        """The fault that is left once one more request got this one."""
        if self.times is None:
            return self
        return Fault(self.mode, self.times - 1, self.delay_ms) if self.times > 1 else NORMAL


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


NORMAL = Fault()


@dataclass(frozen=True)
class Arrival:
    """What a request that reached the port gets: the fault to act out, and the event that ends a hang."""

    fault: Fault
    released: threading.Event


class FaultSwitch:
    """The fault mode of one emulated system and the count of calls that reached it; shared by its threads.

    on_change is called (outside the lock) with the new mode after every switch, so the server can
    close or reopen its port for "refuse".
    """

    def __init__(self, system: str, on_change: Callable[[str], None] | None = None) -> None:
        self.system = system
        self._on_change = on_change
        self._lock = threading.Lock()
        self._fault = NORMAL
        self._calls = 0
        self._operations: Counter[str] = Counter()
        self._received: deque[dict[str, Any]] = deque(maxlen=REMEMBERED)
        self._released = threading.Event()

    @property
    def mode(self) -> str:
        with self._lock:
            return self._fault.mode

    def set(self, fault: Fault) -> None:
        """Switch to fault; requests hanging under the previous setting are released."""
        with self._lock:
            self._fault = fault
            self._release()
        if self._on_change is not None:
            self._on_change(fault.mode)

    def clear(self) -> None:
        self.set(NORMAL)

    def zero(self) -> None:
        with self._lock:
            self._calls = 0
            self._operations.clear()
            self._received.clear()

    def arrive(self, operation: str | None, received: dict[str, Any] | None = None) -> Arrival:
        """Count a POST that reached the port (operation: its body element's local name) and take its fault;
        received (what the request carried: headers, WS-Addressing) is kept among the latest."""
        with self._lock:
            self._calls += 1
            if received is not None:
                self._received.append(received)
            if operation is not None:
                self._operations[operation] += 1
            fault, self._fault = self._fault, self._fault.after_one()
            return Arrival(fault, self._released)

    def received(self) -> list[dict[str, Any]]:
        """What the latest requests carried, oldest first."""
        with self._lock:
            return list(self._received)

    def release_all(self) -> None:
        """Free every hanging request, as when the emulator stops."""
        with self._lock:
            self._release()

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {
                "system": self.system,
                "fault": asdict(self._fault),
                "calls": self._calls,
                "operations": dict(self._operations),
            }

    def _release(self) -> None:
        self._released.set()
        self._released = threading.Event()
