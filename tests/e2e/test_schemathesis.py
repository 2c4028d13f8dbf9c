"""Schemathesis against a real `soapbridge serve` and its emulators, driven by the gateway's own /openapi.json.

Every JSON operation gets valid and invalid requests (bounded in number, with a fixed seed, so a CI run
is repeatable) and every answer must be no server error, a status, a Content-Type and headers the
document lists, and a body its schema accepts; other methods must get 405 with an Allow header.
The gateway runs with SOAPBRIDGE_AUTH=off, as the other e2e tests do: authentication is the same
for every operation, and tests/security covers it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.running import start_gateway, stop_gateway

pytestmark = pytest.mark.slow

CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",  # X-Correlation-ID, Idempotent-Replayed
        "unsupported_method",  # GET and the rest: 405, with Allow
        "allow_header_conformance",
        "missing_required_header",
    )
)
#: Per operation and phase: about 45 s in all for the fifteen operations on a 2-core machine.
MAX_EXAMPLES = 100
SEED = 20261121
#: The whole run's cap, in seconds; a run past it fails rather than stalling CI.
WALL_CLOCK = 150


def test_schemathesis_finds_no_server_error_and_no_answer_off_the_document(tmp_path: Path) -> None:
    process, gateway = start_gateway()
    try:
        served = len(requests.get(f"{gateway.base}/openapi.json", timeout=10).json()["paths"])
        run = schemathesis(gateway.base, tmp_path)
    finally:
        assert stop_gateway(process) == 0, "".join(gateway.output[-50:])
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    assert f"{served} selected / {served} total" in run.stdout, run.stdout[-5000:]


def schemathesis(base: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{base}/openapi.json",
            "--url",
            base,
            "--checks",
            CHECKS,
            "--mode",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--workers",
            "2",
            "--request-timeout",
            "30",
            "--generation-database",
            "none",
            "--no-color",
        ],
        cwd=folder,  # anything it writes stays out of the repository
        capture_output=True,
        text=True,
        timeout=WALL_CLOCK,
    )
