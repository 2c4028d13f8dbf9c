"""The request line composed from the trace is, byte for byte, what the formatters write for the same record."""

from __future__ import annotations

import io
import logging
import random
import re

import pytest

from soapbridge.settings import Settings
from soapbridge.telemetry.context import RequestTrace, UpstreamCall, tracing
from soapbridge.telemetry.logs import (
    REQUEST_LOGGER,
    RequestLogHandler,
    configure,
    log_request,
    request_fields,
    utc_time,
)
from soapbridge.telemetry.requestline import Clock, summary
from soapbridge.telemetry.tracecontext import TraceContext
from tests.conftest import ROOT


def traces() -> list[RequestTrace]:
    plain = RequestTrace("id-1", "soap11", "/soap11", operation="GetCustomer")
    plain.upstream.append(UpstreamCall("crm", "Z_CRM_CUSTOMER_READ", "ok", 0.0123))
    faulted = RequestTrace("", "json", "/json/Get\u00e9\n\u2028\x1b", client='crm "app"\t', client_address="::1")
    faulted.fault("NotFound\r\n2026-01-01T00:00:00.000Z forged", client=True)
    faulted.trace_context = TraceContext("4bf92f3577b34da6a3ce929bbc6a5c12", "00f067aa0ba902b7", "01")
    retried = RequestTrace("r\u00fcck", "soap12", "/soap12", operation="Op", client_address="unknown")
    retried.upstream += [UpstreamCall("a", "B", "timeout", 1.23456), UpstreamCall("c\u2029", "D\x85", "ok", 0.0)]
    probe = RequestTrace("p", "http", "/healthz")
    for trace in (plain, faulted, retried, probe):
        trace.answered = trace.started + 0.04567
    return [plain, faulted, retried, probe]


def through_formatter(handler: RequestLogHandler, trace: RequestTrace, level: int, created: float) -> str:
    record = logging.getLogger(REQUEST_LOGGER).makeRecord(
        REQUEST_LOGGER, level, __file__, 0, summary(trace, 200), (), None, extra={"request": request_fields(trace, 200)}
    )
    record.created = created
    with tracing(trace):
        handler.correlation.filter(record)
    return handler.format(record)


@pytest.mark.parametrize("log_format", ["json", "text"])
@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
def test_a_composed_line_is_what_the_formatter_writes(log_format: str, level: int) -> None:
    handler = RequestLogHandler(io.StringIO(), log_format)
    created = 1_764_752_400.123456
    for trace in traces():
        composed = handler.compose(trace, 200, level, handler.clock.stamp(created))
        assert composed == through_formatter(handler, trace, level, created)


def test_the_cached_clock_writes_what_utc_time_writes() -> None:
    clock = Clock()
    chosen = random.Random(19)
    instants = [1_764_752_399.9999996, 1_764_752_399.9994999, 1_764_752_400.0, 1_764_752_400.0005, 0.0]
    instants += [1_764_752_400 + chosen.random() * 5 for _ in range(2000)]
    for instant in sorted(instants):
        assert clock.stamp(instant) == utc_time(instant), instant


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_request_line_goes_through_the_records_when_another_handler_listens(log_format: str) -> None:
    """A capture (pytest's caplog, an operator's own handler) still gets the record; the line is the same."""
    settings = Settings.from_env({"SOAPBRIDGE_HOME": str(ROOT), "SOAPBRIDGE_LOG_FORMAT": log_format})
    direct, recorded, other = io.StringIO(), io.StringIO(), io.StringIO()
    trace = traces()[0]
    extra = logging.StreamHandler(other)
    for stream, listeners in ((direct, []), (recorded, [extra])):
        handler = configure(settings, stream)
        for listener in listeners:
            logging.getLogger().addHandler(listener)
        try:
            with tracing(trace):
                log_request(trace, _Status())
        finally:
            for added in (handler, *listeners):
                logging.getLogger().removeHandler(added)
    untimed = [re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", "", s.getvalue()) for s in (direct, recorded)]
    assert untimed[0] == untimed[1] and untimed[0].count("\n") == 1
    assert other.getvalue() == summary(trace, 200) + "\n"


class _Status:
    status = 200
