"""One gateway instance's process model: what is made once, before its workers fork, and what they share.

    Instance
    ├── name       which instance this is among several (SOAPBRIDGE_INSTANCE, else host:port); labels its metrics
    ├── state      the state folder: what outlives a restart (the SQLite nonce and idempotency stores, the
    │              journal of idempotent outcomes; SOAPBRIDGE_STATE_DIR, else var/ in the project)
    ├── runtime    the runtime folder: what lives as long as the instance (soapbridge.runtime)
    ├── metrics    runtime/metrics/<name>/: the workers' Prometheus files; this instance empties it, and no other
    └── workers    each worker's connections and requests, in shared memory (soapbridge.workerload)

Several instances may share one runtime folder; each then owns only its own metrics folder, and a lock file
beside it makes a second instance of the same name fail at start-up instead of wiping the first one's figures.
A single process (tests, tools) has no metrics folder and no worker loads: its figures live in its own registry.
"""

from __future__ import annotations

import fcntl
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .errors import ConfigError
from .runtime import runtime_folder
from .settings import Settings
from .stores import state_folder
from .telemetry.workers import share_metrics, worker_exited
from .workerload import WorkerLoads

#: Worker slots per configured worker: a replacement may start before the worker it replaces is reaped.
SLOTS_PER_WORKER = 2


@dataclass(frozen=True)
class Instance:
    """What the workers of one instance share; made before they fork (see the module's docstring)."""

    name: str
    state: Path
    runtime: Path
    metrics: Path | None = None
    workers: WorkerLoads | None = None
    #: The open lock file that makes metrics/<name>/ this instance's; held until the last of its processes exits.
    _claim: IO[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def alone(cls, settings: Settings, owner: object) -> Instance:
        """A single process: the state and runtime folders only (temporary ones go when owner is collected)."""
        name = settings.instance or socket.gethostname()
        return cls(name, state_folder(settings.state_dir, owner), runtime_folder(settings.runtime_dir, owner))

    @classmethod
    def serving(cls, settings: Settings, port: int, workers: int) -> Instance:
        """The instance `soapbridge serve` forks workers from, listening on port. Call it before anything
        imports prometheus_client, and keep it for as long as the instance runs."""
        name = settings.instance or f"{socket.gethostname()}:{port}"
        state = state_folder(settings.state_dir, _Lifetime)
        runtime = runtime_folder(settings.runtime_dir, _Lifetime)
        metrics, claim = _claim_metrics(runtime / "metrics", name)
        return cls(name, state, runtime, metrics, WorkerLoads(workers * SLOTS_PER_WORKER), claim)

    def worker_exited(self, pid: int) -> None:
        """Forget what only a live worker reports (its live gauges, its worker slot); its counts stay."""
        if self.metrics is not None:
            worker_exited(pid)
        if self.workers is not None:
            self.workers.release(pid)


class _Lifetime:
    """The owner of a serving instance's temporary runtime folder: this class lives as long as the process, so the
    folder goes when the process that made it exits (forked workers inherit the finalizer, not the right)."""


def _claim_metrics(parent: Path, name: str) -> tuple[Path, IO[str]]:
    """parent/name, emptied and named the metrics folder, once this process holds parent/name.lock."""
    if name in (".", "..") or "/" in name:  # a name that would point outside metrics/ would wipe another folder
        raise ConfigError(f"{name!r} cannot name a folder", key="SOAPBRIDGE_INSTANCE")
    parent.mkdir(parents=True, exist_ok=True)
    claim = open(parent / f"{name}.lock", "w")  # noqa: SIM115 - kept open for the instance's whole life
    try:
        fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        claim.close()
        raise ConfigError(
            f"an instance named {name!r} already runs with the runtime folder {parent.parent};"
            " give each instance its own name",
            key="SOAPBRIDGE_INSTANCE",
        ) from None
    claim.write(f"{os.getpid()}\n")
    claim.flush()
    folder = parent / name
    share_metrics(folder)
    return folder, claim
