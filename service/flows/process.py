"""A flows process: huey's consumer (worker threads taking items) and, unless told otherwise, the scheduler.

`soapbridge flows worker` runs one; `soapbridge serve` starts one beside the gateway. SIGTERM or SIGINT stops
it: an item in flight is simply taken again by the next worker once its lease runs out.
"""

from __future__ import annotations

import signal
import threading

from .runtime import FlowRuntime
from .scheduler import Scheduler
from .worker import ItemWorker

#: How long an idle worker thread waits before it looks at the queue again, at most (huey's default is 10 s).
IDLE_POLL = 0.25


def run_process(
    runtime: FlowRuntime,
    threads: int,
    *,
    workers: bool = True,
    scheduler: bool = True,
    inbox: tuple[str, int] | None = None,
) -> None:
    ItemWorker(runtime)
    if inbox is not None:
        from .notification import serve_inbox

        url, _ = serve_inbox(runtime, *inbox)
        print(f"flows notifications: POST {url}<flow>", flush=True)
    stop = threading.Event()
    polling = threading.Thread(target=Scheduler(runtime).run, args=(stop,), name="flows-scheduler", daemon=True)
    if scheduler:
        polling.start()
    try:
        if workers:
            consumer = runtime.queue.create_consumer(
                workers=threads,
                worker_type="thread",
                periodic=False,
                initial_delay=0.02,
                max_delay=IDLE_POLL,
                graceful_signal="INT",
            )
            consumer.run()
        else:
            _wait_for_signal(stop)
    finally:
        stop.set()
        if polling.is_alive():
            polling.join(5)


def _wait_for_signal(stop: threading.Event) -> None:
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
