"""W3C Trace Context: a request that arrives inside a distributed trace stays in it on its way upstream.

The gateway records no spans of its own, so it takes part as a pass-through hop, as the
recommendation allows proxies to: a valid `traceparent` (and its `tracestate`) goes to every
legacy call unchanged, so the legacy system's spans hang under the client's, and its trace id is
on every log line of the request, so a tracing backend and the log meet on one id. A header that
breaks the format is dropped, never repaired; without one, no trace is invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
#: version-traceid-parentid-flags, lowercase hex; a later version may append fields after a dash.
_TRACEPARENT = re.compile(r"(?P<version>[0-9a-f]{2})-(?P<trace>[0-9a-f]{32})-(?P<parent>[0-9a-f]{16})-[0-9a-f]{2}")
#: At most 32 list members of printable ASCII; 512 characters is what the recommendation says to keep.
_TRACESTATE = re.compile(r"[\x20-\x7e]{1,512}")


@dataclass(frozen=True)
class TraceContext:
    """The client's trace context, passed on as it came."""

    traceparent: str
    tracestate: str | None
    #: The trace's id (32 hex digits), which the log lines carry.
    trace_id: str

    def headers(self) -> dict[str, str]:
        """The headers that carry it to a legacy system."""
        sent = {TRACEPARENT: self.traceparent}
        if self.tracestate is not None:
            sent[TRACESTATE] = self.tracestate
        return sent


def received(traceparent: str | None, tracestate: str | None) -> TraceContext | None:
    """The trace context of an incoming request, or None when it has none or a traceparent that breaks the format."""
    value = (traceparent or "").strip()
    match = _TRACEPARENT.match(value)
    if match is None or match["version"] == "ff" or set(match["trace"]) == {"0"} or set(match["parent"]) == {"0"}:
        return None
    rest = value[match.end() :]
    if (match["version"] == "00" and rest) or (rest and not rest.startswith("-")):
        return None  # version 00 is exactly 55 characters; a later one may only add fields
    state = (tracestate or "").strip()
    return TraceContext(value, state if _TRACESTATE.fullmatch(state) else None, match["trace"])
