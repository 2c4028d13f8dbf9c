"""`soapbridge validate`: check XML files against an XSD, a WSDL's messages or the canonical contract.

Every problem of every file is reported as file:line:column: /path/of/element: reason.
Exit 0 when every file is valid, 1 when one is invalid or unreadable, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..settings import Settings
from ..toolkit.validate import (
    DEFAULT_MAX_BYTES,
    CanonicalTarget,
    FileReport,
    Report,
    Target,
    WsdlTarget,
    XsdTarget,
    validate_files,
)
from ..xmlcheck import Problem


def register(commands: Any) -> None:
    command = commands.add_parser(
        "validate",
        help="validate XML files against an XSD, a WSDL or the canonical contract",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR", help="files, or folders of *.xml files")
    against = command.add_mutually_exclusive_group(required=True)
    against.add_argument("--xsd", type=Path, metavar="SCHEMA", help="an XSD file")
    against.add_argument(
        "--wsdl", type=Path, metavar="WSDL", help="a WSDL 1.1 file: envelopes or bodies of its messages"
    )
    against.add_argument(
        "--canonical", metavar="TYPE", help="an element (GetCustomer) or complex type (Customer) of the canonical XSD"
    )
    command.add_argument(
        "--operation", metavar="NAME", help="with --wsdl: the operation (default: found from the body)"
    )
    command.add_argument(
        "--direction", choices=("input", "output"), help="with --wsdl: the message (default: found from the body)"
    )
    command.add_argument("--format", choices=("text", "json"), default="text", help="report format (default text)")
    command.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"refuse files larger than this (default {DEFAULT_MAX_BYTES})",
    )
    command.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    report = validate_files(arguments.paths, _target(arguments), max_bytes=arguments.max_bytes)
    print(json.dumps(report.as_dict(), indent=2) if arguments.format == "json" else _text(report))
    return 1 if report.invalid else 0


def _target(arguments: argparse.Namespace) -> Target:
    if arguments.wsdl is None and (arguments.operation or arguments.direction):
        raise UsageError("--operation and --direction go with --wsdl")
    if arguments.max_bytes < 1:
        raise UsageError("--max-bytes must be a positive number of bytes")
    if arguments.xsd is not None:
        return XsdTarget(arguments.xsd)
    if arguments.wsdl is not None:
        return WsdlTarget(arguments.wsdl, arguments.operation, arguments.direction)
    return CanonicalTarget(Settings.from_env().canonical_xsd, arguments.canonical)


def _text(report: Report) -> str:
    lines = [line for file in report.files for line in _file_lines(file)]
    summary = report.summary()
    lines.append(f"{summary['files']} file{'s' * (summary['files'] != 1)}, {summary['invalid']} invalid")
    return "\n".join(lines)


def _file_lines(file: FileReport) -> list[str]:
    if file.valid:
        return [f"{file.file}: valid"]
    return [_problem_line(file.file, problem) for problem in file.problems]


def _problem_line(file: str, problem: Problem) -> str:
    where = f":{problem.line}" + (f":{problem.column}" if problem.column else "") if problem.line else ""
    path = f" {problem.path}:" if problem.path else ""
    return f"{file}{where}:{path} {problem.reason}"
