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
import time
from typing import Any, Protocol, TextIO

from ..settings import Settings
from .context import RequestTrace, current
from .requestline import CONTROL_ESCAPES, REQUEST_LOGGER, Clock, JsonLine, LineComposer, TextLine, ms, summary

__all__ = ["CONTROL_ESCAPES", "REQUEST_LOGGER", "configure", "log_request", "request_fields", "summary"]

#: Paths polled by machines: their request lines are DEBUG, not INFO.
PROBES = ("/healthz", "/readyz", "/metrics")
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(correlation_id)s] %(message)s"

log = logging.getLogger(REQUEST_LOGGER)


class Answer(Protocol):
    """What the request line needs of a response."""

    status: int


def log_request(trace: RequestTrace, response: Answer) -> None:
    """The gateway observer that writes a request's line; called inside the request's trace."""
    level = logging.DEBUG if trace.path in PROBES else logging.INFO
    if not log.isEnabledFor(level):
        return
    handler = _sole_handler(level)
    if handler is not None and current() is trace:
        handler.write_request(trace, response.status, level)
    else:
        log.log(level, summary(trace, response.status), extra={"request": request_fields(trace, response.status)})


def _sole_handler(level: int) -> RequestLogHandler | None:
    """The handler `configure` installed, when a request line would reach it and nothing else: then it can be
    written straight from the trace. Any other handler (a test's capture, an operator's own) gets the record."""
    root = logging.root
    if len(root.handlers) != 1 or log.filters:
        return None
    handler = root.handlers[0]
    if not isinstance(handler, RequestLogHandler) or not handler.plain(level):
        return None
    node: logging.Logger | None = log
    while node is not None and node is not root:
        if node.handlers or not node.propagate:
            return None
        node = node.parent
    return handler


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
        "duration_ms": ms(trace.seconds),
        "upstream": [
            {
                "system": call.system,
                "operation": call.operation,
                "outcome": call.outcome,
                "duration_ms": ms(call.seconds),
            }
            for call in trace.upstream
        ],
    }


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
    handler = RequestLogHandler(stream, chosen_format(settings, stream))
    handler.set_name("soapbridge")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "soapbridge"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("soapbridge").setLevel(settings.log_level.upper())
    return handler


class RequestLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The gateway's handler: every record formatted as configured, and the request line written straight from
    the trace (see requestline.py), under the same lock, so lines never interleave."""

    def __init__(self, stream: TextIO, log_format: str) -> None:
        super().__init__(stream)
        self.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
        self.correlation = CorrelationFilter()
        self.addFilter(self.correlation)
        self.compose: LineComposer = JsonLine() if log_format == "json" else TextLine()
        self.clock = Clock()

    def plain(self, level: int) -> bool:
        """Records of this level pass, and only the correlation filter, which the trace stands in for, runs."""
        return level >= self.level and len(self.filters) == 1 and self.filters[0] is self.correlation

    def write_request(self, trace: RequestTrace, status: int, level: int) -> None:
        line = self.compose(trace, status, level, self.clock.stamp(time.time()))
        with self.lock:  # type: ignore[union-attr]
            try:
                self.stream.write(line + self.terminator)
                self.flush()
            except RecursionError:
                raise
            except Exception:
                self.handleError(logging.makeLogRecord({"name": REQUEST_LOGGER, "msg": line}))


def chosen_format(settings: Settings, stream: TextIO) -> str:
    """json or text: auto is text when a person is watching (a terminal), json otherwise."""
    if settings.log_format != "auto":
        return settings.log_format
    return "text" if stream.isatty() else "json"


def utc_time(created: float) -> str:
    """ISO 8601 in UTC with milliseconds: 2026-11-21T09:55:00.123Z."""
    instant = dt.datetime.fromtimestamp(created, dt.UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"
