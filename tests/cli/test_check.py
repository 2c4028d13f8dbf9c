"""`soapbridge check`, and `serve` refusing to start on a configuration that does not check out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from soapbridge.cli import main
from tests.conftest import ROOT


def run_check(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, home: Path) -> tuple[int, str]:
    monkeypatch.setenv("SOAPBRIDGE_HOME", str(home))
    code = main(["check"])
    captured = capsys.readouterr()
    assert captured.err == ""
    return code, captured.out


def break_project(project: Path) -> None:
    """Two independent faults: a TOML typo in crm, and a weather golden pair that no longer holds."""
    adapter = project / "adapters" / "crm.toml"
    adapter.write_text(adapter.read_text().replace("[timeouts]", "[timeout]"))
    sample = project / "xslt" / "weather" / "samples" / "GetForecast.request.out.xml"
    sample.write_text(sample.read_text().replace("EGLL", "EGKK"))


def test_the_shipped_configuration_prints_a_green_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = run_check(capsys, monkeypatch, ROOT)
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["ADAPTER", "OPERATION", "STATUS", "DETAIL"]
    assert lines[1].split()[:3] == ["(canonical)", "-", "ok"]
    assert any(line.split()[:3] == ["crm", "GetCustomer", "ok"] for line in lines)
    assert not any("FAIL" in line for line in lines)
    assert lines[-1] == f"{ROOT}: configuration ok (15 operations)"


def test_a_broken_copy_prints_failing_rows_and_exits_1(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    break_project(project)
    code, out = run_check(capsys, monkeypatch, project)
    failing = [line.split(None, 3) for line in out.splitlines() if "FAIL" in line]
    assert code == 1
    assert failing == [
        ["crm", "-", "FAIL", "adapters/crm.toml: timeout: unknown key; expected one of: system, timeouts, "
         "retry, breaker, bulkhead, tls, credentials, namespaces, faults, answers, parameters, operations, "
         "passthrough, debug"],
        ["weather", "GetForecast", "FAIL", "xslt/weather/samples/GetForecast.request.in.xml no longer gives "
         "GetForecast.request.out.xml: /GetDailyForecast/StationICAO: expected text 'EGKK', got 'EGLL'"],
    ]  # fmt: skip
    assert out.splitlines()[-1] == f"{project}: configuration broken (2 failing rows)"


@pytest.mark.parametrize("emulators", [False, True], ids=["no-emulators", "with-emulators"])
def test_serve_refuses_to_start_on_a_broken_copy(project: Path, emulators: bool) -> None:
    break_project(project)
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
    command = [sys.executable, "-m", "soapbridge", "serve", "--port", "0"] + ([] if emulators else ["--no-emulators"])
    process = subprocess.Popen(
        command,
        env={**env, "SOAPBRIDGE_HOME": str(project)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=60)
    finally:
        leftover = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 1
    assert out == ""  # no emulator started, nothing listening
    lines = err.splitlines()
    assert lines[0] == "soapbridge: not starting; `soapbridge check` fails on:"
    rows = [line.split()[:3] for line in lines[2:]]
    if emulators:  # the demo's check: the emulators bring the secrets, once it passes
        assert rows == [["crm", "-", "FAIL"], ["weather", "GetForecast", "FAIL"]]
    else:  # check judges the project serve would run, secrets included: the unset ones fail their adapters too
        assert rows == [["crm", "-", "FAIL"], ["ehr", "-", "FAIL"], ["mailing", "-", "FAIL"], ["weather", "-", "FAIL"]]
        assert "SOAPBRIDGE_MAILING_USERNAME is not set" in err and "SOAPBRIDGE_WEATHER_LICENCE is not set" in err
    assert not leftover, f"processes left behind: {leftover}"


def test_check_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["check", "--help"])
    assert caught.value.code == 0
    assert "golden pair" in capsys.readouterr().out
