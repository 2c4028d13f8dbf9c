"""soapbridge.toolkit.validate on real files: our own XSD, the canonical contract, the legacy WSDLs, hostile files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from soapbridge.errors import UsageError
from soapbridge.gateway.faults import Fault, soap_fault
from soapbridge.soapenv import serialize
from soapbridge.toolkit.validate import (
    CanonicalTarget,
    FileReport,
    Target,
    WsdlTarget,
    XsdTarget,
    collect_files,
    validate_file,
    validate_files,
)
from tests.conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
ORDER_XSD = FIXTURES / "xsd" / "order.xsd"
CANONICAL_XSD = ROOT / "wsdl" / "canonical" / "soapbridge-v1.xsd"
LEGACY_WSDLS = {
    "crm": ROOT / "wsdl" / "crm" / "ZCRM_CUSTOMER_V3.wsdl",
    "billing": ROOT / "wsdl" / "billing" / "InvoiceService.wsdl",
    "weather": ROOT / "wsdl" / "weather" / "WxFeed.wsdl",
    "mailing": ROOT / "wsdl" / "mailing" / "ListPostApi.wsdl",
}
DOCTYPE = "the document carries a DOCTYPE; DTDs are not accepted"

#: (line, path, reason) of every problem in xsd/order.invalid.xml, in document order.
ORDER_PROBLEMS = [
    (2, "/order/@currency", "the value 'YEN' is not an element of the set {'EUR', 'GBP', 'USD'}"),
    (3, "/order/id", "the value 'AB-12' is not accepted by the pattern '[A-Z]{2}-[0-9]{4}'"),
    (4, "/order/placed", "'2024-02-30' is not a valid value of the atomic type 'xs:date'"),
    (7, "/order/line[1]/quantity", "'0' is not a valid value of the atomic type 'xs:positiveInteger'"),
    (8, "/order/line[1]/price", "the value '9.999' has more fractional digits than are allowed ('2')"),
    (10, "/order/line[2]/@number", "'x' is not a valid value of the atomic type 'xs:positiveInteger'"),
    (12, "/order/line[2]/price", "this element is not expected. Expected is ( quantity )"),
    (14, "/order/comment", "this element is not expected. Expected is one of ( line, note )"),
]


def check(path: Path, target: Target) -> FileReport:
    return validate_file(path, target)


def located(report: FileReport) -> list[tuple[int | None, int | None, str | None, str]]:
    return [(p.line, p.column, p.path, p.reason) for p in report.problems]


# --- --xsd ---------------------------------------------------------------------------------------


def test_a_valid_instance_has_no_problems() -> None:
    report = check(FIXTURES / "xsd" / "order.valid.xml", XsdTarget(ORDER_XSD))
    assert report.valid
    assert report.problems == ()


def test_every_problem_of_an_invalid_instance_is_reported_with_its_line_column_and_path() -> None:
    report = check(FIXTURES / "xsd" / "order.invalid.xml", XsdTarget(ORDER_XSD))
    # The column is where the element's start tag opens (an attribute's problem: its element's tag).
    columns = [1, 3, 3, 5, 5, 3, 5, 3]
    expected = [
        (line, column, path, reason) for (line, path, reason), column in zip(ORDER_PROBLEMS, columns, strict=True)
    ]
    assert located(report) == expected


def test_a_minified_instance_gets_a_column_per_element_on_its_one_line() -> None:
    report = check(FIXTURES / "xsd" / "order.minified.invalid.xml", XsdTarget(ORDER_XSD))
    source = (FIXTURES / "xsd" / "order.minified.invalid.xml").read_text()
    assert [(p.path, p.reason) for p in report.problems] == [(path, reason) for _, path, reason in ORDER_PROBLEMS]
    assert {p.line for p in report.problems} == {1}
    columns = [p.column for p in report.problems]
    assert columns == [1, 50, 64, 126, 148, 175, 210, 236]
    # Each column is that element's own start tag, even where the same name appears earlier on the line.
    tags = [source[column - 1 :].split(">")[0] for column in columns]
    assert tags[4] == "<price" and tags[6] == "<price" and columns[4] != columns[6]
    assert tags[5] == '<line number="x"'


def test_the_schema_imports_a_schema_beside_it() -> None:
    report = check(FIXTURES / "xsd" / "order.invalid.xml", XsdTarget(ORDER_XSD))
    assert any("[A-Z]{2}-[0-9]{4}" in p.reason for p in report.problems)  # Code comes from types/common.xsd


def test_a_schema_that_does_not_compile_is_a_usage_error_naming_it_and_libxml2s_reason() -> None:
    with pytest.raises(UsageError) as error:
        XsdTarget(FIXTURES / "broken" / "order.xsd")
    message = error.value.message
    assert message.startswith(f"{FIXTURES / 'broken' / 'order.xsd'}:3: the schema does not compile: ")
    assert "orderType' does not resolve to a(n) type definition" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("schema", "refused"),
    [("remote-import.xsd", "http://schemas.example.com/common.xsd"), ("outside-import.xsd", "xsd/types/common.xsd")],
)
def test_a_schema_may_import_only_files_under_its_own_folder(schema: str, refused: str) -> None:
    with pytest.raises(UsageError) as error:
        XsdTarget(FIXTURES / "broken" / schema)
    assert "refusing to read" in error.value.message and refused in error.value.message
    assert f"only files under {FIXTURES / 'broken'} are read" in error.value.message


def test_a_missing_schema_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no such schema file"):
        XsdTarget(FIXTURES / "xsd" / "missing.xsd")


# --- --canonical ---------------------------------------------------------------------------------


def test_a_canonical_request_is_valid_bare_and_in_a_soap_12_envelope() -> None:
    target = CanonicalTarget(CANONICAL_XSD, "GetCustomer")
    for name in ("GetCustomer.valid.xml", "GetCustomer.soap12.valid.xml"):
        assert check(FIXTURES / "canonical" / name, target).valid, name


def test_an_invalid_canonical_request_reports_every_problem() -> None:
    report = check(FIXTURES / "canonical" / "GetCustomer.invalid.xml", CanonicalTarget(CANONICAL_XSD, "GetCustomer"))
    assert located(report) == [
        (3, 3, "/GetCustomer/customerId", "the value '0042' is not accepted by the pattern '[1-9][0-9]{0,9}'"),
        (4, 3, "/GetCustomer/includeInvoices", "this element is not expected"),
    ]


def test_in_an_envelope_the_path_runs_from_the_envelope() -> None:
    report = check(
        FIXTURES / "canonical" / "GetCustomer.soap11.invalid.xml", CanonicalTarget(CANONICAL_XSD, "GetCustomer")
    )
    assert located(report) == [
        (
            5,
            7,
            "/Envelope/Body/GetCustomer/customerId",
            "the value 'ten' is not accepted by the pattern '[1-9][0-9]{0,9}'",
        )
    ]


def test_a_document_of_another_canonical_element_is_refused_by_name() -> None:
    sample = ROOT / "xslt" / "crm" / "samples" / "GetCustomer.response.out.xml"
    report = check(sample, CanonicalTarget(CANONICAL_XSD, "GetCustomer"))
    assert located(report) == [(2, 1, "/GetCustomerResponse", "expected GetCustomer, found GetCustomerResponse")]
    assert check(sample, CanonicalTarget(CANONICAL_XSD, "GetCustomerResponse")).valid


def test_a_complex_type_checks_the_root_element_as_that_type() -> None:
    target = CanonicalTarget(CANONICAL_XSD, "Customer")
    assert check(FIXTURES / "canonical" / "Customer.valid.xml", target).valid
    report = check(FIXTURES / "canonical" / "Customer.invalid.xml", target)
    assert located(report) == [
        (
            5,
            3,
            "/customer/email",
            r"the value 'ada.lovelace at example.com' is not accepted by the pattern '[^@\s]+@[^@\s]+\.[^@\s]+'",
        ),
        (
            6,
            3,
            "/customer/status",
            "the value 'retired' is not an element of the set {'active', 'inactive', 'blocked'}",
        ),
        (12, 5, "/customer/address/country", "the value 'gb' is not accepted by the pattern '[A-Z]{2}'"),
    ]


def test_a_complex_type_check_takes_a_root_element_of_any_name_and_namespace(tmp_path: Path) -> None:
    target = CanonicalTarget(CANONICAL_XSD, "Customer")
    source = (FIXTURES / "canonical" / "Customer.valid.xml").read_text()
    roots = {
        "unqualified.xml": ("<cn:customer xmlns:cn", "<customer xmlns:cn", "</cn:customer>", "</customer>"),
        "foreign.xml": ("<cn:customer ", '<x:client xmlns:x="urn:crm" ', "</cn:customer>", "</x:client>"),
        "element-name.xml": ("cn:customer", "cn:GetCustomer", "cn:customer", "cn:GetCustomer"),
    }
    for name, (old_open, new_open, old_close, new_close) in roots.items():
        (tmp_path / name).write_text(source.replace(old_open, new_open).replace(old_close, new_close))
        assert check(tmp_path / name, target).valid, name
    # The request element GetCustomer is not a Customer: checked as the type, its content is wrong.
    report = check(FIXTURES / "canonical" / "GetCustomer.valid.xml", target)
    assert located(report) == [
        (3, 3, "/GetCustomer/customerId", "this element is not expected. Expected is ( id )"),
    ]


def test_a_fault_envelope_is_checked_by_the_detail_it_carries() -> None:
    target = CanonicalTarget(CANONICAL_XSD, "GatewayFault")
    assert check(FIXTURES / "canonical" / "GatewayFault.soap11.valid.xml", target).valid
    report = check(FIXTURES / "canonical" / "GatewayFault.soap12.invalid.xml", target)
    assert [(p.line, p.column, p.path) for p in report.problems] == [
        (12, 11, "/Envelope/Body/Fault/Detail/GatewayFault/code"),
        (14, 11, "/Envelope/Body/Fault/Detail/GatewayFault/system"),
    ]
    assert report.problems[0].reason.startswith(
        "the value 'UpstreamDown' is not an element of the set {'InvalidRequest'"
    )


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_the_gateways_own_faults_are_valid_gateway_faults(tmp_path: Path, version: str) -> None:
    fault = Fault(False, "UpstreamTimeout", "crm did not answer in time", "crm")
    envelope = tmp_path / "fault.xml"
    envelope.write_bytes(serialize(soap_fault(fault, version, version)[1]))
    assert check(envelope, CanonicalTarget(CANONICAL_XSD, "GatewayFault")).valid
    report = check(envelope, CanonicalTarget(CANONICAL_XSD, "GetCustomerResponse"))
    assert [p.reason for p in report.problems] == ["expected GetCustomerResponse, found GatewayFault"]


def test_an_unknown_canonical_name_is_a_usage_error_listing_the_names() -> None:
    with pytest.raises(UsageError) as error:
        CanonicalTarget(CANONICAL_XSD, "Custmer")
    message = error.value.message
    assert "'Custmer' is not in the canonical XSD" in message
    assert "GetCustomer, " in message and "GatewayFault" in message and "types: Address, Customer, " in message


# --- --wsdl --------------------------------------------------------------------------------------


@pytest.mark.parametrize("system", sorted(LEGACY_WSDLS))
def test_each_legacy_wsdl_accepts_its_valid_envelopes(system: str) -> None:
    target = WsdlTarget(LEGACY_WSDLS[system])
    valid = sorted((FIXTURES / "wsdl" / system).glob("*.valid.xml"))
    assert valid
    for path in valid:
        assert check(path, target).valid, path.name


@pytest.mark.parametrize(
    ("system", "name", "expected"),
    [
        (
            "crm",
            "read.request.invalid.xml",
            [
                (
                    5,
                    7,
                    "/Envelope/Body/Z_CRM_CUSTOMER_READ/IV_KUNNR",
                    "this element is not expected. Expected is ( IV_KUNNR ) "
                    "(found in the namespace urn:example-erp:crm:customer:v3, expected in no namespace)",
                )
            ],
        ),
        (
            "crm",
            "update.response.invalid.xml",
            [
                (
                    6,
                    9,
                    "/Envelope/Body/Z_CRM_CUSTOMER_UPDATEResponse/ES_CUSTOMER/KUNNR",
                    "the value has a length of '11'; this exceeds the allowed maximum length of '10'",
                ),
                (
                    13,
                    9,
                    "/Envelope/Body/Z_CRM_CUSTOMER_UPDATEResponse/ES_CUSTOMER/ERDAT",
                    "the value has a length of '10'; this exceeds the allowed maximum length of '8'",
                ),
                (
                    13,
                    9,
                    "/Envelope/Body/Z_CRM_CUSTOMER_UPDATEResponse/ES_CUSTOMER/ERDAT",
                    r"the value '2015-03-10' is not accepted by the pattern '\d*'",
                ),
                (
                    14,
                    9,
                    "/Envelope/Body/Z_CRM_CUSTOMER_UPDATEResponse/ES_CUSTOMER/STATUS",
                    "the value has a length of '2'; this exceeds the allowed maximum length of '1'",
                ),
            ],
        ),
        (
            "billing",
            "postPayment.request.invalid.xml",
            [
                (
                    6,
                    7,
                    "/Envelope/Body/postPayment/amountCents",
                    "'100.50' is not a valid value of the atomic type 'xs:long'",
                ),
                (4, 5, "/Envelope/Body/postPayment", "missing child element(s). Expected is ( reference )"),
            ],
        ),
        (
            "weather",
            "GetDailyForecast.request.invalid.xml",
            [
                (
                    6,
                    7,
                    "/Envelope/Body/GetDailyForecast/NumDays",
                    "'three' is not a valid value of the atomic type 'xs:int'",
                )
            ],
        ),
        (
            "weather",
            "GetCurrentObservation.response.invalid.xml",
            [
                (
                    6,
                    9,
                    "/Envelope/Body/GetCurrentObservationResponse/Observation/StationICAO",
                    "the value 'LHR' is not accepted by the pattern '[A-Z]{4}'",
                ),
                (
                    10,
                    9,
                    "/Envelope/Body/GetCurrentObservationResponse/Observation/RelHumPct",
                    "the value '190' is greater than the maximum value allowed ('100')",
                ),
                (
                    14,
                    9,
                    "/Envelope/Body/GetCurrentObservationResponse/Observation/WxCode",
                    "the value 'HAIL' is not an element of the set {'SKC', 'CLR', 'CAVOK', 'FEW', 'SCT', 'BKN', "
                    "'OVC', 'BR', 'FG', '-DZ', 'DZ', '-RA', 'RA', '+RA', 'SHRA', '-SN', 'SN', '+SN', 'TS', 'TSRA'}",
                ),
            ],
        ),
        (
            "mailing",
            "subscribe.request.invalid.xml",
            [(5, 7, "/Envelope/Body/subscribe/email", "this element is not expected. Expected is ( listId )")],
        ),
    ],
)
def test_an_invalid_envelope_reports_every_problem_from_the_envelope_down(
    system: str, name: str, expected: list[tuple[int, int, str, str]]
) -> None:
    report = check(FIXTURES / "wsdl" / system / name, WsdlTarget(LEGACY_WSDLS[system]))
    assert located(report) == expected


def test_an_envelope_of_a_soap_version_the_wsdl_does_not_bind_is_a_problem() -> None:
    report = check(FIXTURES / "wsdl" / "crm" / "read.request.soap12.xml", WsdlTarget(LEGACY_WSDLS["crm"]))
    assert located(report) == [(2, 1, "/Envelope", "a SOAP 1.2 envelope, but the WSDL has no SOAP 1.2 binding")]
    report = check(FIXTURES / "wsdl" / "crm" / "read.request.valid.xml", WsdlTarget(LEGACY_WSDLS["weather"]))
    assert located(report) == [(2, 1, "/Envelope", "a SOAP 1.1 envelope, but the WSDL has no SOAP 1.1 binding")]


@pytest.mark.parametrize("system", sorted(LEGACY_WSDLS))
def test_the_projects_own_legacy_bodies_are_valid_bare(system: str) -> None:
    """The golden samples on the legacy side: requests the stylesheets write, responses the systems send."""
    samples = ROOT / "xslt" / system / "samples"
    legacy = sorted([*samples.glob("*.request*.out.xml"), *samples.glob("*.response*.in.xml")])
    assert legacy
    report = validate_files(legacy, WsdlTarget(LEGACY_WSDLS[system]))
    assert [(f.file, f.problems) for f in report.files if not f.valid] == []


def test_the_operation_and_direction_can_be_named() -> None:
    crm = LEGACY_WSDLS["crm"]
    request = FIXTURES / "wsdl" / "crm" / "read.request.valid.xml"
    assert check(request, WsdlTarget(crm, "Z_CRM_CUSTOMER_READ", "input")).valid
    report = check(request, WsdlTarget(crm, "Z_CRM_CUSTOMER_READ", "output"))
    assert located(report) == [
        (
            5,
            5,
            "/Envelope/Body/Z_CRM_CUSTOMER_READ",
            "the Body should hold Z_CRM_CUSTOMER_READResponse, but holds Z_CRM_CUSTOMER_READ",
        )
    ]
    report = check(request, WsdlTarget(crm, "Z_CRM_CUSTOMER_SEARCH"))
    assert [p.reason for p in report.problems] == [
        "the Body should hold Z_CRM_CUSTOMER_SEARCH, but holds Z_CRM_CUSTOMER_READ"
    ]


def test_a_body_no_operation_takes_is_a_problem() -> None:
    report = check(FIXTURES / "canonical" / "GetCustomer.valid.xml", WsdlTarget(LEGACY_WSDLS["crm"]))
    assert located(report) == [
        (2, 1, "/GetCustomer", "GetCustomer (urn:soapbridge:canonical:v1) is not the input or output of any operation")
    ]


def test_an_unknown_operation_or_an_unreadable_wsdl_is_a_usage_error(tmp_path: Path) -> None:
    listed = r"no operation 'Nope'; the WSDL has Z_CRM_CUSTOMER_CHANGES_READ, Z_CRM_CUSTOMER_READ, "
    with pytest.raises(UsageError, match=listed):
        WsdlTarget(LEGACY_WSDLS["crm"], "Nope")
    (tmp_path / "broken.wsdl").write_text("<definitions>")
    with pytest.raises(UsageError, match=r"broken\.wsdl"):
        WsdlTarget(tmp_path / "broken.wsdl")


def test_an_empty_soap_body_is_a_problem(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_text('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">\n<s:Body/>\n</s:Envelope>')
    for target in (WsdlTarget(LEGACY_WSDLS["crm"]), CanonicalTarget(CANONICAL_XSD, "GetCustomer")):
        assert [(p.line, p.reason) for p in check(empty, target).problems] == [(2, "the SOAP Body is empty")]


# --- hostile and broken files --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "line"), [("doctype.xml", 2), ("billion-laughs.xml", 3), ("external-entity.xml", 2)])
def test_a_document_with_a_dtd_is_refused(name: str, line: int) -> None:
    report = check(FIXTURES / "hostile" / name, XsdTarget(ORDER_XSD))
    assert located(report) == [(line, 1, None, DOCTYPE)]


def test_an_external_entity_reveals_neither_the_file_nor_whether_it_exists(tmp_path: Path) -> None:
    secret = (FIXTURES / "hostile" / "secret.txt").read_text().strip()
    template = (FIXTURES / "hostile" / "external-entity.xml").read_text()
    existing, missing = tmp_path / "existing.xml", tmp_path / "missing.xml"
    existing.write_text(template.replace("secret.txt", (FIXTURES / "hostile" / "secret.txt").as_uri()))
    missing.write_text(template.replace("secret.txt", (tmp_path / "no-such-file.txt").as_uri()))
    target = XsdTarget(ORDER_XSD)
    reports = [check(path, target) for path in (existing, missing, FIXTURES / "hostile" / "external-entity.xml")]
    assert located(reports[0]) == located(reports[1]) == located(reports[2]) == [(2, 1, None, DOCTYPE)]
    assert secret not in repr([r.as_dict() for r in reports])


def test_a_dtd_in_utf16_is_refused_too(tmp_path: Path) -> None:
    document = tmp_path / "utf16.xml"
    text = (FIXTURES / "hostile" / "billion-laughs.xml").read_text()
    document.write_bytes(
        text.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")
    )
    assert located(check(document, XsdTarget(ORDER_XSD))) == [(3, 1, None, DOCTYPE)]


def test_deep_nesting_is_refused_in_plain_words(tmp_path: Path) -> None:
    deep = tmp_path / "deep.xml"
    deep.write_text("<a>" * 10_000 + "</a>" * 10_000)
    (problem,) = check(deep, XsdTarget(ORDER_XSD)).problems
    assert problem.reason == "elements are nested more than 256 deep; such documents are refused"
    assert problem.line == 1 and problem.column is not None
    assert "XML_PARSE_HUGE" not in problem.reason


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    large = tmp_path / "large.xml"
    large.write_bytes(b"<unclosed>" + b" " * 2000)  # malformed too: the size is checked first
    (problem,) = validate_file(large, XsdTarget(ORDER_XSD), max_bytes=1000).problems
    assert problem == type(problem)("the file is 2010 bytes, over the limit of 1000 (--max-bytes)")


def test_a_file_that_is_not_a_regular_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)  # reading it would block forever
    assert [p.reason for p in check(fifo, XsdTarget(ORDER_XSD)).problems] == ["not a regular file"]


def test_malformed_xml_is_reported_with_the_line_and_column_of_the_syntax_error() -> None:
    report = check(FIXTURES / "broken" / "malformed.xml", XsdTarget(ORDER_XSD))
    assert located(report) == [
        (
            4,
            29,
            None,
            "the document is not well-formed XML: Opening and ending tag mismatch: placed line 4 and placd",
        )
    ]


def test_an_empty_or_unreadable_file_is_a_problem_of_that_file(tmp_path: Path) -> None:
    (tmp_path / "empty.xml").write_bytes(b"")
    assert [p.reason for p in check(tmp_path / "empty.xml", XsdTarget(ORDER_XSD)).problems] == ["the document is empty"]
    link = tmp_path / "dangling.xml"
    link.symlink_to(tmp_path / "nowhere.xml")
    (problem,) = check(link, XsdTarget(ORDER_XSD)).problems
    assert problem.reason.startswith("cannot read the file: ")


def test_problems_among_thousands_of_siblings_are_each_located(tmp_path: Path) -> None:
    lines = (FIXTURES / "canonical" / "Customer.invalid.xml").read_text().splitlines()[1:]  # no XML declaration
    customer = "\n".join(["<cn:customer>", *lines[1:]]) + "\n"  # 13 lines, its namespace declared above
    many = tmp_path / "many.xml"
    opening = '<cn:SearchCustomersResponse xmlns:cn="urn:soapbridge:canonical:v1">\n'
    many.write_text(opening + customer * 3000 + "</cn:SearchCustomersResponse>\n")
    report = check(many, CanonicalTarget(CANONICAL_XSD, "SearchCustomersResponse"))
    assert len(report.problems) == 3 * 3000
    before_last = 1 + 13 * 2999  # the lines before the last customer
    single = located(check(FIXTURES / "canonical" / "Customer.invalid.xml", CanonicalTarget(CANONICAL_XSD, "Customer")))
    assert located(report)[-3:] == [
        (before_last + line - 1, column, path.replace("/customer/", "/SearchCustomersResponse/customer[3000]/"), reason)
        for line, column, path, reason in single
    ]


# --- many files ----------------------------------------------------------------------------------


def test_folders_are_searched_for_xml_files_recursively_and_in_order(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "xsd", tmp_path / "b")
    (tmp_path / "a" / "deeper").mkdir(parents=True)
    shutil.copy(FIXTURES / "xsd" / "order.valid.xml", tmp_path / "a" / "deeper" / "z.xml")
    (tmp_path / "a" / "notes.txt").write_text("not xml")
    files = collect_files([tmp_path, FIXTURES / "xsd" / "order.valid.xml"])
    assert [f.relative_to(tmp_path).as_posix() for f in files[:-1]] == [
        "a/deeper/z.xml",
        "b/order.invalid.xml",
        "b/order.minified.invalid.xml",
        "b/order.valid.xml",
    ]
    assert files[-1] == FIXTURES / "xsd" / "order.valid.xml"
    report = validate_files([tmp_path], XsdTarget(ORDER_XSD))
    assert report.summary() == {"files": 4, "valid": 2, "invalid": 2}


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no-such\.xml: no such file or folder"):
        collect_files([tmp_path / "no-such.xml"])


# --- agreement with xmllint ----------------------------------------------------------------------


def _xmllint() -> str:
    found = shutil.which("xmllint")
    if found is None:
        pytest.fail("xmllint is missing: run scripts/system-packages (it installs libxml2-utils)")
    return found


AGREEMENT = [
    *((ORDER_XSD, path) for path in sorted((FIXTURES / "xsd").glob("*.xml"))),
    *(
        (CANONICAL_XSD, path)
        for path in sorted((FIXTURES / "canonical").glob("GetCustomer.*valid.xml"))
        if "soap" not in path.name
    ),
]


@pytest.mark.parametrize(("xsd", "instance"), AGREEMENT, ids=[f"{x.name}:{i.name}" for x, i in AGREEMENT])
def test_verdicts_and_error_counts_agree_with_xmllint(xsd: Path, instance: Path) -> None:
    lint = subprocess.run(
        [_xmllint(), "--noout", "--nonet", "--schema", str(xsd), str(instance)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert lint.returncode in (0, 3), lint.stderr  # 3: the document does not validate
    lint_errors = len(re.findall(r"Schemas validity error", lint.stderr))
    target: Target = XsdTarget(xsd) if xsd == ORDER_XSD else CanonicalTarget(xsd, "GetCustomer")
    report = check(instance, target)
    assert report.valid == (lint.returncode == 0)
    assert len(report.problems) == lint_errors
