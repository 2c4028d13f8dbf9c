"""/healthz and /readyz: is the process up, and should a load balancer send it requests.

Readiness is per worker process: each holds the engine loaded before it forked, and drains on
its own after SIGTERM. An open circuit does not make the gateway unready; it is listed, so that
an operator sees which legacy system is failing, but the other systems are still served.
"""

from __future__ import annotations

import json
from typing import Any

from ..engine import Engine
from .http import Response

JSON = "application/json"


class Health:
    """What the gateway says about itself; draining is set by the worker when it starts to stop."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.draining = False

    def liveness(self) -> Response:
        return Response(200, JSON, b'{"status": "ok"}', [("Cache-Control", "no-store")])

    def readiness(self) -> Response:
        document = self.document()
        status = 200 if document["ready"] else 503
        return Response(status, JSON, json.dumps(document).encode(), [("Cache-Control", "no-store")])

    def document(self) -> dict[str, Any]:
        engine = self.engine
        loaded = all(adapter.name in engine.upstreams for adapter in engine.adapters if adapter.wsdl is not None)
        return {
            "ready": loaded and not self.draining,
            "draining": self.draining,
            "wsdls": len(engine.upstreams),
            "stylesheets": len(engine.stylesheets),
            "operations": len(engine.operations),
            "upstreams": {name: upstream.health() for name, upstream in sorted(engine.upstreams.items())},
        }
