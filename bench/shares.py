"""Each gateway worker's share of the requests under 100 keep-alive connections, read from the gateway's /metrics.

The gateway counts what each of its workers answers (soapbridge_worker_requests_total, by worker slot); a scrape
before and after a wrk run gives each worker's part of that run. A scrape halfway through reads how many of the
connections each worker holds (soapbridge_worker_connections): on a saturated machine each worker answers about
as fast as its one core allows whatever it holds, so the requests can split evenly while the connections do not,
and the worker holding most of them makes its clients wait longer and takes longer to drain. Each round opens
its connections anew, a fresh draw of how the workers split them; the result keeps every round's figures.
"""

from __future__ import annotations

import threading
import urllib.request
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from . import wrk
from .processes import Child
from .scenarios import Scenario

#: Concurrent keep-alive connections: the load under which one of two workers used to take about 85 of them.
CONNECTIONS = 100
#: The issue's band: each of two workers answers between 35 % and 65 % of the requests.
BAND = (35.0, 65.0)
REQUESTS, CONNECTIONS_HELD = "soapbridge_worker_requests_total", "soapbridge_worker_connections"


def worker_requests(base: str, series: str = REQUESTS) -> dict[str, float]:
    """Requests answered so far (or, with CONNECTIONS_HELD, connections held now), by worker slot."""
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        sample.labels["worker"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == series
    }


def shares(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Each worker's percentage of the requests answered between two scrapes."""
    answered = {worker: count - before.get(worker, 0.0) for worker, count in after.items()}
    total = sum(answered.values())
    return {worker: round(100 * count / total, 1) if total else 0.0 for worker, count in sorted(answered.items())}


def measure(gateway: Child, scenario: Scenario, seconds: float, rounds: int) -> dict[str, Any]:
    """rounds wrk runs of scenario at CONNECTIONS connections, seconds in all; each round's worker shares."""
    found: list[dict[str, float]] = []
    held: list[dict[str, float]] = []
    for _ in range(rounds):
        before = worker_requests(gateway.url)
        halfway = threading.Timer(
            seconds / rounds / 2, lambda: held.append(worker_requests(gateway.url, CONNECTIONS_HELD))
        )
        halfway.start()
        wrk.run(
            gateway.url + scenario.path,
            scenario.body,
            scenario.headers,
            connections=CONNECTIONS,
            seconds=seconds / rounds,
        )
        halfway.join()
        found.append(shares(before, worker_requests(gateway.url)))
    every = [share for round_shares in found for share in round_shares.values()]
    return {
        "scenario": scenario.key,
        "connections": CONNECTIONS,
        "rounds": found,
        "held": [{worker: count for worker, count in sorted(counts.items()) if count} for counts in held],
        "lowest": min(every, default=None),
        "highest": max(every, default=None),
    }
