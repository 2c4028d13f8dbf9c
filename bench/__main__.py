"""`python -m bench`: the load benchmark (gateway against the reference proxy and the naive peer), then the
micro-benchmarks.

Prints the machine, the versions, a line per measured cell, then the tables; writes OUT/latest.json,
OUT/bench-<timestamp>.json and OUT/throughput.png. Exit 1 with a one-line reason when it cannot run.
--compare BASELINE also compares the gateway's CPU per request with a kept result and exits 1 on a regression
(bench/baseline.py); --readme writes OUT/README-table.md, only from a clean tree (bench/readme.py); --profile
samples a gateway worker under load with py-spy instead (bench/profile.py).
"""

from __future__ import annotations

import argparse
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from . import baseline, profile, readme, report
from .processes import StartError
from .run import BenchError, Options, run


@dataclass(frozen=True)
class Actions:
    """What to do besides (or instead of) an ordinary run."""

    compare: Path | None = None
    #: A result to compare instead of running the benchmark.
    result: Path | None = None
    readme: bool = False
    keep: bool = False
    profile: bool = False


def parse(argv: list[str]) -> Options:
    return parse_all(argv)[0]


def parse_all(argv: list[str]) -> tuple[Options, Actions]:
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
    parser.add_argument(
        "--compare", type=Path, metavar="BASELINE", help="exit 1 if a cell's gateway CPU/request grew >10 %%"
    )
    parser.add_argument("--result", type=Path, metavar="JSON", help="with --compare: compare this result, run nothing")
    parser.add_argument("--readme", action="store_true", help="write OUT/README-table.md; refused on a dirty tree")
    parser.add_argument("--keep", action="store_true", help="with --readme: keep the result in bench/baselines/")
    parser.add_argument("--profile", action="store_true", help="py-spy a gateway worker under load instead")
    arguments = parser.parse_args(argv)
    if arguments.result and not arguments.compare:
        parser.error("--result needs --compare")
    quick_window = 1.0 if arguments.quick else None
    actions = Actions(arguments.compare, arguments.result, arguments.readme, arguments.keep, arguments.profile)
    return Options(
        warmup=arguments.warmup or quick_window or Options.warmup,
        duration=arguments.duration or quick_window or Options.duration,
        out=arguments.out,
        only=tuple(name for names in arguments.only for name in names.split(",")),
        quick=arguments.quick,
        micro=arguments.micro,
    ), actions


def _seconds(text: str) -> float:
    value = float(text)
    if not 1 <= value <= 600:
        raise argparse.ArgumentTypeError(f"between 1 and 600 seconds, not {text}")
    return value


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through run's finally blocks, which stop every server


def _say(line: str) -> None:
    print(line, flush=True)


def main(argv: list[str]) -> int:
    options, actions = parse_all(argv)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored (a `&` job)
    try:
        if actions.profile:
            profile.run(options.duration, options.warmup, options.out, _say)
            return 0
        if actions.result:
            return _compare(actions.compare, baseline.read(actions.result))
        commit = readme.clean_commit() if actions.readme else ""
        result = run(options, say=_say)
        if commit:
            readme.still(commit)
    except (BenchError, StartError, profile.ProfileError, readme.DirtyTree) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; every server stopped", file=sys.stderr)
        return 130
    return _finish(result, options, actions, commit)


def _finish(result: dict[str, Any], options: Options, actions: Actions, commit: str) -> int:
    result["targets"] = report.targets(result)
    print("\n" + report.text(result), end="")
    written = [*report.write_json(result, options.out), report.write_chart(result, options.out / "throughput.png")]
    if commit:
        written.append(readme.write(result, commit, options.out))
        print("\n" + readme.table(result, commit), end="")
        if actions.keep:
            written.append(baseline.keep(result))
    print("written: " + ", ".join(map(str, written)))
    return _compare(actions.compare, result) if actions.compare else 0


def _compare(baseline_path: Path | None, result: dict[str, Any]) -> int:
    """Print the comparison with the baseline; 1 when a cell regressed (loudly, on stderr too)."""
    assert baseline_path is not None
    try:
        found, regressed = baseline.compare(baseline_path, result)
    except (OSError, ValueError, KeyError) as error:
        print(f"bench: cannot compare with {baseline_path}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(found)
    if regressed:
        print(f"bench: gateway CPU per request regressed against {baseline_path}", file=sys.stderr)
    return 1 if regressed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
