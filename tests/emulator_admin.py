"""A client for the emulators' admin endpoint (`soapbridge legacy` prints `admin <url>`; RunningGateway.admin).

admin = EmulatorAdmin(gateway.admin)
admin.set_fault("billing", "down", times=2)
...
assert admin.calls("billing", "postPayment") == 1
admin.clear("billing")
"""

from __future__ import annotations

from typing import Any

import requests


class EmulatorAdminError(AssertionError):
    """Raised when the admin endpoint refuses a request (unknown system or mode, bad times or delay)."""


class EmulatorAdmin:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        assert url, "no admin URL: did serve start the emulators (no SOAPBRIDGE_<SYSTEM>_URL set)?"
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # loopback directly, whatever proxy the environment names

    def set_fault(
        self, system: str, mode: str, times: int | None = None, delay_ms: int | None = None
    ) -> dict[str, Any]:
        """Switch system into mode; times: only the next N requests get it; delay_ms: for "slow"."""
        body: dict[str, Any] = {"mode": mode}
        if times is not None:
            body["times"] = times
        if delay_ms is not None:
            body["delay_ms"] = delay_ms
        return self._call("PUT", f"/systems/{system}/fault", body)

    def clear(self, system: str) -> dict[str, Any]:
        """Back to normal (releases hanging requests, reopens a refusing port)."""
        return self._call("DELETE", f"/systems/{system}/fault")

    def status(self, system: str) -> dict[str, Any]:
        """{"system", "fault": {"mode", "times", "delay_ms"}, "calls", "operations": {name: count}}."""
        return self._call("GET", f"/systems/{system}")

    def calls(self, system: str, operation: str | None = None) -> int:
        """POSTs that reached system's port; with operation (body element local name), only those."""
        status = self.status(system)
        return int(status["calls"] if operation is None else status["operations"].get(operation, 0))

    def received(self, system: str) -> list[dict[str, Any]]:
        """What system's latest requests carried, oldest first: {"operation", "headers", "addressing"} each,
        headers as sent (credentials left out), addressing the WS-Addressing blocks by local name."""
        requests: list[dict[str, Any]] = self._call("GET", f"/systems/{system}/requests")["requests"]
        return requests

    def last_request(self, system: str) -> dict[str, Any]:
        """What system's latest request carried (see received)."""
        received = self.received(system)
        assert received, f"no request has reached {system}"
        return received[-1]

    def zero(self, system: str) -> dict[str, Any]:
        """Call counters back to zero, the requests received forgotten."""
        return self._call("DELETE", f"/systems/{system}/calls")

    def reset(self, system: str) -> dict[str, Any]:
        """Seed data again (billing's ledger, crm's customers...), normal mode, counters to zero."""
        return self._call("POST", f"/systems/{system}/reset")

    def backdoor(self, method: str, system: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """Change or read system's data behind its callers' backs (docs/flows-contract.md lists what each offers),
        e.g. backdoor("PATCH", "crm", "customers/1003", {"status": "blocked"})."""
        return self._call(method, f"/systems/{system}/{path}", body)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.session.request(method, self.url + path, json=body, timeout=self.timeout)
        data: dict[str, Any] = response.json()
        if response.status_code != 200:
            raise EmulatorAdminError(f"{method} {path}: {response.status_code} {data.get('error')}")
        return data
