"""One benchmark run: start the canned upstream, the gateway, the reference proxy and the naive peer, check that
they answer every scenario alike, drive each with wrk back to back, measure their processes, and stop everything.

The gateway is `soapbridge serve` with its production defaults; the reference (bench/reference.py) and the naive
Spyne + zeep peer (bench/naive.py) run under the same gunicorn worker type, workers and threads. All call the same
canned upstream. The naive peer serves only the xslt scenarios of NAIVE_SCENARIOS.
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from . import judge, machine, processes, report, shares, slowclients, wrk
from .processes import Child
from .project import CHECKOUT, gateway_env, prepare_project, reference_env, without_ours
from .scenarios import CONCURRENCY, Scenario, scenarios, upstream_baseline

#: The gateway's production defaults (soapbridge serve), which the reference copies.
WORKERS = 2
THREADS = 8
#: The gateway's and the reference's GetCustomer at 1 KB, for the added latency at concurrency 1.
LATENCY_SCENARIO = "xslt GetCustomer 1KB"
SIDES = ("gateway", "reference")
NAIVE = "naive"
#: The cells where the naive peer runs as a third side, with the issue's targets against it (bench.judge).
NAIVE_SCENARIOS = ("xslt GetCustomer 1KB", "xslt SearchCustomers 10KB")
#: "direct" is a pass-through operation, so its label is not a canonical response's size like the others'.
DIRECT_NOTE = (
    "direct is the weather feed's GetCurrentObservation passed through unchanged (/passthrough/weather), labelled"
    " by its request's true size"
)
#: The Header holding only the gateway's cn:CorrelationID block (see _without_correlation).
CORRELATION_HEADER = re.compile(rb"<(\w+:)?Header><cn:CorrelationID [^>]*>[^<]*</cn:CorrelationID></\1Header>")
#: Measured windows per side and cell, alternating between the sides; the duration is split between them, and
#: each side's figures are the median window's, so one window spoiled by a passing disturbance does not count.
ROUNDS = 3
#: A 1-minute load average above this before the run earns a note: other work skews the figures.
BUSY = 0.5


class BenchError(RuntimeError):
    """Raised when the run cannot go on: a server that does not start, or a scenario answered wrongly."""


@dataclass(frozen=True)
class Options:
    warmup: float = 3.0
    duration: float = 9.0
    out: Path = CHECKOUT / "bench" / "results"
    #: Scenario names (direct, xslt, routing, json) to run; empty runs all.
    only: tuple[str, ...] = ()
    #: Fewer cells: the smallest size of each scenario, and the lowest concurrency only.
    quick: bool = False
    micro: bool = True

    @property
    def concurrency(self) -> tuple[int, ...]:
        return CONCURRENCY[:1] if self.quick else CONCURRENCY


@dataclass
class Servers:
    upstream: Child
    gateway: Child
    reference: Child
    naive: Child | None = None

    def side(self, name: str) -> Child:
        child: Child = getattr(self, name)
        return child


def sides(scenario: Scenario) -> tuple[str, ...]:
    """The sides a scenario is measured on: the naive peer joins in NAIVE_SCENARIOS."""
    return (*SIDES, NAIVE) if scenario.key in NAIVE_SCENARIOS else SIDES


def selected(options: Options) -> list[Scenario]:
    chosen = [s for s in scenarios() if not options.only or s.name in options.only]
    if options.quick:
        smallest = {s.name: min(t.nominal_bytes for t in chosen if t.name == s.name) for s in chosen}
        chosen = [s for s in chosen if s.nominal_bytes == smallest[s.name]]
    if not chosen:
        known = sorted({s.name for s in scenarios()})
        raise BenchError(f"no scenario named {', '.join(options.only)}; known: {', '.join(known)}")
    return chosen


def run(options: Options, say: Callable[[str], None] = print) -> dict[str, Any]:
    """The whole benchmark; returns the result dict that bench.report reads (without targets)."""
    chosen = selected(options)
    result: dict[str, Any] = {
        "started": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine.machine(),
        "versions": machine.versions(),
        "settings": _settings(options, chosen),
        "rows": [],
        "latency": None,
        "workers": None,
        "slow_clients": None,
        "micro": [],
        "notes": [DIRECT_NOTE] if any(s.name == "direct" for s in chosen) else [],
    }
    busy = os.getloadavg()[0]
    if busy > BUSY:
        result["notes"].append(
            f"the machine was busy before the run (1-minute load average {busy:.1f}): noisier figures"
        )
    say(
        f"{len(chosen)} scenarios x concurrency {', '.join(map(str, options.concurrency))}, gateway and reference"
        f" (and the naive peer in {len([s for s in chosen if NAIVE in sides(s)])});"
        f" about {_estimate(options, chosen):.0f} s of load"
    )
    naive = any(NAIVE in sides(s) for s in chosen)
    with tempfile.TemporaryDirectory(prefix="bench-") as folder, started(Path(folder), say, naive) as servers:
        for scenario in chosen:
            check(servers, scenario)
        say("every scenario answers 200 with the same canonical body on every side")
        for scenario in chosen:
            for concurrency in options.concurrency:
                result["rows"].append(cell(servers, scenario, concurrency, options, say))
        result["latency"] = latency(servers, options, say)
        result["workers"] = worker_shares(servers, options, say)
        result["slow_clients"] = slow_clients(servers, options, say)
    result["micro"] = micro(options, result["notes"], say)
    return result


def _settings(options: Options, chosen: Sequence[Scenario]) -> dict[str, Any]:
    return {
        "warmup": options.warmup,
        "duration": options.duration,
        "concurrency": list(options.concurrency),
        "wrk_threads": wrk.THREADS,
        "workers": WORKERS,
        "threads": THREADS,
        "quick": options.quick,
        "scenarios": [s.key for s in chosen],
    }


def _estimate(options: Options, chosen: Sequence[Scenario]) -> float:
    windows = max(1, round(options.warmup)) + max(1, round(options.duration))
    slow_clients = 2 * max(options.duration, slowclients.SHORTEST_WINDOW) + slowclients.SETTLE
    cells = sum(len(sides(s)) for s in chosen) * len(options.concurrency)
    return (cells + 4) * windows + slow_clients


# -- the servers ---------------------------------------------------------------------------------------------------


@contextmanager
def started(folder: Path, say: Callable[[str], None], naive: bool = True) -> Iterator[Servers]:
    """The canned upstream, the gateway, the reference and (when asked) the naive peer, ready; all stopped when the
    block ends, however."""
    project = prepare_project(folder / "project")
    logs = folder / "logs"
    logs.mkdir()
    with ExitStack() as stack:
        command = processes.python("-m", "bench.upstream", "--port", "0", "--project", str(project))
        upstream = _start(stack, "upstream", command, without_ours(os.environ), logs)
        ready = processes.line_in_log(upstream, "ready ")
        processes.wait_until(upstream, lambda: bool(ready()))
        upstream.url = ready()
        say(f"canned upstream {upstream.url}")
        gateway = _start_gateway(stack, gateway_env(project, upstream.url), logs)
        peers = reference_env(project, upstream.url)
        reference = _start_peer(stack, "reference", "bench.reference:app", peers, logs)
        peer = _start_peer(stack, NAIVE, "bench.naive:app", peers, logs) if naive else None
        processes.wait_until(gateway, processes.answers(f"{gateway.url}/readyz", 200))
        for child in (reference, peer):
            if child is not None:
                processes.wait_until(child, processes.answers(f"{child.url}/"))
        say(f"gateway {gateway.url}, reference {reference.url}" + (f", naive peer {peer.url}" if peer else ""))
        yield Servers(upstream, gateway, reference, peer)


def _start(stack: ExitStack, name: str, command: list[str], env: dict[str, str], logs: Path) -> Child:
    child = processes.start(name, command, env, logs, CHECKOUT)
    stack.callback(child.stop)
    return child


def _start_gateway(stack: ExitStack, env: dict[str, str], logs: Path) -> Child:
    port = processes.free_port()
    command = processes.python("-m", "soapbridge", "serve", "--no-emulators", "--port", str(port))
    child = _start(stack, "gateway", command, env, logs)
    child.url = f"http://127.0.0.1:{port}"
    return child


def _start_peer(stack: ExitStack, name: str, app: str, env: dict[str, str], logs: Path) -> Child:
    """The reference or the naive peer: the gateway's worker type, workers and threads over a WSGI app."""
    port = processes.free_port()
    command = processes.python(
        "-m", "gunicorn", "-k", "gthread", "-w", str(WORKERS), "--threads", str(THREADS),
        "-b", f"127.0.0.1:{port}", "--no-control-socket", app,
    )  # fmt: skip
    child = _start(stack, name, command, env, logs)
    child.url = f"http://127.0.0.1:{port}"
    return child


# -- checking and measuring ----------------------------------------------------------------------------------------


def post(url: str, scenario: Scenario) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=scenario.body, headers=scenario.headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def check(servers: Servers, scenario: Scenario) -> None:
    """Every side answers the scenario 200: the reference with the gateway's body, the naive peer with its
    canonical body (Spyne writes its own prefixes); else a one-line BenchError."""
    answers = {side: post(servers.side(side).url + scenario.path, scenario) for side in sides(scenario)}
    for side, (status, body) in answers.items():
        if status != 200:
            raise BenchError(f"{scenario.key}: the {side} answered {status}: {_excerpt(body)}")
    if _without_correlation(answers["gateway"][1]) != answers["reference"][1]:
        _differ(scenario, answers, "reference")
    if NAIVE in answers and canonical_body(answers[NAIVE][1]) != canonical_body(answers["gateway"][1]):
        _differ(scenario, answers, NAIVE)


def _differ(scenario: Scenario, answers: dict[str, tuple[int, bytes]], side: str) -> None:
    raise BenchError(
        f"{scenario.key}: the gateway and the {side} answer differently:"
        f" gateway {_excerpt(answers['gateway'][1])} {side} {_excerpt(answers[side][1])}"
    )


def canonical_body(answer: bytes) -> tuple[Any, ...]:
    """A SOAP answer's canonical element (the Body's one child) as nested tuples of names, attributes and text:
    equal for equal content, whatever prefixes or whitespace between elements each side writes."""
    return _shape(etree.fromstring(answer)[-1][0])


def _shape(element: etree._Element) -> tuple[Any, ...]:
    children = tuple(_shape(child) for child in element.iterchildren(etree.Element))
    text = (element.text or "").strip() if not children else ""
    return (element.tag, tuple(sorted(element.attrib.items())), text, children)


def _without_correlation(body: bytes) -> bytes:
    """A SOAP answer without the gateway's cn:CorrelationID header block, which the reference does not write."""
    return CORRELATION_HEADER.sub(b"", body)


def _excerpt(body: bytes, limit: int = 300) -> str:
    text = " ".join(body.decode(errors="replace").split())
    return text if len(text) <= limit else text[:limit] + "..."


def cell(
    servers: Servers, scenario: Scenario, concurrency: int, options: Options, say: Callable[[str], None]
) -> dict[str, Any]:
    """One table row: the scenario at one concurrency on the gateway and the reference, measured in alternating
    rounds (gateway, reference, gateway, reference) so that a passing disturbance on the machine falls on both."""
    row: dict[str, Any] = {
        "scenario": scenario.name,
        "operation": scenario.operation,
        "size": scenario.size,
        "size_kb": round(scenario.nominal_bytes / 1024, 1),
        "concurrency": concurrency,
    }
    measured = sides(scenario)
    rounds: dict[str, list[dict[str, Any]]] = {side: [] for side in measured}
    for side in measured:
        warm_up(servers.side(side), scenario, concurrency, options)
    for _ in range(ROUNDS):
        for side in measured:
            rounds[side].append(measure(servers.side(side), scenario, concurrency, options.duration / ROUNDS))
    for side in measured:
        row[side] = combined(rounds[side])
        say(f"{scenario.key} c{concurrency} {side}: {_summary(row[side])}")
    return row


def warm_up(child: Child, scenario: Scenario, concurrency: int, options: Options) -> None:
    wrk.run(child.url + scenario.path, scenario.body, scenario.headers, connections=concurrency, seconds=options.warmup)


def measure(child: Child, scenario: Scenario, concurrency: int, seconds: float) -> dict[str, Any]:
    """One measured wrk run, with the server's CPU over it and its workers' RSS after it."""
    window = processes.CpuWindow(child)
    load = wrk.run(child.url + scenario.path, scenario.body, scenario.headers, connections=concurrency, seconds=seconds)
    used = window.used()
    return {
        "rps": round(load.rps, 1),
        "p50_ms": load.p50_ms,
        "p99_ms": load.p99_ms,
        "errors": load.errors,
        "requests": load.requests,
        "seconds": load.seconds,
        "cpu_percent": round(window.percent(used), 1),
        "cpu_seconds": round(used, 4),
        "rss_mb": round(processes.max_worker_rss_mb(child), 1),
    }


def combined(rounds: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Rounds of one side as one figure: the median round's req/s and p50, the worst p99, all the errors, and the
    CPU per request over all of them (every round's CPU seconds over every round's requests)."""
    seconds = sum(r["seconds"] for r in rounds)
    cpu_seconds = sum(r.get("cpu_seconds", 0.0) for r in rounds)
    requests = sum(r["requests"] for r in rounds)
    return {
        "rps": statistics.median(r["rps"] for r in rounds),
        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "p99_ms": max(r["p99_ms"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "requests": requests,
        "cpu_seconds": round(cpu_seconds, 4),
        "cpu_us_per_request": judge.cpu_per_request_us(cpu_seconds, requests),
        "cpu_percent": round(sum(r["cpu_percent"] * r["seconds"] for r in rounds) / seconds, 1) if seconds else 0.0,
        "rss_mb": rounds[-1]["rss_mb"],
        "rounds_rps": [r["rps"] for r in rounds],
    }


def _summary(figures: dict[str, Any]) -> str:
    per_request = figures["cpu_us_per_request"]
    cpu = "-" if per_request is None else f"{per_request:.0f}"
    return (
        f"{figures['rps']:.0f} req/s, CPU {cpu} us/request, p50 {figures['p50_ms']:.2f} ms,"
        f" p99 {figures['p99_ms']:.2f} ms, {figures['errors']} errors, CPU {figures['cpu_percent']:.0f} %,"
        f" RSS {figures['rss_mb']:.0f} MB"
    )


def latency(servers: Servers, options: Options, say: Callable[[str], None]) -> dict[str, Any]:
    """Concurrency 1 at 1 KB: the canned upstream alone, then through the gateway and the reference."""
    scenario = next(s for s in scenarios() if s.key == LATENCY_SCENARIO)
    baseline = upstream_baseline()
    found: dict[str, Any] = {"concurrency": 1, "size": scenario.size, "scenario": scenario.key}
    warm_up(servers.upstream, baseline, 1, options)
    found["upstream"] = measure(servers.upstream, baseline, 1, options.duration)
    for side in SIDES:
        warm_up(servers.side(side), scenario, 1, options)
        found[side] = measure(servers.side(side), scenario, 1, options.duration)
    found["added_ms"] = round(found["gateway"]["p50_ms"] - found["upstream"]["p50_ms"], 3)
    found["reference_added_ms"] = round(found["reference"]["p50_ms"] - found["upstream"]["p50_ms"], 3)
    say(
        f"concurrency 1: upstream p50 {found['upstream']['p50_ms']:.3f} ms, gateway adds {found['added_ms']:.3f} ms,"
        f" reference adds {found['reference_added_ms']:.3f} ms"
    )
    return found


def worker_shares(servers: Servers, options: Options, say: Callable[[str], None]) -> dict[str, Any]:
    """How the gateway's workers split 100 keep-alive connections' requests, in ROUNDS fresh sets of connections."""
    scenario = next(s for s in scenarios() if s.key == LATENCY_SCENARIO)
    warm_up(servers.gateway, scenario, shares.CONNECTIONS, options)
    found = shares.measure(servers.gateway, scenario, options.duration, ROUNDS)
    say(report.worker_shares(found))
    return found


def slow_clients(servers: Servers, options: Options, say: Callable[[str], None]) -> dict[str, Any]:
    """A normal client's p99 on the gateway without, then with, 200 slow heads and 200 slow bodies open."""
    scenario = next(s for s in scenarios() if s.key == LATENCY_SCENARIO)
    found = slowclients.measure(servers.gateway.url, scenario, options.duration)
    say(report.slow_clients(found))
    return found


def micro(options: Options, notes: list[str], say: Callable[[str], None]) -> list[dict[str, Any]]:
    """bench.micro.run_all's rows, or none (with a note) when they are skipped or not available."""
    if not options.micro:
        notes.append("micro-benchmarks skipped (--no-micro)")
        return []
    try:
        from .micro import run_all
    except ImportError as error:
        notes.append(f"micro-benchmarks not available: {error}")
        return []
    say("micro-benchmarks...")
    started_at = time.monotonic()
    try:
        rows: list[dict[str, Any]] = run_all(quick=options.quick)
    except Exception as error:  # the load figures are already measured: keep them, say what failed
        notes.append(f"micro-benchmarks failed: {type(error).__name__}: {_excerpt(str(error).encode())}")
        return []
    say(f"micro-benchmarks done in {time.monotonic() - started_at:.0f} s")
    return rows
