"""Wrong passwords against `soapbridge serve` (two workers, its defaults): what they cost, and what a legitimate
client then waits. Loopback only, bounded in time (about a minute).

    python -m bench.signin [--seconds 10] [--rate 35] [--json FILE]

Phases, each --seconds long, with one legitimate client calling JSON GetCustomer in a loop with its right
password throughout: alone; with 16 connections sending wrong passwords at --rate requests a second in all from
one address (many names); and the same from a new address and a new name every time (the throttle cannot see
that, only the hash budget bounds it). Every phase runs twice: with soapbridge's defaults, and "unbounded" (no
throttle, no budget worth the name, passwords remembered for 1 s), which is close to what every call paid before.

127.0.0.1 is a trusted proxy here, so X-Forwarded-For says which address each request comes from. CPU is the
whole process tree's (master, workers, emulators); per request it is the phase's CPU over its requests, the
legitimate ones first charged at the quiet phase's cost.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil
import requests

from soapbridge.passwords import hash_password

from .project import without_ours

CHECKOUT = Path(__file__).resolve().parent.parent
LEGIT = ("billing", secrets.token_urlsafe(16))
ATTACKERS = 16
UNBOUNDED = {
    "SOAPBRIDGE_AUTH_FAILURES": "1000000",
    "SOAPBRIDGE_AUTH_HASH_RATE": "1000000",
    "SOAPBRIDGE_AUTH_CACHE_TTL": "1",
}


@dataclass
class Phase:
    config: str
    attack: str
    legit_median_ms: float
    legit_p90_ms: float
    legit_requests: int
    legit_statuses: dict[str, int]
    attack_requests: int
    attack_statuses: dict[str, int]
    cpu_ms_per_legit_request: float = 0.0
    cpu_ms_per_attack_request: float = 0.0
    max_worker_rss_mb: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.signin", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--rate", type=float, default=35.0, help="wrong passwords a second, all connections")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the phases to FILE")
    arguments = parser.parse_args(argv)
    phases = []
    for config, extra in (("defaults", {}), ("unbounded", UNBOUNDED)):
        with gateway(extra) as (base, pid):
            phases += run_phases(config, base, pid, arguments.seconds, arguments.rate)
    for phase in phases:
        print(
            f"{phase.config:9} {phase.attack:15} legit median {phase.legit_median_ms:7.1f} ms"
            f" p90 {phase.legit_p90_ms:7.1f} ms  {phase.legit_statuses}  attack {phase.attack_statuses}"
            f"  CPU/legit {phase.cpu_ms_per_legit_request:5.1f} ms"
            f"  CPU/attack {phase.cpu_ms_per_attack_request:5.1f} ms"
            f"  worker RSS {phase.max_worker_rss_mb:5.0f} MB"
        )
    if arguments.json:
        arguments.json.write_text(json.dumps([asdict(phase) for phase in phases], indent=2) + "\n")
    return 0


def run_phases(config: str, base: str, pid: int, seconds: float, rate: float) -> list[Phase]:
    session = requests.Session()
    for _ in range(3):
        legit_call(session, base)  # warm: the first call hashes
    quiet = phase(config, "none", base, pid, seconds, rate, None)
    per_legit = quiet.cpu_ms_per_legit_request
    phases = [quiet]
    for attack in ("one address", "rotating"):
        measured = phase(config, attack, base, pid, seconds, rate, attack)
        total = measured.extra.pop("cpu_ms")
        if measured.attack_requests:
            own = total - per_legit * measured.legit_requests
            measured.cpu_ms_per_attack_request = own / measured.attack_requests
        measured.cpu_ms_per_legit_request = per_legit
        phases.append(measured)
    return phases


def phase(config: str, attack: str, base: str, pid: int, seconds: float, rate: float, kind: str | None) -> Phase:
    stop = threading.Event()
    attack_statuses: Counter[str] = Counter()
    threads = [
        threading.Thread(target=attacker, args=(base, n, kind, rate / ATTACKERS, stop, attack_statuses))
        for n in range(ATTACKERS if kind else 0)
    ]
    cpu_before = tree_cpu(pid)
    for thread in threads:
        thread.start()
    latencies, legit_statuses = legit_loop(base, seconds)
    cpu_ms = (tree_cpu(pid) - cpu_before) * 1000
    rss = max_worker_rss(pid)
    stop.set()
    for thread in threads:
        thread.join(30)
    result = Phase(
        config,
        attack,
        statistics.median(latencies),
        statistics.quantiles(latencies, n=10)[-1],
        len(latencies),
        dict(legit_statuses),
        sum(attack_statuses.values()),
        dict(attack_statuses),
        max_worker_rss_mb=rss,
    )
    if kind is None:
        result.cpu_ms_per_legit_request = cpu_ms / len(latencies)
    else:
        result.extra["cpu_ms"] = cpu_ms
    return result


def legit_loop(base: str, seconds: float) -> tuple[list[float], Counter[str]]:
    session = requests.Session()
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        status = legit_call(session, base)
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[str(status)] += 1
        time.sleep(0.05)  # a client calling about 15 times a second, not a load generator
    return latencies, statuses


def legit_call(session: requests.Session, base: str) -> int:
    answer = session.post(
        f"{base}/json/GetCustomer",
        json={"customerId": "1001"},
        auth=LEGIT,
        headers={"X-Forwarded-For": "198.51.100.1"},
        timeout=60,
    )
    return answer.status_code


def attacker(base: str, n: int, kind: str | None, rate: float, stop: threading.Event, statuses: Counter[str]) -> None:
    session = requests.Session()
    interval = 1 / rate
    for attempt in itertools.count():
        if stop.is_set():
            return
        started = time.monotonic()
        peer = f"10.{n}.{attempt >> 8 & 255}.{attempt & 255}" if kind == "rotating" else "203.0.113.7"
        name = f"user{n}-{attempt}" if kind == "rotating" else f"user{attempt % 50}"
        try:
            answer = session.post(
                f"{base}/json/GetCustomer",
                json={"customerId": "1001"},
                auth=(name, secrets.token_urlsafe(9)),
                headers={"X-Forwarded-For": peer},
                timeout=60,
            )
            statuses[str(answer.status_code)] += 1
        except requests.RequestException:
            statuses["error"] += 1
        stop.wait(max(0.0, interval - (time.monotonic() - started)))


@contextmanager
def gateway(extra: dict[str, str]) -> Iterator[tuple[str, int]]:
    """`soapbridge serve` from the checkout, two workers, the emulators it starts itself, a clients file with
    the legitimate client; yields (base URL, serve's pid)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-signin-"))
    clients = folder / "clients.toml"
    clients.write_text(f'[clients.{LEGIT[0]}]\npassword = "{hash_password(LEGIT[1])}"\noperations = ["*"]\n')
    env = without_ours(os.environ) | {
        "SOAPBRIDGE_CLIENTS": str(clients),
        "SOAPBRIDGE_STATE_DIR": str(folder / "state"),
        "SOAPBRIDGE_TRUSTED_PROXIES": "127.0.0.1",
        "SOAPBRIDGE_AUTH_PLAIN_HTTP": "anywhere",
        "SOAPBRIDGE_LOG_LEVEL": "error",
        "SOAPBRIDGE_CRM_USERNAME": "gateway",
        "SOAPBRIDGE_CRM_PASSWORD": secrets.token_urlsafe(16),
        "SOAPBRIDGE_MAILING_USERNAME": "gateway",
        "SOAPBRIDGE_MAILING_PASSWORD": secrets.token_urlsafe(16),
        **extra,
    }
    command = [sys.executable, "-m", "soapbridge", "serve", "--port", "0", "--workers", "2"]
    process = subprocess.Popen(
        command, cwd=CHECKOUT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert process.stdout is not None
        base = next(m.group(1) for line in process.stdout if (m := re.match(r"soapbridge listening on (\S+)", line)))
        threading.Thread(target=process.stdout.read, daemon=True).start()  # keep the pipe drained
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(30)


def tree_cpu(pid: int) -> float:
    seconds = 0.0
    root = psutil.Process(pid)
    for process in [root, *root.children(recursive=True)]:
        with suppress(psutil.Error):
            times = process.cpu_times()
            seconds += times.user + times.system
    return seconds


def max_worker_rss(pid: int) -> float:
    sizes = [0]
    for process in psutil.Process(pid).children(recursive=True):
        with suppress(psutil.Error):
            sizes.append(process.memory_info().rss)
    return max(sizes) / 1e6


if __name__ == "__main__":
    sys.exit(main())
