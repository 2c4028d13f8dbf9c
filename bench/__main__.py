"""`python -m bench`: the load benchmark (gateway against the reference proxy), then the micro-benchmarks.

Prints the machine, the versions, a line per measured cell, then the tables; writes OUT/latest.json,
OUT/bench-<timestamp>.json and OUT/throughput.png. Exit 1 with a one-line reason when it cannot run.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType

from . import report
from .processes import StartError
from .run import BenchError, Options, run


def parse(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1 s windows, the smallest size, concurrency 8 only")
    parser.add_argument("--warmup", type=_seconds, help="warm-up seconds per cell (default 3; --quick 1)")
    parser.add_argument(
        "--duration", type=_seconds, help="measured seconds per side and cell, split in 3 rounds (default 9; --quick 1)"
    )
    parser.add_argument("--out", type=Path, default=Options.out, help="where results go (default bench/results/)")
    parser.add_argument(
        "--only", action="append", default=[], metavar="SCENARIO", help="direct, xslt, routing or json (repeatable)"
    )
    parser.add_argument("--no-micro", dest="micro", action="store_false", help="skip the micro-benchmarks")
    arguments = parser.parse_args(argv)
    quick_window = 1.0 if arguments.quick else None
    return Options(
        warmup=arguments.warmup or quick_window or Options.warmup,
        duration=arguments.duration or quick_window or Options.duration,
        out=arguments.out,
        only=tuple(name for names in arguments.only for name in names.split(",")),
        quick=arguments.quick,
        micro=arguments.micro,
    )


def _seconds(text: str) -> float:
    value = float(text)
    if not 1 <= value <= 600:
        raise argparse.ArgumentTypeError(f"between 1 and 600 seconds, not {text}")
    return value


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through run's finally blocks, which stop every server


def main(argv: list[str]) -> int:
    options = parse(argv)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored (a `&` job)
    try:
        result = run(options, say=lambda line: print(line, flush=True))
    except (BenchError, StartError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; every server stopped", file=sys.stderr)
        return 130
    result["targets"] = report.targets(result)
    print("\n" + report.text(result), end="")
    written = [*report.write_json(result, options.out), report.write_chart(result, options.out / "throughput.png")]
    print("written: " + ", ".join(map(str, written)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
