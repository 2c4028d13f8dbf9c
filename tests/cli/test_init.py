"""`soapbridge init DIR` writes a project that `check` accepts, and never writes over a folder with files in it.

That an installed wheel (no checkout anywhere) can do the same is shown in tests/test_python_versions.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from soapbridge.cli import main
from soapbridge.skeleton import PARTS
from tests.conftest import ROOT


def test_init_writes_a_project_that_check_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "gw"
    assert main(["init", str(target)]) == 0
    assert sorted(path.name for path in target.iterdir()) == sorted(PARTS)
    shipped = sorted(p.relative_to(ROOT) for part in PARTS[:4] for p in (ROOT / part).rglob("*") if p.is_file())
    written = sorted(p.relative_to(target) for part in PARTS[:4] for p in (target / part).rglob("*") if p.is_file())
    assert written == shipped
    assert f"cd {target} && soapbridge serve" in capsys.readouterr().out
    monkeypatch.setenv("SOAPBRIDGE_HOME", str(target))
    assert main(["check"]) == 0
    assert "configuration ok" in capsys.readouterr().out


def test_init_refuses_a_folder_that_has_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == f"soapbridge: {tmp_path} exists and is not an empty folder; name a new one\n"
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_a_folder_that_is_not_a_project_names_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOAPBRIDGE_HOME", str(tmp_path))
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"SOAPBRIDGE_HOME: {tmp_path} is not a soapbridge project" in err and "soapbridge init DIR" in err
