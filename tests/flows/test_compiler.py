"""A flow's file is judged in one place: each mistake names the file and the key, and check shows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from soapbridge.contract import Operation
from soapbridge.flows.check import flow_rows
from soapbridge.flows.compiler import compile_flows
from soapbridge.flows.xref import SqliteXref
from tests.conftest import ROOT

CN = "{urn:soapbridge:canonical:v1}"
SERVED = {
    name: Operation(name, f"{CN}{name}", f"{CN}{name}Response")
    for name in ("ListCustomerChanges", "SubscribeContact", "UnsubscribeCustomer", "SearchCustomers", "ListSubscribers")
}


def project(tmp_path: Path, change: tuple[str, str] | None = None) -> Path:
    """The checkout's crm-to-mailing in a project of its own, with one line replaced."""
    (tmp_path / "flows").mkdir()
    text = (ROOT / "flows" / "crm-to-mailing.toml").read_text()
    if change:
        assert change[0] in text
        text = text.replace(*change)
    (tmp_path / "flows" / "crm-to-mailing.toml").write_text(text)
    folder = tmp_path / "xslt" / "flows" / "crm-to-mailing"
    folder.mkdir(parents=True)
    for stylesheet in (ROOT / "xslt" / "flows" / "crm-to-mailing").glob("*.xsl"):
        (folder / stylesheet.name).write_text(stylesheet.read_text())
    return tmp_path


def problems(tmp_path: Path, change: tuple[str, str] | None = None) -> list[str]:
    compiled = compile_flows(project(tmp_path, change), SERVED, SqliteXref(tmp_path / "xref.sqlite3"))
    return [problem.message for problem in compiled.problems]


def test_the_showcase_compiles(tmp_path: Path) -> None:
    assert problems(tmp_path) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("interval = 1", 'interval = "soon"'), "trigger.interval: expected seconds, got 'soon'"),
        (('kind = "poll"', 'kind = "cron"'), "trigger.kind: expected one of poll, notification, got 'cron'"),
        (('operation = "ListCustomerChanges"', 'operation = "ListThings"'), "trigger.operation: ListThings is not"),
        (('key = "string(cn:customer/cn:id)"', 'key = "string(cn:customer/"'), "items.key: not a valid XPath 1.0"),
        (("targets = [", "targetz = ["), "mapping.targetz: unknown key"),
        (('"UnsubscribeCustomer"]', '"DeleteCustomer"]'), "mapping.targets: DeleteCustomer is not an operation"),
        (("attempts = 5", "attempts = 0"), "retry.attempts: expected 1 to 100"),
        (('stylesheet = "item.xsl"', 'stylesheet = "../../crm/x.xsl"'), "mapping.stylesheet: expected a stylesheet"),
        (('stylesheet = "item.xsl"', 'stylesheet = "missing.xsl"'), "no such stylesheet"),
    ],
)
def test_each_mistake_names_the_file_and_the_key(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    found = problems(tmp_path, change)
    assert len(found) == 1 and str(tmp_path / "flows" / "crm-to-mailing.toml") in found[0], found
    assert expected in found[0], found


def test_check_shows_a_row_per_flow(tmp_path: Path) -> None:
    rows = list(flow_rows(project(tmp_path, ("limit = 1000", "limit = 5000")), SERVED))
    assert rows == [
        ("flow:crm-to-mailing", False, f"{tmp_path}/flows/crm-to-mailing.toml: trigger.limit: expected 1 to 1000")
    ]
