"""`soapbridge transform` as a tester runs it: results on stdout, problems on stderr, exit 0, 1 or 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from soapbridge.cli import main
from soapbridge.toolkit.xmldiff import first_difference
from soapbridge.xmlparse import parse_bytes, parse_file
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "toolkit" / "fixtures" / "transform"
CRM = ROOT / "xslt" / "crm" / "samples"
BILLING = ROOT / "xslt" / "billing" / "samples"


@pytest.fixture(autouse=True)
def home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOAPBRIDGE_HOME", str(ROOT))


def transform(capsys: pytest.CaptureFixture[str], *arguments: object) -> tuple[int, str, str]:
    code = main(["transform", *map(str, arguments)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def same_as(output: str, expected: Path) -> bool:
    return first_difference(parse_bytes(output.encode()), parse_file(expected).getroot()) is None


def line_of(path: Path, text: str) -> int:
    return line_of_output(path.read_text(), text)


def line_of_output(output: str, text: str) -> int:
    return next(number for number, line in enumerate(output.splitlines(), 1) if text in line)


def test_request_prints_the_legacy_body(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = transform(capsys, "crm", "GetCustomer", "--request", CRM / "GetCustomer.request.in.xml")
    assert (code, err) == (0, "")
    assert same_as(out, CRM / "GetCustomer.request.out.xml")
    assert out.splitlines()[1] == "  <IV_KUNNR>0000001001</IV_KUNNR>"  # pretty-printed


def test_request_in_the_json_form(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = transform(capsys, "crm", "GetCustomer", "--request", FIXTURES / "GetCustomer.request.json", "--json")
    assert code == 0 and same_as(out, CRM / "GetCustomer.request.out.xml")


def test_response_prints_the_canonical_response_as_xml_or_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = transform(capsys, "crm", "GetCustomer", "--response", FIXTURES / "GetCustomer.response.envelope.xml")
    assert code == 0 and same_as(out, CRM / "GetCustomer.response.out.xml")
    code, out, _ = transform(capsys, "crm", "GetCustomer", "--response", CRM / "GetCustomer.response.in.xml", "--json")
    customer = json.loads(out)["customer"]
    assert code == 0 and (customer["id"], customer["tag"]) == ("1001", ["vip", "newsletter"])


def test_billing_rpc_both_ways_with_request_params(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = transform(capsys, "billing", "ListInvoices", "--request", BILLING / "ListInvoices.request.in.xml")
    assert code == 0 and same_as(out, BILLING / "ListInvoices.request.out.xml")
    code, out, _ = transform(
        capsys,
        "billing",
        "ListInvoices",
        "--response",
        BILLING / "ListInvoices.response.status.in.xml",
        "--request-sample",
        BILLING / "ListInvoices.request.status.in.xml",
        "--json",
    )
    assert code == 0
    assert [invoice["status"] for invoice in json.loads(out)["invoice"]] == ["overdue"]
    assert '"total":539.90' in out  # decimals keep their digits


def test_composite_request_prints_each_step_or_the_one_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    request = FIXTURES / "GetCustomerAccount.request.xml"
    code, out, _ = transform(capsys, "composite", "GetCustomerAccount", "--request", request)
    assert code == 0
    assert [line for line in out.splitlines() if line.startswith("<!--")] == [
        "<!-- xslt/composite/GetCustomerAccount.customer.xsl -> step customer: "
        "a canonical GetCustomer (wsdl/canonical/soapbridge-v1.xsd) -->",
        "<!-- xslt/composite/GetCustomerAccount.invoices.xsl -> step invoices: "
        "a canonical ListInvoices (wsdl/canonical/soapbridge-v1.xsd) -->",
    ]
    code, out, _ = transform(capsys, "composite", "GetCustomerAccount", "--request", request, "--step", "invoices")
    assert code == 0 and same_as(out, ROOT / "xslt/composite/samples/GetCustomerAccount.invoices.out.xml")


def test_composite_response_from_its_context(capsys: pytest.CaptureFixture[str]) -> None:
    samples = ROOT / "xslt" / "composite" / "samples"
    code, out, _ = transform(
        capsys, "composite", "GetCustomerAccount", "--response", samples / "GetCustomerAccount.response.in.xml"
    )
    assert code == 0 and same_as(out, samples / "GetCustomerAccount.response.out.xml")


def test_an_invalid_sample_gets_every_problem_and_no_result(capsys: pytest.CaptureFixture[str]) -> None:
    sample = FIXTURES / "GetCustomer.invalid.xml"
    code, out, err = transform(capsys, "crm", "GetCustomer", "--request", sample)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{sample}:4: /GetCustomer/customerId: customerId: the value 'C-1001' is not accepted by the pattern "
        "'[1-9][0-9]{0,9}'",
        f"{sample}:5: /GetCustomer/includeInvoices: includeInvoices: this element is not expected",
    ]


def test_an_invalid_result_is_printed_as_xml_with_its_problems(capsys: pytest.CaptureFixture[str]) -> None:
    answer = FIXTURES / "GetCustomer.response.unknown-status.xml"
    code, out, err = transform(capsys, "crm", "GetCustomer", "--response", answer, "--json")
    assert code == 1
    line = line_of_output(out, "<cn:status>X</cn:status>")
    assert err.splitlines() == [
        "xslt/crm/GetCustomer.response.xsl produced an invalid result; "
        "expected a canonical GetCustomerResponse (wsdl/canonical/soapbridge-v1.xsd):",
        f"  line {line}: /GetCustomerResponse/customer/status: status: the value 'X' is not an element of the set "
        "{'active', 'inactive', 'blocked'}",
        "  (printed as XML: only a valid response has a JSON form)",
    ]


def test_a_mapping_refusal_names_stylesheet_line_and_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = transform(capsys, "billing", "RecordPayment", "--request", FIXTURES / "RecordPayment.subcent.xml")
    stylesheet = ROOT / "xslt" / "billing" / "RecordPayment.request.xsl"
    line = line_of(stylesheet, '<xsl:message terminate="yes">amount')
    assert (code, out) == (1, "")
    assert err == (
        f"xslt/billing/RecordPayment.request.xsl, line {line}: "
        "amount 12.345 has digits beyond the cents; billing books whole cents only\n"
    )


def test_a_broken_stylesheet_in_a_project_copy(project: Path) -> None:
    stylesheet = project / "xslt" / "crm" / "GetCustomer.request.xsl"
    stylesheet.write_text(stylesheet.read_text().replace('select="cn:customerId"', 'select="$customerId"'))
    sample = CRM / "GetCustomer.request.in.xml"
    result = subprocess.run(
        [sys.executable, "-m", "soapbridge", "transform", "crm", "GetCustomer", "--request", str(sample)],
        env={**os.environ, "SOAPBRIDGE_HOME": str(project)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = line_of(stylesheet, 'select="$customerId"')
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"xslt/crm/GetCustomer.request.xsl, line {line}: Failed to evaluate the expression of variable 'id'. "
        "(Variable 'customerId' has not been declared)\n"
    )


def test_a_result_the_legacy_wsdl_refuses(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stylesheet = project / "xslt" / "crm" / "GetCustomer.request.xsl"
    stylesheet.write_text(stylesheet.read_text().replace("IV_KUNNR>", "IV_KUNR>"))
    monkeypatch.setenv("SOAPBRIDGE_HOME", str(project))
    code, out, err = transform(capsys, "crm", "GetCustomer", "--request", CRM / "GetCustomer.request.in.xml")
    assert code == 1 and "<IV_KUNR>0000001001</IV_KUNR>" in out
    assert err.splitlines() == [
        "xslt/crm/GetCustomer.request.xsl produced an invalid result; "
        "expected crm's Z_CRM_CUSTOMER_READ input message (wsdl/crm/ZCRM_CUSTOMER_V3.wsdl):",
        "  line 2: /Z_CRM_CUSTOMER_READ/IV_KUNR: IV_KUNR: this element is not expected. Expected is ( IV_KUNNR )",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["crn", "GetCustomer", "--request", "x.xml"], "no adapter 'crn'; the adapters are: billing, composite, crm"),
        (["crm", "GetCustomr", "--request", "x.xml"], "maps no operation 'GetCustomr'; it maps: GetCustomer"),
        (["crm", "GetCustomer", "--request", "missing.xml"], "cannot read missing.xml: No such file or directory"),
        (["crm", "GetCustomer", "--request", str(CRM / "GetCustomer.request.in.xml"), "--step", "x"], "has no step"),
        (["crm", "GetCustomer", "--response", "x.xml", "--step", "customer"], "--step goes with --request"),
        (["crm", "GetCustomer", "--request", "x.xml", "--request-sample", "y.xml"], "goes with --response"),
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], arguments: list[str], message: str) -> None:
    code, out, err = transform(capsys, *arguments)
    assert (code, out) == (2, "")
    assert err.startswith("soapbridge: ") and message in err


def test_request_and_response_together_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["transform", "crm", "GetCustomer", "--request", "a.xml", "--response", "b.xml"])
    assert caught.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_help_documents_composites_and_params(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["transform", "--help"])
    text = capsys.readouterr().out
    assert caught.value.code == 0
    assert "--request-sample FILE" in text and "context document" in text and "without params" in text
