"""Median wall time of a call, in microseconds, after a warm-up: each call is timed on its own."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_us(call: Callable[[], Any], *, runs: int, warmup: int = 3, budget: float = 2.0) -> float:
    """The median of up to `runs` timed calls (fewer when they take more than `budget` seconds in all)."""
    for _ in range(warmup):
        call()
    samples: list[int] = []
    deadline = time.perf_counter() + budget
    while len(samples) < runs and (len(samples) < 5 or time.perf_counter() < deadline):
        started = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - started)
    return statistics.median(samples) / 1000


def row(
    name: str, value: float, unit: str, target: str | None = None, met: bool | None = None, **extra: Any
) -> dict[str, Any]:
    """One measurement, in the shape the harness's table reads (see bench.micro.run_all)."""
    return {"name": name, "value": round(value, 3), "unit": unit, "target": target, "met": met, **extra}
