"""How a measured cell is judged: each side's CPU per request, and the issue's targets on CPU and throughput.

CPU per request is what a side's processes (the gunicorn master and its workers, user + system, read by psutil
over the process tree) spent over a cell's measured rounds, divided by the requests wrk completed in them. It
moves much less with other work on the machine than req/s does, so it is the figure to compare runs by.

A cell with any error on any side (a non-2xx answer, a socket error, a timeout, as wrk counts them) is not met,
whatever its figures: a side that answers fast and wrongly must never look good.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]

#: The gateway's CPU per request may be at most this multiple of the reference's, in every cell.
CPU_RATIO = 1.15
#: The gateway's throughput must be at least this share (%) of the reference's, in every cell.
THROUGHPUT_SHARE = 85.0
#: The gateway's throughput over the naive Spyne + zeep peer's, by the cell's size in KB.
NAIVE_SPEEDUP = {1.0: 3.0, 10.0: 6.0}


@dataclass(frozen=True)
class Verdict:
    """A cell's judgement: met (None when it could not be judged) and what decided it."""

    met: bool | None
    value: str


def cpu_per_request_us(cpu_seconds: float, requests: int) -> float | None:
    """Microseconds of CPU per completed request; None when nothing completed."""
    return round(1e6 * cpu_seconds / requests, 1) if requests > 0 else None


def errors(row: Row, sides: Sequence[str]) -> int:
    return sum(row[side]["errors"] for side in sides if side in row)


def throughput_share(row: Row, other: str = "reference") -> float | None:
    """The gateway's req/s as a percentage of another side's, in one row."""
    theirs = row[other]["rps"] if other in row else 0
    return 100 * row["gateway"]["rps"] / theirs if theirs else None


def cpu_ratio(row: Row) -> float | None:
    """The gateway's CPU per request over the reference's."""
    ours, theirs = row["gateway"].get("cpu_us_per_request"), row["reference"].get("cpu_us_per_request")
    return ours / theirs if ours is not None and theirs else None


def against_reference(row: Row) -> Verdict:
    """The issue's two targets on one cell, and no errors on either side."""
    share, ratio = throughput_share(row), cpu_ratio(row)
    failed = errors(row, ("gateway", "reference"))
    if share is None or ratio is None:
        return Verdict(None if not failed else False, f"{failed} errors" if failed else "-")
    value = f"CPU {ratio:.2f}x, {share:.0f} %" + (f", {failed} errors" if failed else "")
    return Verdict(not failed and ratio <= CPU_RATIO and share >= THROUGHPUT_SHARE, value)


def against_naive(row: Row) -> Verdict | None:
    """The gateway's throughput as a multiple of the naive peer's; None for a cell without the peer or a target."""
    wanted = NAIVE_SPEEDUP.get(float(row["size_kb"]))
    if "naive" not in row or wanted is None:
        return None
    share = throughput_share(row, "naive")
    failed = errors(row, ("gateway", "naive"))
    if share is None:
        return Verdict(False if failed else None, f"{failed} errors" if failed else "-")
    value = f"{share / 100:.1f}x" + (f", {failed} errors" if failed else "")
    return Verdict(not failed and share / 100 >= wanted, value)
