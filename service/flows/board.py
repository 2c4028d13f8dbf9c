"""The status page's flows section: each flow's last poll, lag, items queued and dead letters, from the ledger.

The gateway's workers read the ledger the flow processes write (the SQLite file in the state folder, or the
flows' Redis server), so the section is the same whichever worker draws the page. A ledger that cannot be
read is said in the section, never a failed page.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from ..errors import SoapbridgeError
from ..settings import Settings
from .compiler import FOLDER
from .ledger import Ledger


@dataclass(frozen=True)
class FlowFigures:
    name: str
    polled: float | None
    lag: float
    queued: int
    running: int
    done: int
    dead: int


class FlowBoard:
    """Opened on first use by a gateway worker; a project without flows/ has no section."""

    def __init__(self, settings: Settings, env: Mapping[str, str] = os.environ) -> None:
        self.settings = settings
        self.env = env
        self.names = sorted(path.stem for path in (settings.root / FOLDER).glob("*.toml"))
        self._ledger: Ledger | None = None

    def html(self) -> str:
        if not self.names:
            return ""
        try:
            rows = [self.figures(name) for name in self.names]
        except SoapbridgeError as exc:
            return f'<h2>Flows</h2>\n<p id="flows">the flows\' ledger cannot be read: {escape(exc.message)}</p>\n'
        return f"<h2>Flows</h2>\n{_table(rows)}\n"

    def figures(self, name: str) -> FlowFigures:
        ledger = self._open()
        counts = ledger.counts(name)
        mark = ledger.watermark(name)
        oldest = ledger.oldest_open(name)
        lag = max(time.time() - oldest, 0.0) if oldest else 0.0
        return FlowFigures(
            name,
            mark.polled if mark else None,
            lag,
            counts["queued"],
            counts["running"],
            counts["done"],
            counts["dead"],
        )

    def _open(self) -> Ledger:
        if self._ledger is None:
            self._ledger = open_ledger(self.settings, self.env)
        return self._ledger


def open_ledger(settings: Settings, env: Mapping[str, str]) -> Ledger:
    from .runtime import ledger_at  # huey and the engine are not needed to read figures

    return ledger_at(settings, env)


def _table(rows: list[FlowFigures]) -> str:
    head = "<tr><th>Flow</th><th>Last poll</th><th>Lag</th><th>Queued</th><th>Done</th><th>Dead letters</th></tr>"
    return f'<table id="flows">\n<thead>{head}</thead>\n<tbody>\n{"".join(map(_row, rows))}</tbody>\n</table>'


def _row(row: FlowFigures) -> str:
    polled = time.strftime("%H:%M:%S UTC", time.gmtime(row.polled)) if row.polled else "never"
    cells = (
        ("Flow", f"<strong>{escape(row.name)}</strong>"),
        ("Last poll", polled),
        ("Lag", f"{row.lag:.1f} s"),
        ("Queued", f"{row.queued + row.running}" + (f" ({row.running} running)" if row.running else "")),
        ("Done", str(row.done)),
        ("Dead letters", f'<span class="state {"open" if row.dead else "closed"}">{row.dead}</span>'),
    )
    body = "".join(f'<td data-label="{label}">{value}</td>' for label, value in cells)
    return f'<tr id="flow-{escape(row.name)}">{body}</tr>\n'
