"""Lint and types are part of the one test command, so CI checks exactly what developers run."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing() -> None:
    result = _run("ruff", "check", "service", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_finds_nothing() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_package_folder_is_installed() -> None:
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {
        "soapbridge"
        + ("." + ".".join(p.parent.relative_to(ROOT / "service").parts) if p.parent != ROOT / "service" else "")
        for p in (ROOT / "service").rglob("__init__.py")
    }
    assert folders == listed
