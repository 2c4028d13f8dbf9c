"""`soapbridge try`: one canonical request through the engine `serve` runs, against the CRM emulator on loopback
or a mock of its WSDL, every stage printed and the secrets left out."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from soapbridge.cli import main
from soapbridge.legacy._server import RunningEmulator
from tests.conftest import CREDENTIALS, ROOT
from tests.running import emulated_crm

PASSWORD = "c0rrect-h0rse-battery"
ACCOUNT = {"SOAPBRIDGE_CRM_USERNAME": "gateway", "SOAPBRIDGE_CRM_PASSWORD": PASSWORD}
SAMPLES = ROOT / "xslt" / "crm" / "samples"


@pytest.fixture(scope="module")
def crm() -> Iterator[RunningEmulator]:
    with emulated_crm(ACCOUNT) as emulator:
        yield emulator


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, crm: RunningEmulator) -> None:
    variables = {**CREDENTIALS, **ACCOUNT}
    for name, value in {**variables, "SOAPBRIDGE_HOME": str(ROOT), "SOAPBRIDGE_CRM_URL": crm.url}.items():
        monkeypatch.setenv(name, value)


def run_try(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = main(["try", *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def request_file(tmp_path: Path, customer_id: str) -> Path:
    path = tmp_path / "request.xml"
    path.write_text(
        f'<cn:GetCustomer xmlns:cn="urn:soapbridge:canonical:v1"><cn:customerId>{customer_id}</cn:customerId>'
        "</cn:GetCustomer>"
    )
    return path


@pytest.mark.usefixtures("environment")
def test_every_stage_is_shown_and_no_token_is(capsys: pytest.CaptureFixture[str], crm: RunningEmulator) -> None:
    code, out, err = run_try(capsys, "GetCustomer", str(SAMPLES / "GetCustomer.request.in.xml"))
    assert (code, err) == (0, "")
    headings = [line for line in out.splitlines() if line.startswith("== ")]
    assert headings == [
        "== canonical request (GetCustomer)",
        f"== legacy request: crm Z_CRM_CUSTOMER_READ to {crm.url}",
        "== legacy answer: HTTP 200 (text/xml; charset=utf-8)",
        "== rule",
        "== canonical answer",
    ]
    assert out.count("   verdict: valid") == 2
    assert "<IV_KUNNR>0000001001</IV_KUNNR>" in out and "<NAME1>Ada Lovelace</NAME1>" in out
    assert "<cn:name>Ada Lovelace</cn:name>" in out
    assert ">***</wsse:Password>" in out and ">***</wsse:Nonce>" in out and PASSWORD not in out


@pytest.mark.usefixtures("environment")
def test_a_legacy_fault_shows_its_words_the_rule_and_the_canonical_fault(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run_try(capsys, "GetCustomer", str(request_file(tmp_path, "9999")))
    assert code == 1
    assert "== legacy fault: " in out and "0000009999" in out
    assert "   crm Z_CRM_CUSTOMER_READ: faults[0] (when boolean(detail/n0:ZCX_CRM_NOT_FOUND)) -> NotFound" in out
    assert "== canonical fault: NotFound (client's fault)" in out


@pytest.mark.usefixtures("environment")
def test_an_invalid_request_stops_at_its_verdict(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run_try(capsys, "GetCustomer", str(request_file(tmp_path, "abc")), "--format", "json")
    shown = json.loads(out)
    assert code == 1
    assert "pattern" in shown["request_verdict"] and shown["exchanges"] == [] and shown["ok"] is False


@pytest.mark.usefixtures("environment")
def test_json_in_and_out(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"customerId": "1001"}))
    code, out, _ = run_try(capsys, "GetCustomer", str(request), "--json", "--format", "json")
    shown = json.loads(out)
    assert code == 0 and shown["ok"] is True and shown["system"] == "crm"
    assert [next(iter(event)) for event in shown["exchanges"]] == ["sent", "received"]
    assert shown["exchanges"][0]["sent"]["headers"]["SOAPAction"].endswith('Z_CRM_CUSTOMER_READRequest"')
    assert PASSWORD not in out


def test_mocked_with_canned_answers_no_system_and_no_credentials_are_needed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("SOAPBRIDGE_CRM_USERNAME", "SOAPBRIDGE_CRM_PASSWORD", "SOAPBRIDGE_CRM_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SOAPBRIDGE_HOME", str(ROOT))
    responses = tmp_path / "responses"
    responses.mkdir()
    shutil.copy(SAMPLES / "GetCustomer.response.in.xml", responses / "Z_CRM_CUSTOMER_READ.xml")
    request = str(SAMPLES / "GetCustomer.request.in.xml")
    code, out, _ = run_try(capsys, "GetCustomer", request, "--mock", "--responses", str(responses))
    assert code == 0, out
    assert "== legacy request: crm Z_CRM_CUSTOMER_READ to http://127.0.0.1:" in out
    assert "<cn:name>Ada Lovelace</cn:name>" in out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["NoSuchOperation", "request.xml"], "NoSuchOperation is not an operation of this gateway"),
        (["GetCustomer", "missing.xml"], "cannot read missing.xml"),
        (["GetCustomer", "request.xml", "--responses", "."], "--responses goes with --mock"),
    ],
)
@pytest.mark.usefixtures("environment")
def test_usage_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    arguments: list[str],
    message: str,
) -> None:
    request_file(tmp_path, "1001")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_try(capsys, *arguments)
    assert (code, out) == (2, "")
    assert err.startswith(f"soapbridge: {message}") and err.count("\n") == 1


def test_an_in_band_error_names_the_answers_rule_that_held(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOAPBRIDGE_HOME", str(ROOT))
    monkeypatch.delenv("SOAPBRIDGE_WEATHER_URL", raising=False)
    responses = tmp_path / "responses"
    responses.mkdir()
    (responses / "GetDailyForecast.xml").write_text(
        '<GetDailyForecastResponse xmlns="http://aerowx.example.net/WxFeed/2005/03/types"><IsError>true</IsError>'
        "<ErrorCode>STATION_UNKNOWN</ErrorCode><ErrorMessage>station ZZZZ is not known</ErrorMessage>"
        "</GetDailyForecastResponse>"
    )
    request = str(ROOT / "xslt" / "weather" / "samples" / "GetForecast.request.in.xml")
    code, out, _ = run_try(capsys, "GetForecast", request, "--mock", "--responses", str(responses), "--format", "json")
    shown = json.loads(out)
    assert code == 1
    rule = "answers[0] (when wx:IsError = 'true' and wx:ErrorCode = 'STATION_UNKNOWN') -> NotFound"
    assert shown["rules"] == [f"weather: {rule}"]
    assert shown["fault"]["code"] == "NotFound"
    assert shown["fault"]["message"] == "station ZZZZ is not known"
