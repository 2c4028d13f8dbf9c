"""`soapbridge flows run NAME --once`: one poll, then every due item delivered here, in ledger order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from .compiler import CompiledFlow
from .intake import poll
from .runtime import FlowRuntime
from .worker import ItemWorker

#: Items shown in a progress line at most this often.
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class Once:
    seen: int
    queued: int
    done: int
    retrying: int
    dead: int


def run_once(runtime: FlowRuntime, compiled: CompiledFlow, progress: TextIO) -> Once:
    worker = ItemWorker(runtime)
    polled = poll(runtime, compiled) if compiled.poll is not None else None
    before = runtime.ledger.counts(compiled.name)
    handled = 0
    while True:
        queued = runtime.ledger.items(compiled.name, "queued", limit=1000)
        moved = 0
        for item in queued:
            worker.handle(compiled.name, item.id)
            now = runtime.ledger.get(compiled.name, item.id)
            moved += now is None or (now.state, now.attempts) != (item.state, item.attempts)
            handled += 1
            if handled % PROGRESS_EVERY == 0:
                print(f"{compiled.name}: {handled} items handled", file=progress, flush=True)
        if not moved:
            break
    after = runtime.ledger.counts(compiled.name)
    return Once(
        seen=polled.seen if polled else 0,
        queued=polled.queued if polled else 0,
        done=after["done"] - before["done"],
        retrying=after["queued"],
        dead=after["dead"] - before["dead"],
    )
