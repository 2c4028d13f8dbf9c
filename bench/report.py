"""The run's result, as the terminal sees it, as JSON, and as a chart: pure functions of the result dict.

The result dict (what run.py builds and the JSON holds):
    started, machine, versions, settings, notes: [str]
    rows: [{scenario, operation, size, size_kb, concurrency, gateway: Figures, reference: Figures,
            naive: Figures (xslt GetCustomer 1KB and SearchCustomers 10KB only)}]
    latency: {concurrency, size, upstream, gateway, reference: Figures, added_ms, reference_added_ms} or None
    workers: {scenario, connections, rounds: [{worker: % of requests}], held: [{worker: connections}], lowest,
              highest} or None (bench.shares)
    slow_clients: {scenario, seconds, slow_heads, slow_bodies, without, with: {requests, errors, rps, p50_ms, p99_ms},
                   flood_open_at_end, flood_closed_by_gateway, flood_refused} or None (bench.slowclients)
    micro: [{name, value, unit, target, met, ...}] (bench.micro.run_all's rows)
    targets: [{name, target, value, met}] (added by targets() before writing)
Figures: {rps, p50_ms, p99_ms, errors, requests, cpu_seconds, cpu_us_per_request, cpu_percent, rss_mb}
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from . import judge

Result = dict[str, Any]
Row = dict[str, Any]

#: The issue's targets for the load runs (the cells' are in bench.judge; the micro-benchmarks' rows carry their own).
WORKER_RSS_MB = 100.0
ADDED_LATENCY_MS = 0.5
#: Each of two workers' share of the requests under 100 keep-alive connections, in %.
WORKER_SHARE = (35.0, 65.0)
#: A normal client's p99 while 200 slow heads and 200 slow bodies are open, in ms.
SLOW_CLIENTS_P99_MS = 1000.0
SIDES = ("gateway", "reference")


def size_kb(size: object) -> float:
    """A scenario's size as KB: a number of bytes, or a label like '10KB' or '100 KB'."""
    if isinstance(size, int | float):
        return round(size / 1024, 1)
    match = re.fullmatch(r"\s*([\d.]+)\s*(k|kb|kib)?\s*", str(size), re.IGNORECASE)
    if not match:
        raise ValueError(f"not a size: {size!r}")
    number = float(match.group(1))
    return number if match.group(2) else round(number / 1024, 1)


def share(row: Row) -> float | None:
    """The gateway's throughput as a percentage of the reference's, in one row."""
    return judge.throughput_share(row)


# -- targets -------------------------------------------------------------------------------------------------------


def targets(result: Result) -> list[Row]:
    """Every target with its measured value and whether it was met (None: not measured in this run)."""
    return [
        *_cell_targets(result["rows"]),
        *_naive_targets(result["rows"]),
        _rss_target(result["rows"]),
        _latency_target(result.get("latency")),
        _worker_share_target(result.get("workers")),
        _slow_clients_target(result.get("slow_clients")),
    ] + [_micro_target(row) for row in result.get("micro", []) if row.get("target")]


def cell_name(row: Row) -> str:
    """ "xslt SearchCustomers 10 KB c64": a cell's name in the targets and the baseline comparison."""
    return f"{row['scenario']} {row['operation']} {_kb(row['size_kb'])} c{row['concurrency']}"


def _cell_targets(rows: Sequence[Row]) -> list[Row]:
    """Every cell against the reference: CPU per request and throughput, and no errors on either side."""
    wanted = f"CPU <= {judge.CPU_RATIO:.2f}x, >= {judge.THROUGHPUT_SHARE:.0f} %, no errors"
    found = []
    for row in rows:
        verdict = judge.against_reference(row)
        found.append({"name": f"{cell_name(row)}: vs reference", "target": wanted, "value": verdict.value,
                      "met": verdict.met})  # fmt: skip
    return found or [{"name": "every cell: vs reference", "target": wanted, "value": None, "met": None}]


def _naive_targets(rows: Sequence[Row]) -> list[Row]:
    """The cells with the naive peer: the gateway's throughput as a multiple of its, and no errors on either side."""
    found = []
    for row in rows:
        verdict = judge.against_naive(row)
        if verdict is not None:
            wanted = f">= {judge.NAIVE_SPEEDUP[float(row['size_kb'])]:g}x req/s, no errors"
            found.append({"name": f"{cell_name(row)}: vs naive peer", "target": wanted, "value": verdict.value,
                          "met": verdict.met})  # fmt: skip
    return found


def _rss_target(rows: Sequence[Row]) -> Row:
    sizes = [row["gateway"]["rss_mb"] for row in rows]
    largest = max(sizes, default=None)
    return {
        "name": "gateway worker RSS after the runs",
        "target": f"< {WORKER_RSS_MB:.0f} MB",
        "value": None if largest is None else f"{largest:.0f} MB",
        "met": None if largest is None else largest < WORKER_RSS_MB,
    }


def _latency_target(latency: Row | None) -> Row:
    added = latency["added_ms"] if latency else None
    return {
        "name": "p50 added latency at concurrency 1, 1 KB",
        "target": f"<= {ADDED_LATENCY_MS} ms",
        "value": None if added is None else f"{added:.2f} ms",
        "met": None if added is None else added <= ADDED_LATENCY_MS,
    }


def _worker_share_target(workers: Row | None) -> Row:
    low, high = (workers["lowest"], workers["highest"]) if workers else (None, None)
    measured = low is not None and high is not None
    return {
        "name": "each worker's share of requests, 100 keep-alive connections",
        "target": f"{WORKER_SHARE[0]:.0f}-{WORKER_SHARE[1]:.0f} %",
        "value": f"{low:.0f}-{high:.0f} %" if measured else None,
        "met": WORKER_SHARE[0] <= low and high <= WORKER_SHARE[1] if measured else None,
    }


def _slow_clients_target(found: Row | None) -> Row:
    """Met when every normal request was answered, and their p99 stayed under the target."""
    flooded = found["with"] if found else {"p99_ms": None}
    p99 = flooded["p99_ms"]
    return {
        "name": "normal p99 during 200 slow heads + 200 slow bodies",
        "target": f"< {SLOW_CLIENTS_P99_MS:.0f} ms",
        "value": None if p99 is None else f"{p99:.0f} ms",
        "met": None if p99 is None else p99 < SLOW_CLIENTS_P99_MS and flooded["errors"] == 0,
    }


def _micro_target(row: Row) -> Row:
    return {
        "name": row["name"],
        "target": row["target"],
        "value": f"{_number(row['value'])} {row['unit']}",
        "met": row.get("met"),
    }


# -- terminal ------------------------------------------------------------------------------------------------------

_LOAD_HEADER = ("scenario", "operation", "size", "conc")
_SIDE_HEADER = ("req/s", "us/req", "p50 ms", "p99 ms", "err")
_NAIVE_HEADER = ("naive req/s", "naive us/req", "naive err", "gw x naive")
_VERDICT_HEADER = ("gw % ref", "gw CPU x ref", "gw RSS MB", "cell")


def load_table(rows: Sequence[Row]) -> str:
    """scenario x size x concurrency -> each side's req/s and CPU per request (us), latency and errors; the
    gateway's share of the reference's throughput, its CPU per request over the reference's, and the verdict."""
    header = [*_LOAD_HEADER, *(f"gw {h}" for h in _SIDE_HEADER), *(f"ref {h}" for h in _SIDE_HEADER)]
    naive = any("naive" in row for row in rows)
    header += [*(_NAIVE_HEADER if naive else ()), *_VERDICT_HEADER]
    return table(header, [_load_line(row, naive) for row in rows])


def _load_line(row: Row, naive: bool) -> list[str]:
    line = [row["scenario"], row["operation"], _kb(row["size_kb"]), str(row["concurrency"])]
    line += [*_figures(row["gateway"]), *_figures(row["reference"])]
    if naive:
        line += _naive_figures(row)
    ratio = judge.cpu_ratio(row)
    verdict = judge.against_reference(row).met
    line += [_percent(share(row)), "-" if ratio is None else f"{ratio:.2f}", f"{row['gateway']['rss_mb']:.0f}"]
    return [*line, {True: "met", False: "NOT MET", None: "-"}[verdict]]


def _figures(figures: Row) -> list[str]:
    return [
        f"{figures['rps']:.0f}",
        _per_request(figures),
        f"{figures['p50_ms']:.2f}",
        f"{figures['p99_ms']:.2f}",
        str(figures["errors"]),
    ]


def _naive_figures(row: Row) -> list[str]:
    if "naive" not in row:
        return ["-"] * len(_NAIVE_HEADER)
    times = judge.throughput_share(row, "naive")
    figures = row["naive"]
    speedup = "-" if times is None else f"{times / 100:.1f}"
    return [f"{figures['rps']:.0f}", _per_request(figures), str(figures["errors"]), speedup]


def _per_request(figures: Row) -> str:
    value = figures.get("cpu_us_per_request")
    return "-" if value is None else f"{value:.0f}"


def latency_table(latency: Row | None) -> str:
    """Concurrency 1: the canned upstream alone, and through the gateway and the reference."""
    if not latency:
        return "(concurrency 1 not measured)"
    body = [
        [side, f"{latency[side]['p50_ms']:.3f}", f"{latency[side]['p99_ms']:.3f}", f"{latency[side]['rps']:.0f}", added]
        for side, added in (
            ("upstream", "-"),
            ("gateway", f"{latency['added_ms']:.3f}"),
            ("reference", f"{latency['reference_added_ms']:.3f}"),
        )
    ]
    return table([f"c1 {_kb(size_kb(latency['size']))}", "p50 ms", "p99 ms", "req/s", "p50 added ms"], body)


def worker_shares(workers: Row | None) -> str:
    """Each round's split of the requests between the gateway's workers."""
    if not workers:
        return "(worker shares not measured)"
    rounds = ", ".join(" / ".join(f"{share:.0f} %" for share in shares.values()) for shares in workers["rounds"])
    held = ", ".join(" / ".join(f"{count:.0f}" for count in counts.values()) for counts in workers.get("held", []))
    line = f"worker shares at {workers['connections']} keep-alive connections ({workers['scenario']}): {rounds}"
    return line + (f"; connections held halfway: {held}" if held else "")


def slow_clients(found: Row | None) -> str:
    """A normal client's p99 without and with the slow-client flood, and what the gateway did to the flood."""
    if not found:
        return "(slow clients not measured)"
    quiet, flooded = found["without"], found["with"]
    return (
        f"slow clients ({found['slow_heads']} slow heads + {found['slow_bodies']} slow bodies, {found['scenario']}):"
        f" normal p99 {_optional_ms(quiet['p99_ms'])} without, {_optional_ms(flooded['p99_ms'])} with the flood"
        f" ({flooded['requests']} requests, {flooded['errors']} errors); the gateway closed"
        f" {found['flood_closed_by_gateway']} slow connections"
    )


def _optional_ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


def targets_table(found: Sequence[Row]) -> str:
    body = [[row["name"], row["target"], row["value"] or "-", _verdict(row["met"])] for row in found]
    return table(["target", "wanted", "measured", ""], body)


def micro_table(rows: Sequence[Row]) -> str:
    if not rows:
        return "(no micro-benchmarks)"
    body = [
        [
            row["name"],
            _number(row["value"]),
            row["unit"],
            row.get("target") or "",
            _verdict(row.get("met")) if row.get("target") else "",
        ]
        for row in rows
    ]
    return table(["micro-benchmark", "value", "unit", "target", ""], body)


def text(result: Result) -> str:
    """Everything the terminal shows after a run."""
    parts = [
        heading(result),
        load_table(result["rows"]),
        latency_table(result.get("latency")),
        worker_shares(result.get("workers")),
        slow_clients(result.get("slow_clients")),
        micro_table(result.get("micro", [])),
        targets_table(result["targets"]),
        "\n".join(f"note: {note}" for note in result.get("notes", [])),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def heading(result: Result) -> str:
    machine, versions, settings = result["machine"], result["versions"], result["settings"]
    lines = [
        f"machine: {machine['cores']} cores, {machine['cpu']}, {machine['memory_gb']} GB, {machine['system']}",
        "versions: " + ", ".join(f"{name} {version}" for name, version in versions.items()),
        f"windows: {settings['warmup']} s warm-up + {settings['duration']} s measured; wrk {settings['wrk_threads']}"
        f" threads; servers: gunicorn gthread, {settings['workers']} workers x {settings['threads']} threads",
    ]
    return "\n".join(lines)


def table(header: Sequence[str], body: Iterable[Sequence[str]]) -> str:
    """A plain text table: the first two columns left-aligned, the rest right-aligned."""
    rows = [list(header), *map(list, body)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    rule = ["-" * width for width in widths]
    return "\n".join(_line(row, widths) for row in [rows[0], rule, *rows[1:]])


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(
        cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
    ).rstrip()


def _kb(kb: float) -> str:
    return f"{kb:g} KB"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} %"


def _number(value: object) -> str:
    """Three significant digits, never in exponent form."""
    if not isinstance(value, float):
        return str(value)
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "not measured"}[met]


# -- files ---------------------------------------------------------------------------------------------------------


def write_json(result: Result, out: Path) -> list[Path]:
    """OUT/bench-<timestamp>.json and OUT/latest.json, both the whole result."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = result["started"].replace(":", "").replace("-", "")
    data = json.dumps(result, indent=2) + "\n"
    paths = [out / f"bench-{stamp}.json", out / "latest.json"]
    for path in paths:
        path.write_text(data)
    return paths


def chart_series(rows: Sequence[Row]) -> dict[tuple[str, int], list[tuple[float, float]]]:
    """req/s against size (KB) for xslt SearchCustomers: one series per (side, concurrency)."""
    series: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for row in rows:
        if row["scenario"] == "xslt" and row["operation"] == "SearchCustomers":
            for side in SIDES:
                series.setdefault((side, row["concurrency"]), []).append((row["size_kb"], row[side]["rps"]))
    return {key: sorted(points) for key, points in sorted(series.items(), key=lambda item: item[0][::-1])}


def write_chart(result: Result, path: Path) -> Path:
    """A small PNG: req/s against message size (log-log) for the gateway (solid) and the reference (dashed)."""
    from matplotlib.figure import Figure  # no pyplot: no backend state, no display needed
    from matplotlib.ticker import ScalarFormatter

    figure = Figure(figsize=(6, 4), dpi=100)
    axes = figure.add_subplot()
    colours = {}
    for (side, concurrency), points in chart_series(result["rows"]).items():
        sizes, rates = zip(*points, strict=True)
        colour = colours.setdefault(concurrency, f"C{len(colours)}")
        style = "-" if side == "gateway" else "--"
        axes.plot(sizes, rates, style, color=colour, marker="o", label=f"{side}, concurrency {concurrency}")
    axes.set_xscale("log")
    axes.set_yscale("log")
    for axis in (axes.xaxis, axes.yaxis):
        axis.set_major_formatter(ScalarFormatter())
    axes.set_xlabel("canonical response size (KB)")
    axes.set_ylabel("req/s")
    axes.set_title("xslt SearchCustomers: gateway and reference proxy")
    axes.grid(True, which="both", alpha=0.3)
    if axes.lines:
        axes.legend(fontsize="small")
    else:
        axes.text(0.5, 0.5, "no xslt SearchCustomers cells in this run", ha="center", transform=axes.transAxes)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path
