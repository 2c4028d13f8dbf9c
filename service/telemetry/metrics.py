"""The gateway's Prometheus metrics, counted from each request's trace when it is answered.

Every label value comes from a fixed set: the operations the gateway serves (or "none"), the
protocols, the outcomes, the configured systems and their WSDLs' operations, and a few words for
why a request was refused. No id, message or client-supplied string ever becomes a label.

Import this only once workers.share_metrics has run, when it is going to run at all: prometheus_client
decides at import whether values live in this process or in the shared folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from .context import RequestTrace

#: The protocols of operation calls; everything else (pages, WSDLs, /metrics itself) is not counted.
OPERATION_PROTOCOLS = frozenset({"soap11", "soap12", "json"})
#: The operation label of a request that names no operation the gateway serves.
NO_OPERATION = "none"
#: Seconds, from a cached answer (1 ms) to the longest deadline worth waiting for (30 s).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: soapbridge_upstream_breaker_state's value for each state of a circuit breaker.
BREAKER_STATES = {"closed": 0, "open": 1, "half-open": 2}
#: A breaker's health(): a dict with its "state" among BREAKER_STATES.
BreakerHealth = Callable[[], Mapping[str, Any]]


class Metrics:
    """The gateway's counters and histograms, and the page that exposes them.

    With a shared folder (under `soapbridge serve`), the figures are written there and a scrape sums
    every worker's; without one, they live in this object's own registry (tests, a single process).
    """

    def __init__(
        self, operations: Iterable[str], breakers: Mapping[str, BreakerHealth], shared: Path | None = None
    ) -> None:
        self.operations = frozenset(operations)
        own = CollectorRegistry() if shared is None else None  # shared: written to files, collected from them
        self.requests = Counter(
            "soapbridge_requests", "Operation requests answered", ("operation", "protocol", "outcome"), registry=own
        )
        self.request_seconds = Histogram(
            "soapbridge_request_duration_seconds",
            "Time from a request's arrival to its answer",
            ("operation", "protocol"),
            registry=own,
            buckets=LATENCY_BUCKETS,
        )
        self.upstream_calls = Counter(
            "soapbridge_upstream_calls",
            "Tries of calls to legacy systems, by how each ended",
            ("system", "operation", "outcome"),
            registry=own,
        )
        self.upstream_seconds = Histogram(
            "soapbridge_upstream_call_duration_seconds",
            "Time each try of a legacy call took",
            ("system", "operation"),
            registry=own,
            buckets=LATENCY_BUCKETS,
        )
        self.retries = Counter(
            "soapbridge_upstream_retries", "Legacy calls tried again", ("system", "operation"), registry=own
        )
        self.invalid = Counter(
            "soapbridge_validation_failures",
            "Documents that broke the canonical schema: request (the client's) or response (a mapping's)",
            ("direction",),
            registry=own,
        )
        self.rejected = Counter(
            "soapbridge_rejected_requests", "Requests refused unread or unparsed, by reason", ("reason",), registry=own
        )
        # Each label set's child, looked up once: labels() checks and locks on every call (about 1.5 us).
        self._requests = cache(self.requests.labels)
        self._request_seconds = cache(self.request_seconds.labels)
        self._upstream_calls = cache(self.upstream_calls.labels)
        self._upstream_seconds = cache(self.upstream_seconds.labels)
        self.registry = own or CollectorRegistry()
        if shared is not None:
            MultiProcessCollector(self.registry, path=str(shared))  # type: ignore[no-untyped-call]
        self.registry.register(BreakerStates(breakers))

    content_type = CONTENT_TYPE_LATEST

    def observe(self, trace: RequestTrace, response: object = None) -> None:
        """Count one answered request (an observer of the gateway's)."""
        if trace.protocol not in OPERATION_PROTOCOLS:
            return
        operation = trace.operation if trace.operation in self.operations else NO_OPERATION
        self._requests(operation, trace.protocol, trace.outcome).inc()
        self._request_seconds(operation, trace.protocol).observe(trace.seconds)
        for call in trace.upstream:
            self._upstream_calls(call.system, call.operation, call.outcome).inc()
            self._upstream_seconds(call.system, call.operation).observe(call.seconds)
        for system, legacy_operation in trace.retries:
            self.retries.labels(system, legacy_operation).inc()
        for direction in trace.invalid:
            self.invalid.labels(direction).inc()
        if trace.rejected is not None:
            self.rejected.labels(trace.rejected).inc()

    def exposition(self) -> bytes:
        """Every metric in Prometheus' text format, summed over the workers when they share a folder."""
        return generate_latest(self.registry)


class BreakerStates(Collector):
    """soapbridge_upstream_breaker_state, read from the breakers (shared by the workers) at each scrape."""

    def __init__(self, breakers: Mapping[str, BreakerHealth]) -> None:
        self.breakers = dict(breakers)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "soapbridge_upstream_breaker_state",
            "Each legacy system's circuit breaker: 0 closed, 1 open, 2 half-open",
            labels=("system",),
        )
        for system, health in sorted(self.breakers.items()):
            family.add_metric((system,), BREAKER_STATES[str(health()["state"])])
        yield family
