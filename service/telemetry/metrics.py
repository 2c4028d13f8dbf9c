"""The gateway's Prometheus metrics, counted from each request's trace when it is answered.

Every label value comes from a fixed set: the operations the gateway serves (or "none"), the
protocols, the outcomes, the configured systems and their WSDLs' operations, a few words for
why a request was refused, and the worker slots. No id, message or client-supplied string ever
becomes a label.

Every sample also carries soapbridge_instance, the instance's name. It is not called `instance`:
Prometheus gives each scraped series the target's own `instance` (its host:port), and would rename
ours to exported_instance (or, with honor_labels, let ours replace the target's). Under its own name
it never clashes, and it keeps the series of two instances apart even where one address reaches both
(a load balancer, a federation, a remote-write agent).

Import this only once workers.share_metrics has run, when it is going to run at all: prometheus_client
decides at import whether values live in this process or in the shared folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from .context import RequestTrace

#: The protocols of operation calls; everything else (pages, WSDLs, /metrics itself) is not counted.
OPERATION_PROTOCOLS = frozenset({"soap11", "soap12", "json", "passthrough"})
#: The operation label of a request that names no operation the gateway serves.
NO_OPERATION = "none"
#: Seconds, from a cached answer (1 ms) to the longest deadline worth waiting for (30 s).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: soapbridge_upstream_breaker_state's value for each state of a circuit breaker.
BREAKER_STATES = {"closed": 0, "open": 1, "half-open": 2}
#: A breaker's health(): a dict with its "state" among BREAKER_STATES.
BreakerHealth = Callable[[], Mapping[str, Any]]
#: The label every sample carries: which instance it comes from (see the module's docstring).
INSTANCE_LABEL = "soapbridge_instance"


class WorkerFigures(Protocol):
    """The workers' own figures, shared by them (soapbridge.workerload.WorkerLoads)."""

    def figures(self) -> Iterable[tuple[int, int, int]]:
        """(worker slot, open connections, requests answered) of each slot in use."""
        ...


class Metrics:
    """The gateway's counters and histograms, and the page that exposes them.

    With a shared folder (under `soapbridge serve`), the figures are written there and a scrape sums
    every worker's; without one, they live in this object's own registry (tests, a single process).
    """

    def __init__(
        self,
        operations: Iterable[str],
        breakers: Mapping[str, BreakerHealth],
        shared: Path | None = None,
        *,
        instance: str,
        workers: WorkerFigures | None = None,
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
        counted: Collector = (
            own if own is not None else MultiProcessCollector(None, path=str(shared))  # type: ignore[no-untyped-call]
        )
        sources = [counted, BreakerStates(breakers), *([WorkerStates(workers)] if workers is not None else [])]
        self.registry = CollectorRegistry()
        self.registry.register(Labelled(sources, {INSTANCE_LABEL: instance}))

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


class WorkerStates(Collector):
    """Each worker slot's open connections and requests answered, read from the workers' shared figures: how
    evenly the workers share the load (a slot keeps counting when its worker is replaced)."""

    def __init__(self, workers: WorkerFigures) -> None:
        self.workers = workers

    def collect(self) -> Iterator[Metric]:
        connections = GaugeMetricFamily(
            "soapbridge_worker_connections", "Connections each worker holds open", labels=("worker",)
        )
        requests = CounterMetricFamily(
            "soapbridge_worker_requests", "HTTP requests each worker has answered", labels=("worker",)
        )
        for slot, open_connections, answered in self.workers.figures():
            connections.add_metric((str(slot),), open_connections)
            requests.add_metric((str(slot),), answered)
        yield connections
        yield requests


class Labelled(Collector):
    """Every sample of the sources, with labels added (the instance's name)."""

    def __init__(self, sources: Iterable[Collector], labels: Mapping[str, str]) -> None:
        self.sources = list(sources)
        self.labels = dict(labels)

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            for family in source.collect():
                labelled = Metric(family.name, family.documentation, family.type, family.unit)
                labelled.samples = [s._replace(labels={**s.labels, **self.labels}) for s in family.samples]
                yield labelled
