"""`soapbridge validate`: exit codes, the text and JSON reports, folders, --help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from soapbridge.cli import main
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "toolkit" / "fixtures" / "validate"
ORDER_XSD = FIXTURES / "xsd" / "order.xsd"
CRM_WSDL = ROOT / "wsdl" / "crm" / "ZCRM_CUSTOMER_V3.wsdl"


def run(capsys: pytest.CaptureFixture[str], *arguments: str | Path) -> tuple[int, str, str]:
    code = main(["validate", *map(str, arguments)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_valid_files_exit_0_and_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    valid = FIXTURES / "xsd" / "order.valid.xml"
    assert run(capsys, valid, "--xsd", ORDER_XSD) == (0, f"{valid}: valid\n1 file, 0 invalid\n", "")


def test_an_invalid_file_exits_1_with_one_line_per_problem(capsys: pytest.CaptureFixture[str]) -> None:
    invalid = FIXTURES / "xsd" / "order.invalid.xml"
    code, out, err = run(capsys, invalid, "--xsd", ORDER_XSD)
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert len(lines) == 9
    assert (
        lines[0]
        == f"{invalid}:2:1: /order/@currency: the value 'YEN' is not an element of the set {{'EUR', 'GBP', 'USD'}}"
    )
    assert lines[6] == f"{invalid}:12:5: /order/line[2]/price: this element is not expected. Expected is ( quantity )"
    assert lines[-1] == "1 file, 1 invalid"


def test_a_folder_is_checked_file_by_file_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, FIXTURES / "wsdl" / "crm", "--wsdl", CRM_WSDL)
    assert code == 1
    lines = out.splitlines()
    assert lines[-1] == "4 files, 3 invalid"
    assert f"{FIXTURES / 'wsdl' / 'crm' / 'read.request.valid.xml'}: valid" in lines
    assert (
        f"{FIXTURES / 'wsdl' / 'crm' / 'read.request.soap12.xml'}:2:1: /Envelope: "
        "a SOAP 1.2 envelope, but the WSDL has no SOAP 1.2 binding"
    ) in lines
    files = [line.split(":")[0] for line in lines[:-1]]
    assert files == sorted(files)


def test_json_is_one_document_with_every_problem_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, FIXTURES / "canonical", "--canonical", "GetCustomer", "--format", "json")
    assert code == 1
    report = json.loads(out)
    by_name = {Path(f["file"]).name: f for f in report["files"]}
    assert by_name["GetCustomer.valid.xml"] == {
        "file": str(FIXTURES / "canonical" / "GetCustomer.valid.xml"),
        "valid": True,
        "problems": [],
    }
    assert by_name["GetCustomer.invalid.xml"]["problems"] == [
        {
            "line": 3,
            "column": 3,
            "path": "/GetCustomer/customerId",
            "reason": "the value '0042' is not accepted by the pattern '[1-9][0-9]{0,9}'",
        },
        {"line": 4, "column": 3, "path": "/GetCustomer/includeInvoices", "reason": "this element is not expected"},
    ]
    assert report["summary"] == {"files": 8, "valid": 2, "invalid": 6}  # Customer and GatewayFault are not GetCustomer


def test_hostile_files_exit_1_without_revealing_anything(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "deep.xml").write_text("<a>" * 10_000 + "</a>" * 10_000)
    code, out, err = run(capsys, FIXTURES / "hostile", tmp_path, "--xsd", ORDER_XSD, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"] == {"files": 5, "valid": 0, "invalid": 5}
    assert "TOP-SECRET" not in out + err
    assert all(len(f["problems"]) == 1 for f in report["files"])


def test_an_oversize_file_is_refused_by_max_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    valid = FIXTURES / "xsd" / "order.valid.xml"
    code, out, _ = run(capsys, valid, "--xsd", ORDER_XSD, "--max-bytes", "100")
    assert code == 1
    assert "over the limit of 100 (--max-bytes)" in out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["x.xml"], "one of the arguments --xsd --wsdl --canonical is required"),
        (["x.xml", "--xsd", "a.xsd", "--canonical", "Customer"], "not allowed with argument"),
        (["x.xml", "--format", "yaml", "--canonical", "Customer"], "invalid choice: 'yaml'"),
    ],
)
def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str], arguments: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["validate", *arguments])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([FIXTURES / "no-such.xml", "--xsd", ORDER_XSD], "no-such.xml: no such file or folder"),
        ([FIXTURES / "xsd", "--xsd", FIXTURES / "broken" / "order.xsd"], "the schema does not compile"),
        ([FIXTURES / "xsd", "--xsd", FIXTURES / "xsd" / "none.xsd"], "no such schema file"),
        ([FIXTURES / "canonical", "--canonical", "Nope"], "'Nope' is not in the canonical XSD"),
        ([FIXTURES / "wsdl", "--wsdl", CRM_WSDL, "--operation", "Nope"], "no operation 'Nope'"),
        ([FIXTURES / "xsd", "--xsd", ORDER_XSD, "--operation", "X"], "--operation and --direction go with --wsdl"),
        ([FIXTURES / "xsd", "--xsd", ORDER_XSD, "--max-bytes", "0"], "--max-bytes must be a positive"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], arguments: list[str | Path], message: str
) -> None:
    code, out, err = run(capsys, *arguments)
    assert (code, out) == (2, "")
    assert err.startswith("soapbridge: ") and message in err
    assert err.count("\n") == 1


def test_the_wsdl_operation_and_direction_options(capsys: pytest.CaptureFixture[str]) -> None:
    request = FIXTURES / "wsdl" / "crm" / "read.request.valid.xml"
    arguments = [request, "--wsdl", CRM_WSDL, "--operation", "Z_CRM_CUSTOMER_READ"]
    assert run(capsys, *arguments, "--direction", "input")[0] == 0
    code, out, _ = run(capsys, *arguments, "--direction", "output")
    assert code == 1
    assert "the Body should hold Z_CRM_CUSTOMER_READResponse, but holds Z_CRM_CUSTOMER_READ" in out


def test_help_runs_as_a_real_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "soapbridge", "validate", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    for option in ("--xsd", "--wsdl", "--canonical", "--operation", "--direction", "--format", "--max-bytes"):
        assert option in result.stdout


def test_the_real_command_validates_the_projects_samples() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "soapbridge", "validate", "--canonical", "GetCustomerResponse", "xslt/crm/samples"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = result.stdout.splitlines()
    assert "xslt/crm/samples/GetCustomer.response.out.xml: valid" in lines
    assert result.returncode == 1  # the folder holds other operations' samples too
