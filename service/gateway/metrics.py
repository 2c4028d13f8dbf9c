"""GET /metrics: the gateway's metrics over its engine's operations and breakers, in Prometheus' text format."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine import Engine
from ..engine.passthrough import qualified_names
from ..instance import Instance
from .http import Response

if TYPE_CHECKING:
    from ..telemetry.metrics import Metrics


def open_metrics(engine: Engine, instance: Instance) -> Metrics:
    """The gateway's metrics, labelled with the instance's name; with the instance's metrics folder (serve), every
    worker process writes them there and a scrape sums them."""
    from ..telemetry.metrics import Metrics  # only now: the instance has named its metrics folder, if it has one

    breakers = {name: upstream.breaker.health for name, upstream in engine.upstreams.items()}
    operations = [*engine.operations, *qualified_names(engine.passthrough)]
    return Metrics(operations, breakers, instance.metrics, instance=instance.name, workers=instance.workers)


def metrics_page(metrics: Metrics) -> Response:
    return Response(200, metrics.content_type, metrics.exposition(), [("Cache-Control", "no-store")])
