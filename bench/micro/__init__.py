"""Micro-benchmarks: one stage or one function at a time, in one process.

`run_all()` returns one row per measurement, in the shape the harness's table reads:
{"name", "value", "unit", "target": str | None, "met": bool | None}. `python -m bench.micro` prints them.
"""

from __future__ import annotations

from typing import Any


def run_all(*, quick: bool = False) -> list[dict[str, Any]]:
    """Every micro-benchmark: canonical XML <-> JSON against xmlschema, start-up to ready, per-stage costs, the
    per-request costs around the pipeline (log line, framing, outbound message).

    quick runs each measurement fewer times (for tests and smoke runs); the numbers are then rougher."""
    from . import hotpath, jsonform, stages, startup

    rows: list[dict[str, Any]] = []
    for module in (jsonform, startup, stages, hotpath):
        rows.extend(module.measure(quick=quick))
    return rows
