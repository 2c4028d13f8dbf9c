"""Every stylesheet under xslt/ is pinned by golden pairs beside it.

The convention (samples/<stem>[.<case>].in.xml -> .out.xml, request params for response
stylesheets) is soapbridge.toolkit.golden's, the same code `soapbridge check` runs; the
stylesheet runs exactly as the engine runs it (hardened parse, no file or network access).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from soapbridge.engine.mapping import Stylesheet
from soapbridge.settings import Settings
from soapbridge.toolkit.golden import golden_pairs, golden_parameters, pair_problem
from soapbridge.toolkit.project import adapter_files, load_offline
from tests.conftest import ROOT

STYLESHEETS = sorted((ROOT / "xslt").glob("*/*.xsl"))
#: The shipped adapters read offline, as `check` reads them: with no secret in the environment.
OFFLINE = Settings(root=ROOT, env={})
PARAMETERS = golden_parameters(load_offline(path, OFFLINE) for path in adapter_files(OFFLINE))


@pytest.mark.parametrize("stylesheet", STYLESHEETS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_stylesheet_matches_its_golden_pairs(stylesheet: Path) -> None:
    pairs = golden_pairs(stylesheet)
    assert pairs, f"{stylesheet.relative_to(ROOT)} has no golden pair in samples/"
    compiled = Stylesheet(stylesheet, str(stylesheet.relative_to(ROOT))).with_parameters(PARAMETERS.get(stylesheet, {}))
    problems = [problem for pair in pairs if (problem := pair_problem(compiled, pair, ROOT))]
    assert not problems, "\n".join(problems)


def test_there_are_stylesheets() -> None:
    assert len(STYLESHEETS) >= 10, "the shipped adapters map every canonical operation"


def test_a_pair_that_no_longer_holds_names_the_first_difference(project: Path) -> None:
    sample = project / "xslt" / "crm" / "samples" / "GetCustomer.response.out.xml"
    sample.write_text(sample.read_text().replace("<cn:status>active</cn:status>", "<cn:status>blocked</cn:status>"))
    stylesheet = project / "xslt" / "crm" / "GetCustomer.response.xsl"
    pair = next(pair for pair in golden_pairs(stylesheet) if pair.case == "")
    problem = pair_problem(Stylesheet(stylesheet, "xslt/crm/GetCustomer.response.xsl"), pair, project)
    assert problem == (
        "xslt/crm/samples/GetCustomer.response.in.xml no longer gives GetCustomer.response.out.xml: "
        "/GetCustomerResponse/customer/status: expected text 'blocked', got 'active'"
    )
