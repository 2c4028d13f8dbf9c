"""W3C Trace Context: which traceparent headers the gateway passes on, and which it drops."""

from __future__ import annotations

import pytest

from soapbridge.telemetry.tracecontext import received

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
VALID = f"00-{TRACE}-00f067aa0ba902b7-01"


def test_a_valid_traceparent_and_its_tracestate_are_kept_as_they_came() -> None:
    context = received(f" {VALID} ", "congo=t61rcWkgMzE")
    assert context is not None
    assert (context.trace_id, context.traceparent) == (TRACE, VALID)
    assert context.headers() == {"traceparent": VALID, "tracestate": "congo=t61rcWkgMzE"}


def test_without_tracestate_only_traceparent_is_sent() -> None:
    context = received(VALID, None)
    assert context is not None and context.headers() == {"traceparent": VALID}


def test_a_later_version_may_carry_more_fields() -> None:
    context = received(f"01-{TRACE}-00f067aa0ba902b7-01-extra", None)
    assert context is not None and context.trace_id == TRACE


@pytest.mark.parametrize(
    "broken",
    [
        None,
        "",
        f"ff-{TRACE}-00f067aa0ba902b7-01",  # version ff is forbidden
        f"00-{'0' * 32}-00f067aa0ba902b7-01",  # all-zero trace id
        f"00-{TRACE}-{'0' * 16}-01",  # all-zero parent id
        f"00-{TRACE.upper()}-00f067aa0ba902b7-01",  # uppercase hex
        f"00-{TRACE}-00f067aa0ba902b7-01-extra",  # version 00 is exactly 55 characters
        f"01-{TRACE}-00f067aa0ba902b7-01extra",  # a later version's fields follow a dash
        f"00-{TRACE[:-1]}-00f067aa0ba902b7-01",  # short trace id
        "00-not-a-trace-context",
    ],
)
def test_a_broken_traceparent_is_dropped(broken: str | None) -> None:
    assert received(broken, "congo=t61rcWkgMzE") is None


def test_an_unusable_tracestate_is_dropped_and_the_traceparent_kept() -> None:
    for state in ("x" * 513, "bad\x01state"):
        context = received(VALID, state)
        assert context is not None and context.headers() == {"traceparent": VALID}
