"""The gateway's log: one line per request, and the correlation id on every line written while handling one.

`soapbridge serve` writes it to stderr, in one of two formats (SOAPBRIDGE_LOG_FORMAT):

    json  one object per line, for a log shipper: time, level, logger, message, correlation_id (inside a
          request), trace_id (when the client sent a W3C traceparent), and on the request line (logger
          soapbridge.request) the request's own fields;
    text  one readable line per record, for a person at a terminal.

The request line is written when the answer is ready, from the request's trace: its client (the
clients.toml name, never a credential) and the client's address (the peer's, or a trusted proxy's
word: see gateway/forwarded.py), operation, protocol, outcome, fault code, HTTP status, duration,
and each legacy call it made. Probes of /healthz, /readyz and /metrics are logged at DEBUG:
a load balancer and a scraper ask every few seconds, and would drown the requests that matter.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any, Protocol, TextIO

from ..settings import Settings
from .context import RequestTrace, current

#: The logger of the one line per request.
REQUEST_LOGGER = "soapbridge.request"
#: Paths polled by machines: their request lines are DEBUG, not INFO.
PROBES = ("/healthz", "/readyz", "/metrics")
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(correlation_id)s] %(message)s"
#: C0 and C1 controls, DEL and the Unicode line separators, as the text log writes them: \n, \t, \u001b...
CONTROL_ESCAPES = {
    code: json.dumps(chr(code))[1:-1] if code < 0x20 else f"\\u{code:04x}"
    for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}

log = logging.getLogger(REQUEST_LOGGER)


class Answer(Protocol):
    """What the request line needs of a response."""

    status: int


def log_request(trace: RequestTrace, response: Answer) -> None:
    """The gateway observer that writes a request's line; called inside the request's trace."""
    level = logging.DEBUG if trace.path in PROBES else logging.INFO
    if log.isEnabledFor(level):
        log.log(level, summary(trace, response.status), extra={"request": request_fields(trace, response.status)})


def request_fields(trace: RequestTrace, status: int) -> dict[str, Any]:
    return {
        "client": trace.client,
        "client_address": trace.client_address,
        "operation": trace.operation,
        "protocol": trace.protocol,
        "path": trace.path,
        "outcome": trace.outcome,
        "fault_code": trace.fault_code,
        "status": status,
        "duration_ms": _ms(trace.seconds),
        "upstream": [
            {
                "system": call.system,
                "operation": call.operation,
                "outcome": call.outcome,
                "duration_ms": _ms(call.seconds),
            }
            for call in trace.upstream
        ],
    }


def summary(trace: RequestTrace, status: int) -> str:
    """The request line's message: what a person reads first, in either format."""
    what = trace.operation or trace.path
    outcome = f"{trace.outcome} {trace.fault_code}" if trace.fault_code else trace.outcome
    line = f"{what} over {trace.protocol}: {outcome}, {status} in {_ms(trace.seconds)} ms"
    if trace.client:
        line += f", client {trace.client}"
    if trace.client_address:
        line += f" from {trace.client_address}"
    calls = [f"{c.system}.{c.operation} {c.outcome} {_ms(c.seconds)} ms" for c in trace.upstream]
    return line + (f"; upstream {', '.join(calls)}" if calls else "")


class CorrelationFilter(logging.Filter):
    """Stamps every record with the correlation id (and W3C trace id) of the request being handled on its
    thread, or None."""

    def filter(self, record: logging.LogRecord) -> bool:
        trace = current()
        record.correlation_id = trace.correlation_id if trace is not None else None
        context = trace.trace_context if trace is not None else None
        record.trace_id = context.trace_id if context is not None else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (json escapes newlines and control characters)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": utc_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        correlation_id = getattr(record, "correlation_id", None)
        if correlation_id:
            entry["correlation_id"] = correlation_id
        trace_id = getattr(record, "trace_id", None)
        if trace_id:
            entry["trace_id"] = trace_id
        entry.update(getattr(record, "request", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


class TextFormatter(logging.Formatter):
    """One readable line per record (a traceback follows on its own lines)."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return utc_time(record.created)

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "correlation_id", None) is None:
            record.correlation_id = "-"
        return super().format(record)

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The record's line with every control character escaped, as JSON would: a newline in a client's value,
        a namespace URI or a legacy faultstring must not start a forged record. A traceback, added after this,
        keeps its lines."""
        return super().formatMessage(record).translate(CONTROL_ESCAPES)


def configure(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Send every record to stream (stderr) in the chosen format: soapbridge's own from the chosen level,
    other libraries' from WARNING. Called once by `soapbridge serve` before the workers fork; they inherit it."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if chosen_format(settings, stream) == "json" else TextFormatter())
    handler.addFilter(CorrelationFilter())
    handler.set_name("soapbridge")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "soapbridge"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("soapbridge").setLevel(settings.log_level.upper())
    return handler


def chosen_format(settings: Settings, stream: TextIO) -> str:
    """json or text: auto is text when a person is watching (a terminal), json otherwise."""
    if settings.log_format != "auto":
        return settings.log_format
    return "text" if stream.isatty() else "json"


def utc_time(created: float) -> str:
    """ISO 8601 in UTC with milliseconds: 2026-11-21T09:55:00.123Z."""
    instant = dt.datetime.fromtimestamp(created, dt.UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
