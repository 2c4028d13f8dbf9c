"""`python -m bench.micro [--quick] [--json FILE]`: run the micro-benchmarks and print a table."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import run_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.micro", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs per measurement: faster, rougher")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the rows to FILE as JSON")
    arguments = parser.parse_args(argv)
    rows = run_all(quick=arguments.quick)
    print(table(rows))
    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if all(row["met"] is not False for row in rows) else 1


def table(rows: list[dict[str, Any]]) -> str:
    width = max((len(row["name"]) for row in rows), default=10)
    lines = [f"{'measurement':{width}}  {'value':>12}  unit  target"]
    for row in rows:
        verdict = "" if row["met"] is None else ("met" if row["met"] else "MISSED")
        target = f"{row['target']} {verdict}" if row["target"] else ""
        lines.append(f"{row['name']:{width}}  {row['value']:>12,.3f}  {row['unit']:4}  {target}".rstrip())
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
