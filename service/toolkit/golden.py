"""Golden pairs: the sample inputs of a stylesheet and the outputs it must produce.

Convention, for a stylesheet xslt/<system>/<stem>.xsl:
    xslt/<system>/samples/<stem>.in.xml        what the stylesheet is given
    xslt/<system>/samples/<stem>.out.xml       what it must produce (compared as normalised trees)
and optionally more pairs <stem>.<case>.in.xml / <stem>.<case>.out.xml.

A response stylesheet (<Op>.response.xsl) may declare top-level xsl:params named after the
fields of the canonical request; their values come from the matching request sample
(<Op>.request[.<case>].in.xml, or the request inside it when it is a composite's context),
else from the request inside the given context, exactly as the engine takes them from the
live request.

`check --accept` writes each expected output that is missing or no longer what the stylesheet makes
(accept_pair); plain `check` never writes.

A stylesheet also gets its adapter's [parameters], as placeholders: a literal is itself, a value from the
environment is {{name}}. So a golden output is the same on every machine and never holds a secret.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..config import AdapterConfig
from ..engine.engine import request_fields
from ..engine.mapping import Stylesheet
from ..errors import MappingError, XmlError
from ..parameters import placeholders
from ..xmlparse import parse_file
from .project import is_context, mapping_problem, relative, request_in
from .xmldiff import first_difference


@dataclass(frozen=True)
class GoldenPair:
    given: Path
    expected: Path
    #: "" for the plain pair, ".<case>" for the others.
    case: str = ""


def golden_pairs(stylesheet: Path) -> list[GoldenPair]:
    samples = stylesheet.parent / "samples"
    stem = stylesheet.stem
    inputs = sorted([*samples.glob(f"{stem}.in.xml"), *samples.glob(f"{stem}.*.in.xml")])
    return [_pair(stem, given) for given in inputs]


def golden_parameters(adapters: Iterable[AdapterConfig]) -> dict[Path, dict[str, str]]:
    """The parameters each stylesheet's golden pairs are made with: the placeholders of the first adapter using it."""
    found: dict[Path, dict[str, str]] = {}
    for adapter in adapters:
        for op in adapter.operations.values():
            for path in (op.request, op.response, *(step.request for step in op.steps)):
                if path is not None:
                    found.setdefault(path, placeholders(adapter.parameters))
    return found


def _pair(stem: str, given: Path) -> GoldenPair:
    case = given.name[len(stem) : -len(".in.xml")]
    return GoldenPair(given, given.with_name(f"{stem}{case}.out.xml"), case)


def pair_problem(stylesheet: Stylesheet, pair: GoldenPair, root: Path) -> str | None:
    """Why the pair no longer holds, in one line; None when the stylesheet still maps given to expected."""
    if not pair.expected.is_file():
        return f"{relative(str(pair.given), root)}: no matching {pair.expected.name}"
    try:
        expected = parse_file(pair.expected).getroot()
        produced = produced_output(stylesheet, pair)
    except XmlError as exc:
        return relative(exc.message, root)
    except MappingError as exc:
        return f"{mapping_problem(exc)} (given {pair.given.name})"
    difference = first_difference(produced, expected)
    if difference is None:
        return None
    return f"{relative(str(pair.given), root)} no longer gives {pair.expected.name}: {difference}"


def produced_output(stylesheet: Stylesheet, pair: GoldenPair) -> etree._Element:
    """What the stylesheet makes of the pair's input now; XmlError or MappingError when it cannot."""
    given = parse_file(pair.given).getroot()
    return stylesheet.apply(given, _request_params(stylesheet, pair, given))


def accept_pair(stylesheet: Stylesheet, pair: GoldenPair) -> bool:
    """Write what the stylesheet makes of the pair's input as its expected output, when that is missing or
    differs; True when written. An input the stylesheet cannot take is left for pair_problem to report."""
    try:
        produced = produced_output(stylesheet, pair)
    except (XmlError, MappingError):
        return False
    if pair.expected.is_file():
        try:
            if first_difference(produced, parse_file(pair.expected).getroot()) is None:
                return False
        except XmlError:
            pass  # a malformed expected output is replaced
    etree.indent(produced)
    text = etree.tostring(produced, encoding="unicode")
    pair.expected.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n{text}\n', encoding="utf-8")
    return True


def _request_params(stylesheet: Stylesheet, pair: GoldenPair, given: etree._Element) -> dict[str, str]:
    stem = stylesheet.path.stem
    if not stylesheet.params or not stem.endswith(".response"):
        return {}
    operation = stem[: -len(".response")]
    candidates = [pair.given.with_name(f"{operation}.request{case}.in.xml") for case in (pair.case, "")]
    sample = next((path for path in candidates if path.is_file()), None)
    if sample is not None:
        request = request_in(parse_file(sample).getroot())
    elif is_context(given):
        request = request_in(given)
    else:
        return {}
    return request_fields(request) if request is not None else {}
