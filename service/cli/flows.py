"""`soapbridge flows`: list, inspect and run the project's flows (flows/<name>.toml).

    list                      every flow, its trigger and targets
    status [NAME]             items queued, running, done and dead, the watermark and the last poll
    run NAME --once           poll once and deliver every item that is due, in this process, showing progress
    dead NAME                 the dead letters, each with its reason
    replay NAME [ID...]       queue dead letters again (all of them without ids)
    reconcile NAME [--repair] compare source and target; exit 1 on drift; --repair queues the fixing items
    worker                    run flow workers (and the scheduler) until SIGTERM, e.g. on another machine

The flows reach the legacy systems through the gateway's engine, so they need what `soapbridge try` needs:
SOAPBRIDGE_<SYSTEM>_URL and the systems' credentials. State: SOAPBRIDGE_FLOWS_STORE (redis://... for several
machines), else SQLite files in the state folder.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from ..errors import UsageError
from ..settings import Settings


def register(commands: Any) -> None:
    command = commands.add_parser(
        "flows",
        help="run and inspect flows between legacy systems",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = command.add_subparsers(dest="verb", metavar="VERB", required=True)
    verbs.add_parser("list", help="every flow, its trigger and targets").set_defaults(run=_list)
    status = verbs.add_parser("status", help="items by state, watermark and last poll")
    status.add_argument("name", nargs="?", help="one flow (default: all)")
    status.set_defaults(run=_status)
    once = verbs.add_parser("run", help="poll once and deliver every due item in this process")
    once.add_argument("name")
    once.add_argument("--once", action="store_true", required=True, help="one poll, then deliver what is due")
    once.set_defaults(run=_run_once)
    dead = verbs.add_parser("dead", help="the dead letters and why")
    dead.add_argument("name")
    dead.set_defaults(run=_dead)
    replay = verbs.add_parser("replay", help="queue dead letters again")
    replay.add_argument("name")
    replay.add_argument("ids", nargs="*", metavar="ID", help="item ids (key@version; default: every dead letter)")
    replay.set_defaults(run=_replay)
    reconcile = verbs.add_parser("reconcile", help="compare source and target; exit 1 on drift")
    reconcile.add_argument("name")
    reconcile.add_argument("--repair", action="store_true", help="queue the items that fix each drift")
    reconcile.set_defaults(run=_reconcile)
    worker = verbs.add_parser("worker", help="run flow workers and the scheduler until stopped")
    worker.add_argument("--threads", type=_threads, default=4, help="worker threads (default 4)")
    roles = worker.add_mutually_exclusive_group()
    roles.add_argument("--no-scheduler", action="store_true", help="only deliver items; poll nothing")
    roles.add_argument("--scheduler-only", action="store_true", help="only poll and sweep; deliver nothing")
    worker.add_argument(
        "--notifications",
        metavar="HOST:PORT",
        type=_address,
        help="take flows' one-way SOAP notifications on POST http://HOST:PORT/flows/<name> (port 0: any free one)",
    )
    worker.set_defaults(run=_worker)


def _threads(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"a whole number between 1 and 64, not {text!r}")
    return int(text)


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"HOST:PORT, e.g. 127.0.0.1:8081, not {text!r}")
    return host, int(port)


def _runtime() -> Any:
    from ..flows.runtime import FlowRuntime  # the engine and huey: only for a verb that runs something

    return FlowRuntime(Settings.from_env())


def _flow(runtime: Any, name: str) -> Any:
    compiled = runtime.flows.get(name)
    if compiled is None:
        known = ", ".join(sorted(runtime.flows)) or "none"
        raise UsageError(f"no flow {name!r} (flows: {known})")
    return compiled


def _list(arguments: argparse.Namespace) -> int:
    runtime = _runtime()
    for name, compiled in sorted(runtime.flows.items()):
        trigger = compiled.poll.operation if compiled.poll else "notification"
        state = "" if compiled.flow.enabled else "  (disabled)"
        print(f"{name}  {trigger} -> {', '.join(compiled.flow.targets)}{state}")
    return 0


def _status(arguments: argparse.Namespace) -> int:
    runtime = _runtime()
    names = [_flow(runtime, arguments.name).name] if arguments.name else sorted(runtime.flows)
    for name in names:
        counts = runtime.ledger.counts(name)
        mark = runtime.ledger.watermark(name)
        oldest = runtime.ledger.oldest_open(name)
        polled = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mark.polled)) if mark else "never"
        lag = f"{time.time() - oldest:.1f}s" if oldest else "0s"
        print(
            f"{name}: queued {counts['queued']}, running {counts['running']}, done {counts['done']}, "
            f"dead {counts['dead']}; lag {lag}; last poll {polled}; watermark {mark.value if mark else '-'!s}"
        )
    return 0


def _run_once(arguments: argparse.Namespace) -> int:
    from ..flows.once import run_once

    runtime = _runtime()
    result = run_once(runtime, _flow(runtime, arguments.name), sys.stderr)
    print(
        f"{arguments.name}: polled {result.seen} items, queued {result.queued}; delivered {result.done}, "
        f"retrying {result.retrying}, dead {result.dead}"
    )
    return 1 if result.dead or result.retrying else 0


def _dead(arguments: argparse.Namespace) -> int:
    runtime = _runtime()
    items = runtime.ledger.items(_flow(runtime, arguments.name).name, "dead")
    for item in items:
        print(f"{item.id}  attempts {item.attempts}  {item.reason}")
    print(f"{len(items)} dead letters", file=sys.stderr)
    return 0


def _replay(arguments: argparse.Namespace) -> int:
    runtime = _runtime()
    name = _flow(runtime, arguments.name).name
    ids = runtime.ledger.replay(name, arguments.ids)
    missing = set(arguments.ids) - set(ids)
    runtime.enqueue(name, ids)
    print(f"{name}: {len(ids)} items queued again")
    if missing:
        raise UsageError(f"not dead letters of {name}: {', '.join(sorted(missing))}")
    return 0


def _reconcile(arguments: argparse.Namespace) -> int:
    from ..flows.reconcile import reconcile

    runtime = _runtime()
    compiled = _flow(runtime, arguments.name)
    if compiled.reconcile is None:
        raise UsageError(f"flow {compiled.name} declares no [reconcile] table")
    report = reconcile(runtime, compiled, repair=arguments.repair, progress=sys.stderr)
    for drift in report.drifts:
        print(f"{drift.key}: {drift.why}")
    repaired = f"; {report.repaired} repair items queued" if arguments.repair else ""
    print(f"{compiled.name}: {report.compared} compared, {len(report.drifts)} drifting{repaired}")
    return 1 if report.drifts else 0


def _worker(arguments: argparse.Namespace) -> int:
    from ..flows.process import run_process
    from ..telemetry.logs import configure

    runtime = _runtime()
    configure(runtime.settings)
    print(f"soapbridge flows worker: {', '.join(sorted(runtime.flows)) or 'no flows'}", flush=True)
    run_process(
        runtime,
        arguments.threads,
        workers=not arguments.scheduler_only,
        scheduler=not arguments.no_scheduler,
        inbox=arguments.notifications,
    )
    return 0
