"""The package installs from its wheel, makes a project with `soapbridge init` and answers the demo on
Python 3.12 and 3.13 too.

spyne 2.14's bundled six cannot import on 3.12+; soapbridge._spyne repairs it. These tests
install the project (a wheel built from the checkout, not an editable install) into a fresh virtual
environment of each interpreter (pyenv's), outside the checkout, and run the real demo there from a
folder `soapbridge init` wrote. A missing interpreter fails: it is part of what we promise.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT
from tests.running import start_gateway, stop_gateway


def _interpreter(version: str) -> Path:
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = sorted(root.glob(f"versions/{version}.*/bin/python{version}"))
    assert found, f"Python {version} is not installed under {root}/versions (pyenv install {version})"
    return found[-1]


@pytest.mark.slow
@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_an_initialised_project_answers_on(version: str, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([str(_interpreter(version)), "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    install = subprocess.run(
        [python, "-m", "pip", "install", "-q", str(ROOT)], capture_output=True, text=True, timeout=600
    )
    assert install.returncode == 0, install.stdout + install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    not_a_project = _soapbridge(python, elsewhere, "serve", "--port", "0")
    assert not_a_project.returncode == 1
    assert not_a_project.stderr.count("\n") == 1 and "soapbridge init" in not_a_project.stderr, not_a_project.stderr
    made = _soapbridge(python, elsewhere, "init", "gw")
    assert made.returncode == 0, made.stderr
    process, gateway = start_gateway(python=python, cwd=elsewhere / "gw")
    try:
        answer = requests.post(f"{gateway.base}/json/GetCustomer", json={"customerId": "1001"}, timeout=10)
        assert answer.json()["customer"]["name"] == "Ada Lovelace"
        wsdl = requests.get(f"{gateway.base}/soap12?wsdl", timeout=10)
        assert wsdl.status_code == 200 and b"GetCustomerAccount" in wsdl.content
    finally:
        assert stop_gateway(process) == 0


def _soapbridge(python: str, cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
    command = [python, "-m", "soapbridge", *arguments]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
