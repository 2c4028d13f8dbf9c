"""Cells judged on CPU per request and throughput, errors on any side failing a cell, and the baseline comparison
that keeps the gain: pure functions over recorded results, and `python -m bench --compare` on files."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import baseline, judge
from tests.conftest import ROOT

RECORDED = Path(__file__).with_name("recorded_result.json")


def _side(rps: float, us: float | None, errors: int = 0) -> dict[str, Any]:
    return {"rps": rps, "cpu_us_per_request": us, "errors": errors}


def _row(gateway: dict[str, Any], reference: dict[str, Any], **others: Any) -> dict[str, Any]:
    return {"scenario": "xslt", "operation": "GetCustomer", "size": "1KB", "size_kb": 1.0, "concurrency": 8,
            "gateway": gateway, "reference": reference, **others}  # fmt: skip


@pytest.fixture
def result() -> dict[str, Any]:
    recorded: dict[str, Any] = json.loads(RECORDED.read_text())
    return recorded


def test_cpu_per_request_is_cpu_seconds_over_completed_requests_in_microseconds() -> None:
    assert judge.cpu_per_request_us(1.5, 3000) == 500.0
    assert judge.cpu_per_request_us(0.0123456, 7) == 1763.7
    assert judge.cpu_per_request_us(2.0, 0) is None


def test_a_cell_is_met_only_within_both_targets() -> None:
    assert judge.against_reference(_row(_side(900, 570), _side(1000, 500))) == judge.Verdict(True, "CPU 1.14x, 90 %")
    assert judge.against_reference(_row(_side(900, 580), _side(1000, 500))).met is False  # CPU 1.16x
    assert judge.against_reference(_row(_side(840, 500), _side(1000, 500))).met is False  # 84 % of the throughput


def test_any_error_on_either_side_fails_the_cell_whatever_its_figures() -> None:
    fast_but_failing = judge.against_reference(_row(_side(5000, 100, errors=1), _side(1000, 500)))
    assert fast_but_failing == judge.Verdict(False, "CPU 0.20x, 500 %, 1 errors")
    assert judge.against_reference(_row(_side(1000, 500), _side(1000, 500, errors=2))).met is False
    assert judge.against_reference(_row(_side(0, None, errors=800), _side(1000, 500))) == judge.Verdict(
        False, "800 errors"
    )


def test_the_naive_peer_is_judged_by_size_and_by_its_errors_too() -> None:
    row = _row(_side(1200, 500), _side(1300, 450), naive=_side(400, 2500))
    assert judge.against_naive(row) == judge.Verdict(True, "3.0x")
    assert judge.against_naive({**row, "naive": _side(410, 2500)}).met is False
    assert judge.against_naive({**row, "size_kb": 10.0}).met is False  # 6x wanted at 10 KB
    assert judge.against_naive({**row, "naive": _side(100, 2500, errors=1)}) == judge.Verdict(False, "12.0x, 1 errors")
    assert judge.against_naive(_row(_side(1200, 500), _side(1300, 450))) is None  # no peer in this cell


def test_a_cell_whose_gateway_cpu_per_request_grew_over_ten_percent_regresses(result: dict[str, Any]) -> None:
    current = copy.deepcopy(result)
    current["rows"][2]["gateway"]["cpu_us_per_request"] *= 1.11
    current["rows"][3]["gateway"]["cpu_us_per_request"] *= 1.09
    found = {change.cell: change for change in baseline.changes(result, current)}
    assert len(found) == len(result["rows"])
    assert found["xslt GetCustomer 1 KB c8"].regressed
    assert not found["xslt GetCustomer 1 KB c64"].regressed
    text = baseline.text(result, current, list(found.values()))
    assert "xslt GetCustomer 1 KB c8: 570 -> 633 us/request (+11%) REGRESSION" in text
    assert text.endswith(f"1 of {len(result['rows'])} cells regressed")


def test_cells_in_one_result_only_are_listed_not_judged(result: dict[str, Any]) -> None:
    current = copy.deepcopy(result)
    current["rows"] = current["rows"][:2]
    current["machine"]["cpu"] = "Another CPU"
    found = baseline.changes(result, current)
    text = baseline.text(result, current, found)
    assert [change.cell for change in found] == [
        "direct GetCurrentWeather 0.4 KB c8",
        "direct GetCurrentWeather 0.4 KB c64",
    ]
    assert "not compared (in one result only): json GetCustomer 1 KB c64" in text
    assert "CPU per request differs between processors" in text
    assert text.endswith("no regression in 2 cells")


def _compare(baseline_file: Path, result_file: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bench", "--compare", str(baseline_file), "--result", str(result_file)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)


def test_compare_fails_loudly_on_a_regression_and_passes_without_one(result: dict[str, Any], tmp_path: Path) -> None:
    worse = copy.deepcopy(result)
    worse["rows"][-1]["gateway"]["cpu_us_per_request"] *= 1.5
    (tmp_path / "worse.json").write_text(json.dumps(worse))
    failed = _compare(RECORDED, tmp_path / "worse.json")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "json SearchCustomers 10 KB c64: 700 -> 1050 us/request (+50%) REGRESSION" in failed.stdout
    assert "regressed against" in failed.stderr
    same = _compare(RECORDED, RECORDED)
    assert same.returncode == 0, same.stdout + same.stderr
    assert "no regression in 16 cells" in same.stdout


def test_compare_with_a_missing_baseline_says_so_and_fails(tmp_path: Path) -> None:
    done = _compare(tmp_path / "nothing.json", RECORDED)
    assert done.returncode == 1
    assert "cannot compare with" in done.stderr
