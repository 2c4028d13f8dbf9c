"""The real-world corpora under ../shared/corpora, read in place (never copied into the repository).

CI (CI=true) always has the folder beside its clone: a missing one there is a failure that says where it was
looked for. A user's fresh clone has no ../shared, so there the tests that read it skip with a one-line reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import ROOT

CORPORA = ROOT.parent / "shared" / "corpora"
WSDL = CORPORA / "wsdl"


def required(path: Path) -> Path:
    """path, when the corpus holds it; else a failure in CI and a skip elsewhere, naming the folder."""
    if path.exists():
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the corpus is missing in CI: expected {path} (../shared/corpora beside the clone)")
    pytest.skip(f"no corpus at {CORPORA} (../shared/corpora beside the clone); these tests read it in place")
