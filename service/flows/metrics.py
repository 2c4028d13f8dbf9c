"""The flows' Prometheus metrics, written by the process that runs them.

Under `soapbridge serve` the flow process inherits the gateway's metrics folder (PROMETHEUS_MULTIPROC_DIR),
so its figures join the gateway's on GET /metrics: items by outcome, the lag from a source's change to its
delivery, and, read from the ledger by the scheduler each tick, the queue depth and the dead letters.
Labels are flow names and a fixed set of outcomes, never an item's id.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import Counter, Gauge, Histogram

#: Seconds, from a change delivered at once to one delivered after a long outage.
LAG_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0)
OUTCOMES = ("done", "retried", "held", "dead")


class FlowMetrics:
    def __init__(self) -> None:
        self.items = Counter(
            "soapbridge_flow_items", "Items a flow worker finished, by outcome", ("flow", "outcome"), registry=None
        )
        self.lag = Histogram(
            "soapbridge_flow_lag_seconds",
            "From an item's change at its source to its delivery",
            ("flow",),
            buckets=LAG_BUCKETS,
            registry=None,
        )
        self.depth = Gauge(
            "soapbridge_flow_queue_depth",
            "Items queued or running",
            ("flow",),
            registry=None,
            multiprocess_mode="mostrecent",
        )
        self.dead = Gauge(
            "soapbridge_flow_dead_letters",
            "Items in the dead letters",
            ("flow",),
            registry=None,
            multiprocess_mode="mostrecent",
        )
        self.oldest = Gauge(
            "soapbridge_flow_oldest_open_seconds",
            "Age of the oldest item not yet delivered",
            ("flow",),
            registry=None,
            multiprocess_mode="mostrecent",
        )

    def finished(self, flow: str, outcome: str, lag: float | None) -> None:
        self.items.labels(flow, outcome).inc()
        if lag is not None:
            self.lag.labels(flow).observe(lag)

    def ledger(self, flow: str, counts: Mapping[str, int], oldest: float) -> None:
        self.depth.labels(flow).set(counts.get("queued", 0) + counts.get("running", 0))
        self.dead.labels(flow).set(counts.get("dead", 0))
        self.oldest.labels(flow).set(oldest)
