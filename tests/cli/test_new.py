"""`soapbridge new adapter`: the commands a new user types, from a WSDL to a call through `try`, and the refusals
(one line, a non-zero exit, and not one file written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from soapbridge.cli import main
from tests.corpora import WSDL, required

COUNTRIES = WSDL / "wsdl-to-postman" / "validWSDLs11" / "countryInformation.wsdl"
HTTP_ONLY = WSDL / "wsdl-to-postman" / "validWSDLs11" / "temperatureConverterHTTP.wsdl"
#: Marketo's WSDL uses a type it never defines: zeep, which serve calls with, refuses it, so the scaffold does.
UNDEFINED_TYPE = WSDL / "node-soap" / "marketo.wsdl"
RPC_ENCODED = Path(__file__).resolve().parent.parent / "wsdlmodel" / "fixtures" / "rpc-encoded.wsdl"


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def home(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOAPBRIDGE_HOME", str(project))
    monkeypatch.chdir(project)
    return project


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("arguments", [["new", "--help"], ["new", "adapter", "--help"]])
def test_help(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(arguments)
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "adapter" in out and ("--operation" in out or arguments == ["new", "--help"])


def test_from_a_wsdl_to_a_project_check_passes(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wsdl = str(required(COUNTRIES))
    code, out, err = run(capsys, "new", "adapter", "countries", "--wsdl", wsdl, "--operation", "CapitalCity")
    assert (code, err) == (0, "")
    assert "wrote adapters/countries.toml" in out and "wrote wsdl/countries/countryInformation.wsdl" in out
    assert 'added <xs:include schemaLocation="countries.xsd"/> to wsdl/canonical/soapbridge-v1.xsd' in out
    assert "soapbridge try CapitalCity xslt/countries/samples/CapitalCity.request.in.xml --mock" in out
    code, out, _ = run(capsys, "check")
    assert code == 1 and "no matching CapitalCity.request.out.xml" in out  # plain check never writes
    code, out, _ = run(capsys, "check", "--accept")
    assert code == 0, out
    assert out.splitlines()[:2] == [
        "accepted xslt/countries/samples/CapitalCity.request.out.xml",
        "accepted xslt/countries/samples/CapitalCity.response.out.xml",
    ]
    code, out, _ = run(capsys, "check")
    assert code == 0 and "FAIL" not in out and "accepted" not in out


def test_try_runs_the_scaffolded_operation_against_a_mock(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "new", "adapter", "countries", "--wsdl", str(required(COUNTRIES)), "--operation", "CapitalCity")
    run(capsys, "check", "--accept")
    request = "xslt/countries/samples/CapitalCity.request.in.xml"
    code, out, err = run(capsys, "try", "CapitalCity", request, "--mock")
    assert (code, err) == (0, ""), out
    assert "== legacy request: countries CapitalCity to http://127.0.0.1:" in out
    assert "<sCountryISOCode>string</sCountryISOCode></lg:CapitalCity>" in out  # as sent, unqualified inside
    assert "<cn:capitalCityResult>string</cn:capitalCityResult>" in out
    assert out.count("   verdict: valid") == 2


def refusals() -> list[tuple[list[str], str, int]]:
    return [
        (["bad", "--wsdl", "broken.wsdl"], "the WSDL broken.wsdl is not well-formed XML", 1),
        (["crm", "--wsdl", "broken.wsdl"], "crm already has an adapter file, adapters/crm.toml", 2),
        (
            ["countries", "--wsdl", str(COUNTRIES), "--operation", "CapitalCity", "--operation", "Capital"],
            "the port has no operation Capital; it has: ListOfContinentsByName, ListOfContinentsByCode",
            2,
        ),
        (
            ["stock", "--wsdl", str(RPC_ENCODED)],
            f"{RPC_ENCODED}: GetQuotes is rpc/encoded (SOAP section 5 encoding), which soapbridge does not call; "
            "ask for a document/literal or rpc/literal binding of stock, or put a literal facade in front of it",
            1,
        ),
        (
            ["temperature", "--wsdl", str(HTTP_ONLY)],
            "the WSDL has no SOAP port, so there is nothing to call; its ports: TempConvert/TempConvertHttpPost (http)",
            2,
        ),
        (
            ["marketo", "--wsdl", str(UNDEFINED_TYPE)],
            f"{UNDEFINED_TYPE.resolve()}: the WSDL does not load: Unable to resolve type {{http://www.marketo.com/mktows/}}",
            1,
        ),
        (["Stock", "--wsdl", "broken.wsdl"], "'Stock' is not a system name", 2),
        (["stock", "--wsdl", "missing.wsdl"], "no such WSDL file: missing.wsdl", 2),
    ]


@pytest.mark.parametrize(
    ("arguments", "message", "exit_code"),
    refusals(),
    ids=[
        "not-xml",
        "taken",
        "no-such-operation",
        "rpc-encoded",
        "no-soap-port",
        "zeep-refuses",
        "bad-name",
        "no-file",
    ],
)
def test_refusals_are_one_line_and_leave_nothing_behind(
    home: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str, exit_code: int
) -> None:
    for path in (Path(argument) for argument in arguments if argument.startswith(str(WSDL))):
        required(path)
    (home / "broken.wsdl").write_text("this is not XML")
    before = snapshot(home)
    code, out, err = run(capsys, "new", "adapter", *arguments)
    assert (code, out) == (exit_code, "")
    assert err.startswith(f"soapbridge: {message}") and err.count("\n") == 1, err
    assert snapshot(home) == before
