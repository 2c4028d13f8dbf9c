"""Every stylesheet under xslt/ is pinned by golden pairs beside it.

Convention, for a stylesheet xslt/<system>/<stem>.xsl:
    xslt/<system>/samples/<stem>.in.xml        what the stylesheet is given
    xslt/<system>/samples/<stem>.out.xml       what it must produce (compared as normalised trees)
and optionally more pairs <stem>.<case>.in.xml / <stem>.<case>.out.xml.

A response stylesheet (<Op>.response.xsl) may declare top-level xsl:params named after the
fields of the canonical request; the test takes their values from the matching request sample
(<Op>.request[.<case>].in.xml, or the request inside it when it is a composite's context),
exactly as the engine takes them from the live request.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.xmlcompare import assert_xml_equal

ROOT = Path(__file__).resolve().parent.parent
STYLESHEETS = sorted((ROOT / "xslt").glob("*/*.xsl"))
XSL = "http://www.w3.org/1999/XSL/Transform"
CONTEXT = "urn:soapbridge:context"


def _pairs(stylesheet: Path) -> list[tuple[Path, Path]]:
    samples = stylesheet.parent / "samples"
    stem = stylesheet.stem
    inputs = [*samples.glob(f"{stem}.in.xml"), *samples.glob(f"{stem}.*.in.xml")]
    return [(i, i.with_name(i.name[: -len(".in.xml")] + ".out.xml")) for i in sorted(inputs)]


def _request_params(stylesheet: Path, sample: Path) -> dict[str, str]:
    declared = etree.parse(str(stylesheet)).getroot().findall(f"{{{XSL}}}param")
    if not declared or not stylesheet.stem.endswith(".response"):
        return {}
    operation = stylesheet.stem[: -len(".response")]
    case = sample.name[len(stylesheet.stem) : -len(".in.xml")]
    request = sample.parent / f"{operation}.request{case}.in.xml"
    if not request.exists():
        request = sample.parent / f"{operation}.request.in.xml"
    root = etree.parse(str(request)).getroot()
    if root.tag == f"{{{CONTEXT}}}context":  # a composite's request sample: the request is inside
        root = root.find(f"{{{CONTEXT}}}request")[0]
    fields = {etree.QName(child).localname: child.text or "" for child in root if len(child) == 0}
    names = [p.get("name") for p in declared]
    return {name: etree.XSLT.strparam(fields[name]) for name in names if name in fields}


@pytest.mark.parametrize("stylesheet", STYLESHEETS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_stylesheet_matches_its_golden_pairs(stylesheet: Path) -> None:
    pairs = _pairs(stylesheet)
    assert pairs, f"{stylesheet.relative_to(ROOT)} has no golden pair in samples/"
    transform = etree.XSLT(etree.parse(str(stylesheet)))
    for given, expected in pairs:
        assert expected.exists(), f"{given.name} has no matching .out.xml"
        result = transform(etree.parse(str(given)), **_request_params(stylesheet, given))
        assert result.getroot() is not None, f"{stylesheet.name} produced no element for {given.name}"
        assert_xml_equal(result.getroot(), etree.parse(str(expected)).getroot(), given.name)


def test_there_are_stylesheets() -> None:
    assert len(STYLESHEETS) >= 10, "the shipped adapters map every canonical operation"
