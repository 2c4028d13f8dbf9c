"""`soapbridge check`: verify the whole configuration offline and print adapter x operation x status.

Checks the canonical XSD, every adapters/*.toml, every legacy WSDL (and that it has each
upstream operation named), every stylesheet, and every golden pair under xslt/<system>/samples.
Reads the folder holding adapters/, wsdl/ and xslt/ (SOAPBRIDGE_HOME, else the current folder,
else the checkout). Needs no network and no credentials. Exit 0 when every row is ok, 1 otherwise.
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
    command.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    settings = Settings.from_env()
    report = check_project(settings)
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
