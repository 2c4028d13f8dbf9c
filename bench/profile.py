"""Where a real gateway worker's CPU goes: py-spy samples one gunicorn worker while wrk drives the gateway.

    python -m bench --profile [--duration S] [--out DIR]     (py-spy comes with the bench extra)

The bench's own set-up (canned upstream, bench project, `soapbridge serve` with its production defaults) serves
PROFILED scenarios in turn at CONCURRENCY users; after a warm-up, py-spy records the busiest worker for the
measured seconds in its raw (collapsed stack) format, which flamegraph.pl, speedscope and inferno read. The
terminal shows the top functions by self time (the sample's innermost frame) and by cumulative time (anywhere on
the stack, counted once per sample), as shares of the samples.

SPY_FLAGS say why the samples are what they are. --nonblocking: pausing the worker for each sample cut its
throughput so far that most samples were waits. --gil: only the thread holding the GIL is sampled, i.e. the
worker's Python work; without it, a worker's 8 threads waiting for the GIL after a socket call (or on the pool's
queue) were counted as busy, and about 70 % of the samples sat in queue waits, socket writes and reads. The price:
lxml releases the GIL while it parses and applies a stylesheet, so those show only in part; the reference does
the same lxml work, so the gateway's own cost is what remains.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import psutil

from . import processes, wrk
from .processes import Child
from .scenarios import Scenario, scenarios

PROFILED = ("xslt GetCustomer 1KB", "xslt SearchCustomers 10KB")
CONCURRENCY = 8
RATE = 250  # samples a second: enough for a few thousand samples in a short window, little overhead
TOP = 20
SPY_FLAGS = ("--nonblocking", "--gil")
#: A raw line's frame: "function (path/to/file.py:123)"; the line number is dropped to sum a function's lines.
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


class ProfileError(RuntimeError):
    """Raised when py-spy is missing or records nothing."""


@dataclass(frozen=True)
class Profile:
    """One scenario's samples: by function, self and cumulative counts, out of samples."""

    scenario: str
    samples: int
    own: Counter[str]
    cumulative: Counter[str]


def function(frame: str) -> str:
    """A frame as "function (file)": the file shortened to its package path, the line number dropped."""
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    return f"{match['function']} ({_short(match['file'])})"


def _short(path: str) -> str:
    """A source path from its package on: gunicorn/..., service/..., bench/..., or the standard library's."""
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    for folder in ("/service/", "/bench/"):
        if folder in path:
            return folder[1:] + path.rsplit(folder, 1)[1]
    if "/lib/python3." in path:
        return path.split("/lib/python3.", 1)[1].partition("/")[2]
    return path


def parse(raw: Iterable[str], scenario: str = "") -> Profile:
    """py-spy's raw format: one "frame;frame;...;innermost count" line per distinct stack."""
    own: Counter[str] = Counter()
    cumulative: Counter[str] = Counter()
    samples = 0
    for line in raw:
        stack, _, count_text = line.rstrip("\n").rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [function(frame) for frame in stack.split(";")]
        frames = [frame for frame in frames if not frame.startswith(("process ", "thread "))]
        if not frames:
            continue
        samples += count
        own[frames[-1]] += count
        for name in set(frames):
            cumulative[name] += count
    return Profile(scenario, samples, own, cumulative)


def top(profile: Profile, limit: int = TOP) -> str:
    """Two tables: the top functions by self time, then by cumulative time, as % of the samples."""
    parts = [f"{profile.scenario}: {profile.samples} samples of one gateway worker"]
    for title, counts in (("self", profile.own), ("cumulative", profile.cumulative)):
        parts.append(f"  by {title} time:")
        for name, count in counts.most_common(limit):
            parts.append(f"    {100 * count / profile.samples:5.1f} %  {name}")
    return "\n".join(parts)


def busiest_worker(gateway: Child) -> psutil.Process:
    """The gateway worker that has used the most CPU so far (after the warm-up: the one wrk keeps busiest)."""
    workers = processes.workers(gateway)
    if not workers:
        raise ProfileError("the gateway has no worker to profile")
    return max(workers, key=lambda worker: sum(worker.cpu_times()[:2]))


def record(gateway: Child, scenario: Scenario, seconds: float, warmup: float, out: Path) -> Profile:
    """Warm up, then py-spy one worker for `seconds` while wrk keeps the gateway at CONCURRENCY users."""
    beside = Path(sys.executable).parent / "py-spy"  # a virtualenv's, when its bin folder is not on PATH
    spy = str(beside) if beside.exists() else shutil.which("py-spy")
    if spy is None:
        raise ProfileError("py-spy is not installed (pip install -e '.[bench]')")
    url = gateway.url + scenario.path
    wrk.run(url, scenario.body, scenario.headers, connections=CONCURRENCY, seconds=warmup)
    worker = busiest_worker(gateway)
    raw = out / f"profile-{scenario.key.replace(' ', '-')}.txt"
    load = threading.Thread(
        target=wrk.run,
        args=(url, scenario.body, scenario.headers),
        kwargs={"connections": CONCURRENCY, "seconds": seconds + 2},
    )
    load.start()
    try:
        command = [spy, "record", "--pid", str(worker.pid), "--duration", str(max(1, round(seconds))),
                   "--rate", str(RATE), *SPY_FLAGS, "--format", "raw", "--output", str(raw)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    finally:
        load.join()
    if done.returncode != 0 or not raw.exists():
        raise ProfileError(f"py-spy failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-300:]}")
    with raw.open() as lines:
        return parse(lines, scenario.key)


def run(seconds: float, warmup: float, out: Path, say: Callable[[str], None] = print) -> list[Profile]:
    """Start the bench's servers (without the naive peer), and profile each of PROFILED in turn."""
    from .run import started  # the run module imports this one's siblings; keep the import graph one-way

    chosen = [scenario for scenario in scenarios() if scenario.key in PROFILED]
    out.mkdir(parents=True, exist_ok=True)
    found = []
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as folder, started(Path(folder), say, False) as servers:
        for scenario in chosen:
            profile = record(servers.gateway, scenario, seconds, warmup, out)
            say(top(profile))
            found.append(profile)
    say(f"raw stacks (flamegraph.pl, speedscope, inferno read them): {out}/profile-*.txt")
    return found
