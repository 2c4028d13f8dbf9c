"""What flows run on in one process: the gateway's engine and idempotency keys, the ledger, the cross-reference,
and the huey queue with its one task, built once from the settings.

Where flows keep their state: SOAPBRIDGE_FLOWS_STORE names a Redis server (redis://...) for several
machines (the queue, the ledger and the cross-reference all there); otherwise SQLite files in the state
folder (flows-queue.sqlite3 for huey, flows.sqlite3 for the ledger and the cross-reference).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huey import RedisHuey, SqliteHuey
from huey.api import Huey

from ..engine import Engine
from ..errors import ConfigError
from ..idempotency import open_keys
from ..settings import Settings
from ..stores import is_redis, state_folder
from .compiler import FlowProject, compile_flows
from .delivery import SerialKeys
from .ledger import Ledger, SqliteLedger
from .metrics import FlowMetrics
from .xref import RedisXref, SqliteXref, Xref

log = logging.getLogger("soapbridge.flows")

STORE_KEY = "SOAPBRIDGE_FLOWS_STORE"
QUEUE_FILE = "flows-queue.sqlite3"
LEDGER_FILE = "flows.sqlite3"
#: The huey task every item travels as: (flow, item id); the item itself stays in the ledger.
TASK = "soapbridge.flows.item"


@dataclass(frozen=True)
class Stores:
    queue: Huey
    ledger: Ledger
    xref: Xref


def open_stores(settings: Settings, env: Mapping[str, str] = os.environ) -> Stores:
    location = env.get(STORE_KEY, "").strip() or None
    if location is not None and is_redis(location):
        return _redis_stores(location, settings)
    if location is not None:
        raise ConfigError("expected a redis:// URL, or nothing for SQLite files in the state folder", key=STORE_KEY)
    state = state_folder(settings.state_dir, settings)
    return _sqlite_stores(state)


def ledger_at(settings: Settings, env: Mapping[str, str] = os.environ) -> Ledger:
    """The ledger alone, for a reader (the status page)."""
    location = env.get(STORE_KEY, "").strip() or None
    if location is not None and is_redis(location):
        from ..stores.redisserver import connect
        from .redisledger import RedisLedger

        return RedisLedger(connect(location, STORE_KEY))
    return SqliteLedger(state_folder(settings.state_dir, settings) / LEDGER_FILE)


def _sqlite_stores(state: Path) -> Stores:
    # The queue needs no fsync of its own: the ledger is what is kept, and its sweep queues again any task lost.
    queue = SqliteHuey("soapbridge-flows", filename=str(state / QUEUE_FILE), results=False, timeout=10, fsync=False)
    ledger = SqliteLedger(state / LEDGER_FILE)
    return Stores(queue, ledger, SqliteXref(state / LEDGER_FILE, ledger.writing))


def _redis_stores(url: str, settings: Settings) -> Stores:
    from ..stores.redisserver import connect
    from .redisledger import RedisLedger

    client = connect(url, STORE_KEY)
    if not is_redis(settings.idempotency.store):
        log.warning(
            "%s names a Redis server but SOAPBRIDGE_IDEMPOTENCY_STORE does not: workers on other machines keep "
            "their own idempotency keys, and an item taken again after its worker died may reach its target twice",
            STORE_KEY,
        )
    queue = RedisHuey("soapbridge-flows", url=url, results=False, blocking=True, read_timeout=1)
    return Stores(queue, RedisLedger(client), RedisXref(client))


class FlowRuntime:
    """The flows of a project, ready to poll and deliver in this process."""

    def __init__(self, settings: Settings, engine: Engine | None = None, env: Mapping[str, str] = os.environ) -> None:
        self.settings = settings
        self.engine = engine or Engine(settings)
        self.stores = open_stores(settings, env)
        self.project: FlowProject = compile_flows(settings.root, self._served(), self.stores.xref)
        self.project.raise_problems()
        self.flows = self.project.flows
        for compiled in self.flows.values():
            self._warn_short_lease(compiled)
        self._keys: SerialKeys | None = None
        self.metrics = FlowMetrics()
        self._handler: Callable[[str, str], None] | None = None
        self._task: Any = self.queue.task(name=TASK)(self._run)

    @property
    def keys(self) -> SerialKeys:
        """The gateway's idempotency keys, opened on first delivery (the verbs that only read never need them)."""
        if self._keys is None:
            self._keys = SerialKeys(open_keys(self.settings, state_folder(self.settings.state_dir, self.settings)))
        return self._keys

    @property
    def ledger(self) -> Ledger:
        return self.stores.ledger

    @property
    def queue(self) -> Huey:
        return self.stores.queue

    def register(self, handler: Callable[[str, str], None]) -> None:
        """handler(flow, id) is what every queued item's task runs in this process."""
        self._handler = handler

    def enqueue(self, flow: str, ids: Sequence[str]) -> None:
        for id in ids:
            self._task(flow, id)

    def schedule(self, flow: str, id: str, delay: float) -> None:
        self._task.schedule(args=(flow, id), delay=delay)

    def _run(self, flow: str, id: str) -> None:
        if self._handler is None:
            raise RuntimeError("a flow task ran in a process with no item handler")
        self._handler(flow, id)

    def _warn_short_lease(self, compiled: Any) -> None:
        """A lease shorter than a target's deadline lets a second worker take an item whose call still runs."""
        served = (self.engine.operations[name].adapters for name in compiled.flow.targets)
        longest = max((operation.timeouts.deadline for adapters in served for operation in adapters), default=0.0)
        if compiled.flow.retry.lease <= longest:
            log.warning(
                "%s: retry.lease: %g s is not longer than the %g s a target's call may take: a second worker may "
                "take an item whose call is still running, and call again",
                compiled.flow.file,
                compiled.flow.retry.lease,
                longest,
            )

    def _served(self) -> dict[str, Any]:
        return {name: routed.contract for name, routed in self.engine.operations.items()}
