"""`soapbridge check`: verify the whole configuration offline and print adapter x operation x status.

Compiles the project exactly as `serve` does (the same rules, in one place), and collects every
problem instead of stopping at the first: the canonical XSD and the per-system modules it includes,
every adapters/*.toml, every legacy WSDL (its one SOAP port, each upstream operation named), every
operation (canonical, at most one adapter without a route, routes, steps that call served operations
and never lead back), every stylesheet, and the clients file when authentication is on. On top, every
stylesheet needs a golden pair under xslt/<system>/samples, each must still hold, and each golden
output must be what its target accepts: the legacy WSDL's input message for a request stylesheet, the
canonical XSD for the others. Reads the folder holding adapters/, wsdl/ and xslt/ (SOAPBRIDGE_HOME,
else the current folder, else the checkout). Needs no network and no credentials. Exit 0 when every
row is ok, 1 otherwise. `serve` refuses to start on exactly the rows that fail here, and also when a
credential variable is unset, which check only notes.

--accept first writes each golden output (samples/<stem>[.<case>].out.xml) that is missing or no longer
what its stylesheet makes of its input, and names each one written; then checks as above, so an output
its target does not accept still fails. Plain check never writes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from ..settings import Settings
from ..toolkit.check import Report, Row, check_project

HEADER = Row("ADAPTER", "OPERATION", True, "DETAIL")


def register(commands: Any) -> None:
    command = commands.add_parser(
        "check",
        help="verify the whole configuration offline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument(
        "--accept",
        action="store_true",
        help="first write each golden output that is missing or no longer what its stylesheet makes",
    )
    command.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    settings = Settings.from_env()
    report = check_project(settings, accept=arguments.accept)
    for path in report.accepted:
        print(f"accepted {path.relative_to(settings.root)}")
    print_table(report.rows, sys.stdout)
    print(summary(report, settings))
    return 0 if report.ok else 1


def print_table(rows: Sequence[Row], out: TextIO) -> None:
    """The rows as aligned columns under a header; the detail column is never cut."""
    adapter = max(len(row.adapter) for row in (HEADER, *rows))
    operation = max(len(row.operation or "-") for row in (HEADER, *rows))
    for row in (HEADER, *rows):
        status = "STATUS" if row is HEADER else "ok" if row.ok else "FAIL"
        print(f"{row.adapter:{adapter}}  {row.operation or '-':{operation}}  {status:6}  {row.detail}", file=out)


def summary(report: Report, settings: Settings) -> str:
    if report.ok:
        operations = sum(1 for row in report.rows if row.operation)
        return f"{settings.root}: configuration ok ({operations} operations)"
    failing = len(report.failures)
    return f"{settings.root}: configuration broken ({failing} failing row{'s' if failing > 1 else ''})"
