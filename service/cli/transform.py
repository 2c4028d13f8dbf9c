"""`soapbridge transform`: run an adapter's mapping on a sample and check the result against its target schema.

--request FILE   FILE is a canonical request (with --json, its JSON form). It is checked against the
                 canonical XSD, then the request stylesheet runs and the legacy body is printed and
                 checked against the legacy WSDL's input message. For an operation with steps (a
                 composite), FILE may also be a context document (<ctx:context>); each step's request
                 stylesheet runs on it and prints the canonical request of the operation the step calls.
                 Nothing is called, so a step sees earlier steps' answers only if the context holds them.
                 --step NAME runs one of them (a step's name, or "upstream").
--response FILE  FILE is the legacy answer: its body element or a whole SOAP envelope; for an operation
                 with steps and no upstream call, the context document with the steps' answers. The
                 response stylesheet runs, and the canonical response is printed (with --json, as its
                 JSON form) and checked against the canonical XSD. Response stylesheets may take
                 xsl:params from the canonical request: give it with --request-sample FILE (a request
                 in XML or in the JSON form, or a context); a context given as FILE provides its own.
                 Without one, they run without params, as for a request that has none of those fields.

Results go to stdout; problems to stderr (lines are lines of the printed result). Exit 0 when the
sample and every result are valid, 1 when something is invalid or a stylesheet fails, 2 on usage
errors. Adapters are read from SOAPBRIDGE_HOME (else the current folder, else the checkout); no
credentials are needed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import MappingError, UsageError
from ..jsonform import from_json, load_shapes, parse_json, to_json
from ..settings import Settings
from ..toolkit.project import mapping_problem
from ..toolkit.transform import Mapped, OperationMapping, Outcome
from ..xmlcheck import Problem
from ..xmlparse import parse_bytes


def register(commands: Any) -> None:
    command = commands.add_parser(
        "transform",
        help="run an adapter's mapping on a sample, offline, and check the result",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("adapter", metavar="ADAPTER", help="an adapter's name (adapters/<ADAPTER>.toml)")
    command.add_argument("operation", metavar="OPERATION", help="a canonical operation the adapter maps")
    side = command.add_mutually_exclusive_group(required=True)
    side.add_argument("--request", type=Path, metavar="FILE", help="a canonical request (or a composite's context)")
    side.add_argument("--response", type=Path, metavar="FILE", help="a legacy answer (or a composite's context)")
    command.add_argument("--request-sample", type=Path, metavar="FILE", help="with --response: the canonical request")
    command.add_argument("--step", metavar="NAME", help='with --request: run only this step (or "upstream")')
    command.add_argument("--json", action="store_true", help="canonical documents in and out as the JSON form")
    command.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    _refuse_clashes(arguments)
    mapping = OperationMapping(Settings.from_env(), arguments.adapter, arguments.operation)
    try:
        outcome = _map(mapping, arguments)
    except MappingError as exc:
        print(mapping_problem(exc), file=sys.stderr)
        return 1
    sample = arguments.request or arguments.response
    _print_sample_problems(sample, outcome.sample_problems)
    for result in outcome.results:
        _print_result(result, mapping, arguments.json and arguments.response is not None, len(outcome.results) > 1)
    return 0 if outcome.ok else 1


def _refuse_clashes(arguments: argparse.Namespace) -> None:
    if arguments.request_sample is not None and arguments.response is None:
        raise UsageError("--request-sample goes with --response")
    if arguments.step is not None and arguments.request is None:
        raise UsageError("--step goes with --request")


def _map(mapping: OperationMapping, arguments: argparse.Namespace) -> Outcome:
    if arguments.request is not None:
        return mapping.map_request(_canonical(mapping, arguments.request, arguments.json), arguments.step)
    sample = arguments.request_sample
    request = _canonical(mapping, sample, None) if sample is not None else None
    return mapping.map_response(_xml(arguments.response), request)


def _canonical(mapping: OperationMapping, path: Path, as_json: bool | None) -> etree._Element:
    """A canonical request in XML or in the JSON form; as_json None: JSON if the file looks like it."""
    data = _read(path)
    if not (data.lstrip().startswith(b"{") if as_json is None else as_json):
        return parse_bytes(data, what=str(path))
    shapes = load_shapes(mapping.settings.canonical_xsd)
    return from_json(parse_json(data), shapes[mapping.canonical.name])


def _xml(path: Path) -> etree._Element:
    return parse_bytes(_read(path), what=str(path))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _print_sample_problems(sample: Path, problems: tuple[Problem, ...]) -> None:
    for problem in problems:
        where = ":".join(str(part) for part in (sample, problem.line, problem.column) if part is not None)
        print(f"{where}: {problem.path}: {problem.reason}", file=sys.stderr)


def _print_result(result: Mapped, mapping: OperationMapping, as_json: bool, several: bool) -> None:
    if several:
        print(f"<!-- {result.stylesheet} -> {result.target} -->")
    if as_json and not result.problems:
        shape = load_shapes(mapping.settings.canonical_xsd)[etree.QName(result.root).localname]
        print(to_json(result.root, shape))
    else:
        sys.stdout.write(result.document.decode())
    sys.stdout.flush()
    if result.problems:
        print(f"{result.stylesheet} produced an invalid result; expected {result.target}:", file=sys.stderr)
        for problem in result.problems:
            line = f"line {problem.line}: " if problem.line else ""
            print(f"  {line}{problem.path}: {problem.reason}", file=sys.stderr)
        if as_json:
            print("  (printed as XML: only a valid response has a JSON form)", file=sys.stderr)
