"""GET /: the status page, for a person: each legacy system's health, the operations, and where the contracts are.

Plain HTML5 with its style inline and no script, so it reads the same in any browser, on a phone,
and through curl; it asks to be reloaded every REFRESH seconds. Every value is escaped, and an
endpoint is shown without its user, password and query values. The figures are the workers'
shared ones (circuit breaker, recent tries), so every worker shows the same page.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from html import escape
from typing import Any

from .. import __version__
from ..config import AdapterConfig
from ..engine import Engine
from ..flows.board import FlowBoard
from ..redaction import hide_credentials
from ..upstream.client import Upstream
from ..upstream.recent import WINDOW, Recent
from .http import Response

#: Seconds between the reloads the page asks for.
REFRESH = 15
#: What a browser may load for the page: its own inline style, and nothing else (not even a favicon).
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'"
#: The gateway's documents and pages, with what each is, in the order shown.
LINKS = (
    ("/soap11?wsdl", "WSDL, SOAP 1.1"),
    ("/soap12?wsdl", "WSDL, SOAP 1.2"),
    ("/openapi.json", "OpenAPI 3.1, for /json/"),
    ("/metrics", "Prometheus metrics"),
    ("/readyz", "readiness (JSON)"),
    ("/healthz", "liveness"),
)

STYLE = """
body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1b1f24;background:#fff}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.75rem 0 .5rem}
p{margin:.25rem 0}.quiet{color:#57606a;font-size:.9rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.4rem .5rem}
thead th{border-bottom:2px solid #d0d7de;font-size:.9rem}tbody tr{border-bottom:1px solid #eaeef2}
td,code{overflow-wrap:anywhere}code{font:.9em ui-monospace,monospace}
.state{font-weight:600;white-space:nowrap}.closed{color:#1a7f37}.open{color:#cf222e}.half-open{color:#9a6700}
ul{padding-left:1.25rem}li{margin:.2rem 0}
@media (max-width:40rem){thead{display:none}table,tbody,tr,td{display:block}tr{padding:.5rem 0}
td{padding:.15rem 0}td[data-label]::before{content:attr(data-label) ": ";color:#57606a;font-size:.9rem}}
"""


@dataclass(frozen=True)
class AdapterRow:
    """One adapter as the page shows it."""

    name: str
    description: str
    endpoint: str | None
    breaker: dict[str, Any] | None
    recent: Recent | None


class StatusPage:
    """Renders the page afresh on every request: it is small, and its figures change."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.flows = FlowBoard(engine.settings)

    def __call__(self, environ: dict[str, Any]) -> Response:
        headers = [("Cache-Control", "no-store"), ("Content-Security-Policy", POLICY)]
        headers.append(("X-Content-Type-Options", "nosniff"))
        return Response(200, "text/html; charset=utf-8", self.render().encode(), headers)

    def render(self) -> str:
        rows = [_row(adapter, self.engine.upstreams.get(adapter.name)) for adapter in self.engine.adapters]
        operations = {name: [a.system for a in routed.adapters] for name, routed in self.engine.operations.items()}
        passthrough = {
            op.name: system.path for system in self.engine.passthrough.values() for op in system.operations.values()
        }
        now = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        return _page(rows, operations, passthrough, now, self.flows.html())


def _row(adapter: AdapterConfig, upstream: Upstream | None) -> AdapterRow:
    if upstream is None:
        return AdapterRow(adapter.name, adapter.description, None, None, None)
    endpoint = hide_credentials(upstream.address)
    return AdapterRow(adapter.name, adapter.description, endpoint, upstream.breaker.health(), upstream.recent.summary())


def _page(
    rows: list[AdapterRow], operations: dict[str, list[str]], passthrough: dict[str, str], now: str, flows: str = ""
) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta http-equiv="refresh" content="{REFRESH}"/>
<link rel="icon" href="data:,"/>
<title>soapbridge status</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>soapbridge</h1>
<p>version <span id="version">{escape(__version__)}</span></p>
<p class="quiet">As of {now}, from worker process <span id="worker">{os.getpid()}</span>;
this page reloads every {REFRESH} s.</p>
</header>
<main>
<h2>Legacy systems</h2>
{_adapters_table(rows)}
<p class="quiet">Tries count every attempt of the last {_window(rows)}, retries included, from all workers.
Failed: no answer (a timeout, no connection, an answer that is not SOAP, or the circuit open).
SOAP faults are answers: the system refused the request, which is not a failure of the system.</p>
<h2>Operations</h2>
{_operations_table(operations, passthrough)}
{flows}<h2>Contracts and monitoring</h2>
<ul id="links">
{"".join(f'<li><a href="{escape(href)}">{escape(href)}</a> {escape(what)}</li>' for href, what in LINKS)}
</ul>
</main>
</body>
</html>
"""


def _adapters_table(rows: list[AdapterRow]) -> str:
    head = "<tr><th>System</th><th>Upstream endpoint</th><th>Circuit</th><th>Recent tries</th></tr>"
    return f'<table id="adapters">\n<thead>{head}</thead>\n<tbody>\n{"".join(map(_adapter, rows))}</tbody>\n</table>'


def _adapter(row: AdapterRow) -> str:
    name = f'<td data-label="System"><strong>{escape(row.name)}</strong><br/>{escape(row.description)}</td>'
    if row.endpoint is None:
        rest = '<td colspan="3" data-label="Upstream">none: composes other operations</td>'
    else:
        rest = (
            f'<td data-label="Endpoint"><code>{escape(row.endpoint)}</code></td>'
            f'<td data-label="Circuit">{_breaker(row.breaker or {})}</td>'
            f'<td data-label="Recent">{_recent(row.recent)}</td>'
        )
    return f'<tr id="adapter-{escape(row.name)}">{name}{rest}</tr>\n'


def _breaker(health: dict[str, Any]) -> str:
    state = str(health.get("state", "unknown"))
    shown = f'<span class="state {escape(state)}">{escape(state)}</span>'
    if health.get("retry_in") is not None:
        shown += f"<br/>next try in {float(health['retry_in']):.0f} s"
    elif health.get("consecutive_failures"):
        shown += f"<br/>{int(health['consecutive_failures'])} failed in a row"
    return shown


def _recent(recent: Recent | None) -> str:
    if recent is None or recent.tries == 0:
        return "no calls"
    rate = recent.failure_rate or 0.0
    faults = f", {recent.faults} SOAP fault{'s' if recent.faults != 1 else ''}" if recent.faults else ""
    return f"{recent.tries} tr{'ies' if recent.tries != 1 else 'y'}, {recent.failed} failed ({rate:.0%}){faults}"


def _window(rows: list[AdapterRow]) -> str:
    seconds = next((row.recent.window for row in rows if row.recent is not None), WINDOW)
    return f"{seconds / 60:g} minutes" if seconds >= 60 else f"{seconds:g} seconds"


def _operations_table(operations: dict[str, list[str]], passthrough: dict[str, str]) -> str:
    """The canonical operations, then the pass-through ones (system.Operation), which have no JSON form."""
    head = "<tr><th>Operation</th><th>JSON</th><th>Served by</th></tr>"
    body = "".join(
        f'<tr id="operation-{escape(name)}"><td data-label="Operation"><strong>{escape(name)}</strong></td>'
        f'<td data-label="JSON"><code>POST /json/{escape(name)}</code></td>'
        f'<td data-label="Served by">{escape(", ".join(systems))}</td></tr>\n'
        for name, systems in sorted(operations.items())
    )
    body += "".join(
        f'<tr id="operation-{escape(name)}"><td data-label="Operation"><strong>{escape(name)}</strong></td>'
        f'<td data-label="JSON">none: passed through unchanged at <a href="{escape(path)}?wsdl">'
        f"<code>{escape(path)}</code></a></td>"
        f'<td data-label="Served by">{escape(name.split(".", 1)[0])}</td></tr>\n'
        for name, path in sorted(passthrough.items())
    )
    return f'<table id="operations">\n<thead>{head}</thead>\n<tbody>\n{body}</tbody>\n</table>'
