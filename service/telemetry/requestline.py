"""The request line, composed straight from the request's trace: the same bytes logs.JsonFormatter and
logs.TextFormatter write for it, without a LogRecord, a formatter or json.dumps of a fresh dict per request.

Its parts that never change (level, logger, field names) are joined once, at start-up; the date and time are
formatted once a second, the milliseconds appended per line. tests/telemetry/test_requestline.py holds each
line to what the formatters write for the same record.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any, Protocol

from .context import RequestTrace

#: The logger of the one line per request.
REQUEST_LOGGER = "soapbridge.request"
#: C0 and C1 controls, DEL and the Unicode line separators, as the text log writes them: \n, \t, \u001b...
CONTROL_ESCAPES = {
    code: json.dumps(chr(code))[1:-1] if code < 0x20 else f"\\u{code:04x}"
    for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}
#: json.dumps's own string encoder (ensure_ascii), quotes included.
_quote: Any = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]


class LineComposer(Protocol):
    def __call__(self, trace: RequestTrace, status: int, level: int, stamp: str) -> str: ...


def summary(trace: RequestTrace, status: int) -> str:
    """The request line's message: what a person reads first, in either format."""
    return _summary(trace, status, Durations(trace))


class Durations:
    """The request's and each call's duration in ms, as both the message and the JSON fields write them (str and
    repr of a float are the same text): formatted once per line."""

    def __init__(self, trace: RequestTrace) -> None:
        self.request = repr(ms(trace.seconds))
        self.calls = [repr(ms(call.seconds)) for call in trace.upstream]


def _summary(trace: RequestTrace, status: int, durations: Durations) -> str:
    what = trace.operation or trace.path
    outcome = f"{trace.outcome} {trace.fault_code}" if trace.fault_code else trace.outcome
    line = f"{what} over {trace.protocol}: {outcome}, {status} in {durations.request} ms"
    if trace.client:
        line += f", client {trace.client}"
    if trace.client_address:
        line += f" from {trace.client_address}"
    if not trace.upstream:
        return line
    calls = [
        f"{c.system}.{c.operation} {c.outcome} {took} ms"
        for c, took in zip(trace.upstream, durations.calls, strict=True)
    ]
    return f"{line}; upstream {', '.join(calls)}"


class Clock:
    """utc_time for lines written now: the date and time formatted when the second changes, milliseconds appended.
    Two threads crossing a second at once both format it: the same text, so no lock is needed."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def stamp(self, created: float) -> str:
        second, micros = _seconds_and_micros(created)
        if second != self._second:
            self._prefix = dt.datetime.fromtimestamp(second, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.")
            self._second = second
        return f"{self._prefix}{micros // 1000:03d}Z"


def _seconds_and_micros(created: float) -> tuple[int, int]:
    # As datetime.fromtimestamp splits a timestamp: the fraction rounded half-even to microseconds, which may
    # carry into the next second (x.9999996 is x+1.000000).
    second = int(created)
    micros = round((created - second) * 1_000_000)
    if micros >= 1_000_000:
        return second + 1, micros - 1_000_000
    return second, micros


class JsonLine:
    """The request line as JsonFormatter writes it: json.dumps of time, level, logger, message, the ids, and
    logs.request_fields, in that order."""

    def __init__(self) -> None:
        self._heads = {
            level: f'", "level": "{logging.getLevelName(level)}", "logger": "{REQUEST_LOGGER}", "message": '
            for level in (logging.DEBUG, logging.INFO)
        }

    def __call__(self, trace: RequestTrace, status: int, level: int, stamp: str) -> str:
        durations = Durations(trace)
        return (
            f'{{"time": "{stamp}{self._heads[level]}{_quote(_summary(trace, status, durations))}{_json_ids(trace)}'
            f', "client": {_string(trace.client)}, "client_address": {_quote(trace.client_address)}'
            f', "operation": {_string(trace.operation)}, "protocol": {_quote(trace.protocol)}'
            f', "path": {_quote(trace.path)}, "outcome": {_quote(trace.outcome)}'
            f', "fault_code": {_string(trace.fault_code)}, "status": {status!r}'
            f', "duration_ms": {durations.request}, "upstream": [{_json_calls(trace, durations)}]}}'
        )


def _json_ids(trace: RequestTrace) -> str:
    ids = f', "correlation_id": {_quote(trace.correlation_id)}' if trace.correlation_id else ""
    context = trace.trace_context
    if context is not None and context.trace_id:
        ids += f', "trace_id": {_quote(context.trace_id)}'
    return ids


def _json_calls(trace: RequestTrace, durations: Durations) -> str:
    calls = [
        f'{{"system": {_quote(c.system)}, "operation": {_quote(c.operation)}, "outcome": {_quote(c.outcome)}'
        f', "duration_ms": {took}}}'
        for c, took in zip(trace.upstream, durations.calls, strict=True)
    ]
    return ", ".join(calls)


def _string(value: str | None) -> str:
    return "null" if value is None else str(_quote(value))


class TextLine:
    """The request line as TextFormatter writes it: time, level, logger, [correlation id], message, with every
    control character escaped."""

    def __init__(self) -> None:
        self._heads = {
            level: f" {logging.getLevelName(level):<7} {REQUEST_LOGGER} [" for level in (logging.DEBUG, logging.INFO)
        }

    def __call__(self, trace: RequestTrace, status: int, level: int, stamp: str) -> str:
        line = f"{stamp}{self._heads[level]}{trace.correlation_id}] {_summary(trace, status, Durations(trace))}"
        return line.translate(CONTROL_ESCAPES)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
