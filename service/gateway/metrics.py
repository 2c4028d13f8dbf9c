"""GET /metrics: the gateway's metrics over its engine's operations and breakers, in Prometheus' text format."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..engine import Engine
from ..telemetry.workers import share_metrics
from .http import Response

if TYPE_CHECKING:
    from ..telemetry.metrics import Metrics


def open_metrics(engine: Engine, shared: Path | None) -> Metrics:
    """The gateway's metrics; with shared, a folder every worker process writes them to and a scrape sums."""
    if shared is not None:
        share_metrics(shared)
    from ..telemetry.metrics import Metrics  # only now: prometheus_client must see the shared folder when imported

    breakers = {name: upstream.breaker.health for name, upstream in engine.upstreams.items()}
    return Metrics(engine.operations, breakers, shared)


def metrics_page(metrics: Metrics) -> Response:
    return Response(200, metrics.content_type, metrics.exposition(), [("Cache-Control", "no-store")])
