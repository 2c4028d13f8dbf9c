"""The adapter scaffold: from a legacy WSDL to a project `check` passes once the golden outputs are accepted.

Tried on the project's own WSDLs under new system names (document/literal SOAP 1.2, rpc/literal SOAP 1.1) and on
real third-party WSDLs read in place from the corpus: a classic document/literal service with SOAP 1.1 and 1.2
ports and unqualified elements, and a WCF service (SOAP 1.2 only, WS-Addressing, XSDs imported from subfolders).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from soapbridge.contract import Contract
from soapbridge.errors import UsageError
from soapbridge.settings import Settings
from soapbridge.toolkit.check import Report, check_project
from soapbridge.toolkit.scaffold import Scaffold, plan_adapter, write_scaffold
from soapbridge.toolkit.scaffoldfields import Field, camel_case, matching_key, pascal_case
from soapbridge.toolkit.scaffoldxslt import Sides, request_stylesheet, response_stylesheet
from soapbridge.xmlparse import parse_file
from tests.conftest import ROOT
from tests.corpora import WSDL, required

COUNTRIES = WSDL / "wsdl-to-postman" / "validWSDLs11" / "countryInformation.wsdl"
#: A WCF service: SOAP 1.2 only, WS-Addressing, its types in XSDs imported from schemas/ and schemas/subschemas/.
WCF = WSDL / "wsdl-to-postman" / "separatedFiles" / "xsdimportsxsd" / "spec.wsdl"
#: Workday's style: attributeFormDefault="qualified", so the stylesheets write prefixed attributes.
QUALIFIED_ATTRIBUTES = WSDL / "wsdl-to-postman" / "validWSDLs11" / "elementFormDefaultQualified.wsdl"
#: Messages whose types are xs:all groups, which a canonical type can only have as its whole content.
ALL_GROUPS = WSDL / "wsdl-to-postman" / "validWSDLs11" / "StockQuoteW3Modified.wsdl"
CANONICAL = "urn:soapbridge:canonical:v1"


def settings_of(project: Path) -> Settings:
    return Settings.from_env({"SOAPBRIDGE_HOME": str(project)})


def scaffold(project: Path, system: str, wsdl: Path, operations: list[str] | None = None) -> Scaffold:
    settings = settings_of(project)
    planned = plan_adapter(settings, system, wsdl, operations or [])
    write_scaffold(settings, planned)
    return planned


def accepted_and_checked(project: Path) -> tuple[Report, Report]:
    settings = settings_of(project)
    return check_project(settings, accept=True), check_project(settings)


def failures(report: Report) -> list[str]:
    return [f"{row.adapter} {row.operation}: {row.detail}" for row in report.failures]


@pytest.mark.parametrize(
    ("system", "wsdl", "operations"),
    [
        ("wx2", ROOT / "wsdl" / "weather" / "WxFeed.wsdl", 3),
        ("invoices", ROOT / "wsdl" / "billing" / "InvoiceService.wsdl", 3),
        ("countries", COUNTRIES, 21),
        ("finder", WCF, 4),
        ("workday", QUALIFIED_ATTRIBUTES, 1),
        ("quotes", ALL_GROUPS, 1),
    ],
    ids=[
        "weather-doc-literal-soap12",
        "billing-rpc-literal",
        "corpus-country-info",
        "corpus-wcf",
        "corpus-qualified-attributes",
        "corpus-all-groups",
    ],
)
def test_check_passes_on_the_scaffold_once_its_golden_outputs_are_accepted(
    project: Path, system: str, wsdl: Path, operations: int
) -> None:
    planned = scaffold(project, system, required(wsdl))
    accepted, report = accepted_and_checked(project)
    assert len(planned.operations) == operations
    assert len(accepted.accepted) == 2 * operations  # a request and a response output per operation
    assert all(path.parent == project / "xslt" / system / "samples" for path in accepted.accepted)
    assert report.ok, failures(report)
    rows = [row for row in report.rows if row.adapter == system and row.operation]
    assert len(rows) == operations and all(row.detail == "2 stylesheets, 2 golden pairs" for row in rows)
    assert check_project(settings_of(project), accept=True).accepted == ()  # nothing changed: nothing written


def test_a_wsdl_outside_the_project_is_copied_with_the_files_it_imports(project: Path) -> None:
    scaffold(project, "finder", required(WCF))
    copied = sorted(str(p.relative_to(project / "wsdl" / "finder")) for p in (project / "wsdl/finder").rglob("*.*"))
    assert copied == ["schemas/subschemas/xsd2.xsd", "schemas/subschemas/xsd3.xsd", "schemas/xsd0.xsd", "spec.wsdl"]
    assert 'wsdl = "wsdl/finder/spec.wsdl"' in (project / "adapters" / "finder.toml").read_text()


def test_a_wsdl_inside_the_project_is_referred_to_where_it_is(project: Path) -> None:
    scaffold(project, "wx2", project / "wsdl" / "weather" / "WxFeed.wsdl", ["GetDailyForecast"])
    assert 'wsdl = "wsdl/weather/WxFeed.wsdl"' in (project / "adapters" / "wx2.toml").read_text()
    assert not (project / "wsdl" / "wx2").exists()


def test_the_first_soap11_document_literal_port_is_chosen_and_the_others_listed(project: Path) -> None:
    scaffold(project, "countries", required(COUNTRIES), ["CapitalCity"])
    text = (project / "adapters" / "countries.toml").read_text()
    assert 'service = "CountryInfoService"\nport = "CountryInfoServiceSoap"\n' in text
    assert "#   CountryInfoService/CountryInfoServiceSoap12 (SOAP 1.2, document/literal)" in text
    assert "[operations.CapitalCity]" in text and "[operations.CountryName]" not in text


def test_the_canonical_module_is_included_and_declares_each_operation_with_its_effect(project: Path) -> None:
    planned = scaffold(project, "invoices", ROOT / "wsdl" / "billing" / "InvoiceService.wsdl")
    xsd = project / "wsdl" / "canonical" / "soapbridge-v1.xsd"
    assert planned.include == '<xs:include schemaLocation="invoices.xsd"/>' and planned.include in xsd.read_text()
    contract = Contract(xsd)
    assert contract.operations["GetAccountInvoices"].read_only
    assert not contract.operations["PostPayment"].read_only  # a write: the safe guess for "post"
    module = parse_file(project / "wsdl" / "canonical" / "invoices.xsd").getroot()
    occurs = module.xpath("//xs:element[@name='item']/@maxOccurs", namespaces={"xs": module.nsmap["xs"]})
    assert occurs and set(occurs) == {"unbounded"}  # the legacy arrays' maxOccurs, carried


def test_a_name_the_canonical_xsd_has_already_is_prefixed_with_the_system(project: Path) -> None:
    scaffold(project, "wx2", ROOT / "wsdl" / "weather" / "WxFeed.wsdl", ["GetDailyForecast"])
    planned = scaffold(project, "wx3", ROOT / "wsdl" / "weather" / "WxFeed.wsdl", ["GetDailyForecast"])
    assert [op.name for op in planned.operations] == ["Wx3GetDailyForecast"]
    _, report = accepted_and_checked(project)
    assert report.ok, failures(report)


def test_unqualified_legacy_elements_are_written_without_a_namespace(project: Path) -> None:
    scaffold(project, "countries", required(COUNTRIES), ["CapitalCity"])
    sheet = (project / "xslt" / "countries" / "CapitalCity.request.xsl").read_text()
    assert '<lg:CapitalCity>\n      <sCountryISOCode><xsl:value-of select="cn:sCountryIsoCode"/>' in sheet
    sample = parse_file(project / "xslt" / "countries" / "samples" / "CapitalCity.response.in.xml").getroot()
    assert [child.tag for child in sample] == ["CapitalCityResult"]


def test_a_field_with_no_match_gets_a_comment_and_an_unread_one_is_listed() -> None:
    canonical = Field("element", "Op", CANONICAL, children=[Field("element", "customerNo", CANONICAL, "string")])
    legacy = Field("element", "REQ", "urn:legacy", children=[Field("element", "KUNNR", "", "string")])
    sides = Sides("Op -> REQ", "canonical request", "legacy request", {"urn:legacy": "lg", CANONICAL: "cn"}, "cn")
    sheet = request_stylesheet(canonical, legacy, sides)
    assert "<!-- KUNNR: no field of that name in the canonical request; map it here -->" in sheet
    assert "Not mapped from the canonical request: customerNo." in sheet
    etree.XSLT(etree.fromstring(sheet.encode()))  # and it compiles


def test_names() -> None:
    assert [camel_case(n) for n in ("CountryName", "COUNTRY_NAME", "sCountryISOCode", "IV_KUNNR", "NAME1")] == [
        "countryName",
        "countryName",
        "sCountryIsoCode",
        "ivKunnr",
        "name1",
    ]
    assert pascal_case("getAccountInvoices") == "GetAccountInvoices"
    assert matching_key("Country_Name") == matching_key("countryName") == matching_key("COUNTRY-NAME")


def test_a_legacy_element_sent_nil_counts_as_absent() -> None:
    count = Field("element", "Count", "urn:legacy", "int", min_occurs=0, nillable=True)
    legacy = Field("element", "Answer", "urn:legacy", children=[count])
    canonical = Field("element", "OpResponse", CANONICAL, children=[Field("element", "count", CANONICAL, "int", 0)])
    sides = Sides(
        "Answer -> OpResponse", "legacy answer", "canonical answer", {"urn:legacy": "lg", CANONICAL: "cn"}, "lg"
    )
    transform = etree.XSLT(etree.fromstring(response_stylesheet(legacy, canonical, sides).encode()))
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    nil = etree.fromstring(f'<lg:Answer xmlns:lg="urn:legacy" xmlns:i="{xsi}"><lg:Count i:nil="true"/></lg:Answer>')
    given = etree.fromstring('<lg:Answer xmlns:lg="urn:legacy"><lg:Count>3</lg:Count></lg:Answer>')
    assert etree.tostring(transform(nil).getroot()) == f'<cn:OpResponse xmlns:cn="{CANONICAL}"/>'.encode()
    assert transform(given).getroot()[0].text == "3"


def test_a_failure_while_writing_leaves_nothing_behind(project: Path) -> None:
    settings = settings_of(project)
    before = sorted(str(path) for path in project.rglob("*"))
    planned = plan_adapter(settings, "countries", required(COUNTRIES), ["CapitalCity"])
    planned.files[project / "clients.toml" / "cannot"] = b""  # a file where a folder would have to be: the last write
    with pytest.raises(UsageError, match=r"^cannot write .*; nothing was left behind$"):
        write_scaffold(settings, planned)
    assert sorted(str(path) for path in project.rglob("*")) == before
