"""wrk, driven from a generated Lua script: POST one body with its headers, report one JSON line.

The script's done() prints the exact figures (wrk's own percentiles, its error counters) as JSON,
so nothing depends on parsing wrk's human-readable summary.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: wrk's threads: two, one per core of the machines the targets are set for.
THREADS = 2
#: Marks the line done() prints.
MARKER = "WRK-RESULT "
#: Long enough that a slow 100 KB cell at concurrency 64 counts as slow, not as timed out.
TIMEOUT = "30s"

_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, '
    .. '"timeout": %d, "p50_us": %d, "p99_us": %d}\\n',
    MARKER, summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Load:
    """One wrk run's figures: throughput, latency percentiles, and errors (socket errors plus non-2xx answers)."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def lua_string(value: str | bytes) -> str:
    """A Lua string literal for any text or bytes: printable ASCII as is, everything else as a decimal escape."""
    data = value.encode() if isinstance(value, str) else value
    return '"' + "".join(_lua_char(byte) for byte in data) + '"'


def _lua_char(byte: int) -> str:
    if 32 <= byte < 127 and chr(byte) not in '"\\':
        return chr(byte)
    return f"\\{byte:03d}"


def script(body_file: Path, headers: Mapping[str, str]) -> str:
    """The Lua script: reads the body from body_file once, posts it with headers on every request."""
    lines = [
        f"local MARKER = {lua_string(MARKER)}",
        f"local file = assert(io.open({lua_string(str(body_file))}, 'rb'))",
        "wrk.method = 'POST'",
        "wrk.body = file:read('*a')",
        "file:close()",
        *(f"wrk.headers[{lua_string(name)}] = {lua_string(value)}" for name, value in headers.items()),
    ]
    return "\n".join(lines) + "\n" + _DONE


def parse(output: str) -> Load:
    """The figures from the MARKER line of wrk's output."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            figures = json.loads(line[len(MARKER) :])
            break
    else:
        raise RuntimeError(f"wrk printed no result line:\n{output}")
    seconds = figures["duration_us"] / 1e6
    errors = sum(figures[kind] for kind in ("connect", "read", "write", "status", "timeout"))
    return Load(
        requests=figures["requests"],
        seconds=seconds,
        rps=figures["requests"] / seconds if seconds else 0.0,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        errors=errors,
    )


def run(url: str, body: bytes, headers: Mapping[str, str], *, connections: int, seconds: float) -> Load:
    """wrk against url for `seconds`, with `connections` keep-alive connections, posting body with headers."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        body_file = Path(folder, "body")
        body_file.write_bytes(body)
        lua = Path(folder, "post.lua")
        lua.write_text(script(body_file, headers))
        command = [
            "wrk",
            f"--threads={min(THREADS, connections)}",
            f"--connections={connections}",
            f"--duration={max(1, round(seconds))}s",
            f"--timeout={TIMEOUT}",
            "--latency",
            f"--script={lua}",
            url,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk exited {done.returncode}: {done.stderr.strip() or done.stdout.strip()}")
    return parse(done.stdout)


def version() -> str:
    """wrk's version, from `wrk -v` (which exits 1 after printing it)."""
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).split("Copyright")[0].removeprefix("wrk").strip()
