"""`python -m bench.flows`: crm-to-mailing's initial sync and its lag, against the emulated CRM and mailing list.

    initial sync   N customers made in the CRM (its bulk backdoor), then a scheduler and 1 or 2 worker
                   processes (`soapbridge flows worker`) started on an empty state folder: items per second
                   from the scheduler's start to the last item delivered
    lag            after the sync, customers renamed in the CRM at a steady rate for some seconds, with the
                   flow polling every second: from each change (its backdoor PATCH answered) to its delivery
                   (the ledger's finished time), p50 and p99
    direct         the same SubscribeContact calls made straight through the engine, one after another, for
                   the queue's own cost per item

Everything runs on loopback, in processes this script starts and stops. Prints one line per figure.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
FLOW = "crm-to-mailing"
#: Customers renamed while the lag is measured: enough that two changes of one seldom fall in one poll.
LAG_CUSTOMERS = 1000


class Bench:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.project = folder / "project"
        for part in ("adapters", "wsdl", "xslt"):
            shutil.copytree(ROOT / part, self.project / part)
        (self.project / "flows").mkdir()
        shutil.copy(ROOT / "flows" / f"{FLOW}.toml", self.project / "flows")
        shutil.copy(ROOT / "clients.toml", self.project)
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
        self.env |= {"SOAPBRIDGE_HOME": str(self.project), "SOAPBRIDGE_AUTH": "off", "SOAPBRIDGE_LOG_LEVEL": "warning"}
        for system in ("CRM", "MAILING", "EHR"):
            self.env[f"SOAPBRIDGE_{system}_USERNAME"] = "gateway"
            self.env[f"SOAPBRIDGE_{system}_PASSWORD"] = secrets.token_urlsafe(12)
        self.env["SOAPBRIDGE_WEATHER_LICENCE"] = "licence"
        self.processes: list[subprocess.Popen[str]] = []
        self.admin = ""
        self.http = requests.Session()
        self.http.trust_env = False

    def emulators(self) -> None:
        command = [sys.executable, "-m", "soapbridge", "legacy", "--watch-stdin"]
        child = self._start(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "ready":
                return
            name, url = line.split()[:2]
            if name == "admin":
                self.admin = url
            else:
                self.env[f"SOAPBRIDGE_{name.upper()}_URL"] = url
        raise SystemExit("bench.flows: the emulators did not start")

    def backdoor(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.http.request(method, f"{self.admin}{path}", json=body, timeout=60)
        answer.raise_for_status()
        return answer.json()

    def fresh(self, customers: int) -> None:
        """An empty state folder, the CRM and the list at their seed, then customers more in the CRM."""
        self.env["SOAPBRIDGE_STATE_DIR"] = tempfile.mkdtemp(prefix="state-", dir=self.folder)
        if "SOAPBRIDGE_FLOWS_STORE" in self.env:
            import redis

            redis.Redis.from_url(self.env["SOAPBRIDGE_FLOWS_STORE"]).flushdb()
        for system in ("crm", "mailing"):
            self.backdoor("POST", f"/systems/{system}/reset")
        if customers:
            self.backdoor("POST", "/systems/crm/customers/bulk", {"count": customers})

    def flows(self, workers: int, threads: int) -> list[subprocess.Popen[str]]:
        command = [sys.executable, "-m", "soapbridge", "flows", "worker"]
        started = [self._start([*command, "--scheduler-only"])]
        started += [self._start([*command, "--no-scheduler", "--threads", str(threads)]) for _ in range(workers)]
        return started

    def ledger(self) -> Any:
        from soapbridge.flows.runtime import ledger_at
        from soapbridge.settings import Settings

        return ledger_at(Settings.from_env(self.env), self.env)

    def stop(self, processes: list[subprocess.Popen[str]] | None = None) -> None:
        for process in processes if processes is not None else self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def _start(self, command: list[str], **streams: Any) -> subprocess.Popen[str]:
        process = subprocess.Popen(command, env=self.env, text=True, start_new_session=True, **streams)
        self.processes.append(process)
        return process


def initial_sync(bench: Bench, customers: int, workers: int, threads: int) -> float:
    bench.fresh(customers)
    total = customers + 6
    started = time.monotonic()
    running = bench.flows(workers, threads)
    ledger = bench.ledger()
    try:
        while ledger.counts(FLOW)["done"] + ledger.counts(FLOW)["dead"] < total:
            if time.monotonic() - started > 600:
                raise SystemExit(f"bench.flows: the sync of {total} items took over 600 s")
            time.sleep(0.05)
        return total / (time.monotonic() - started)
    finally:
        bench.stop(running)


def lag(bench: Bench, per_second: float, seconds: float, threads: int) -> tuple[float, float, int]:
    """p50 and p99 of the lag, in seconds, and how many changes were measured."""
    bench.fresh(LAG_CUSTOMERS - 6)
    running = bench.flows(2, threads)
    ledger = bench.ledger()
    try:
        while ledger.counts(FLOW)["done"] < LAG_CUSTOMERS:
            time.sleep(0.05)
        changed: dict[str, float] = {}
        ids = [str(1001 + (n * 7919) % LAG_CUSTOMERS) for n in range(int(per_second * seconds))]
        begin = time.monotonic()
        for n, id in enumerate(ids):
            time.sleep(max(0.0, begin + n / per_second - time.monotonic()))
            answer = bench.backdoor("PATCH", f"/systems/crm/customers/{id}", {"name": f"Renamed {n}"})
            changed[f"{id}@{answer['version']}"] = time.time()
        deadline = time.monotonic() + 60
        while ledger.counts(FLOW)["queued"] + ledger.counts(FLOW)["running"] and time.monotonic() < deadline:
            time.sleep(0.1)
        found = (ledger.get(FLOW, id) for id in changed)
        lags = sorted(item.finished - changed[item.id] for item in found if item is not None and item.state == "done")
        return statistics.median(lags), lags[max(0, int(len(lags) * 0.99) - 1)], len(lags)
    finally:
        bench.stop(running)


def direct(bench: Bench, calls: int) -> float:
    """Seconds per SubscribeContact made straight through the engine, one after another."""
    from lxml import etree

    from soapbridge.engine import Engine
    from soapbridge.namespaces import CANONICAL
    from soapbridge.settings import Settings

    os.environ.update(bench.env)
    engine = Engine(Settings.from_env(bench.env))
    started = time.monotonic()
    for n in range(calls):
        request = etree.Element(f"{{{CANONICAL}}}SubscribeContact")
        for name, value in (("listId", "newsletter"), ("customerId", str(2000 + n)), ("email", f"d{n}@example.com")):
            etree.SubElement(request, f"{{{CANONICAL}}}{name}").text = value
        engine.call("SubscribeContact", request)
    return (time.monotonic() - started) / calls


@contextmanager
def benching() -> Iterator[Bench]:
    with tempfile.TemporaryDirectory(prefix="bench-flows-") as folder:
        bench = Bench(Path(folder))
        try:
            bench.emulators()
            yield bench
        finally:
            bench.stop()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.flows", description=__doc__)
    parser.add_argument("--customers", type=int, default=10_000, help="customers in the initial sync (10000)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process (4)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker processes, one sync each (1 2)")
    parser.add_argument("--sync-only", action="store_true", help="measure the initial syncs only")
    parser.add_argument(
        "--redis", metavar="URL", help="keep the queue, ledger and idempotency keys on this Redis server (a flushed db)"
    )
    parser.add_argument("--rate", type=float, default=20.0, help="changes per second while the lag is measured (20)")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long changes are made (20)")
    arguments = parser.parse_args()
    with benching() as bench:
        if arguments.redis:
            bench.env |= {"SOAPBRIDGE_FLOWS_STORE": arguments.redis, "SOAPBRIDGE_IDEMPOTENCY_STORE": arguments.redis}
        for workers in arguments.workers:
            rate = initial_sync(bench, arguments.customers, workers, arguments.threads)
            print(
                f"initial sync of {arguments.customers + 6} customers, {workers} worker process(es): {rate:.0f} items/s"
            )
        if arguments.sync_only:
            return 0
        p50, p99, count = lag(bench, arguments.rate, arguments.seconds, arguments.threads)
        print(f"lag at {arguments.rate:g} changes/s, 1 s poll, {count} changes: p50 {p50:.2f} s, p99 {p99:.2f} s")
        bench.fresh(0)
        per_call = direct(bench, 1000)
        print(f"SubscribeContact straight through the engine: {per_call * 1000:.2f} ms per call, one at a time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
