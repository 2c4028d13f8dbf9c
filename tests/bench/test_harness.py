"""The benchmark harness: wrk's script and figures, the report as pure functions of a recorded result, and one
quick real run (canned upstream, gateway, reference proxy, wrk) that must leave nothing running."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import psutil
import pytest

from bench import report, shares, wrk
from bench.machine import cpu_model
from bench.run import BenchError, Options, combined, selected
from tests.conftest import ROOT

#: A run's result in the shape python -m bench writes, its figures edited so that some targets are met and some missed.
RECORDED = Path(__file__).with_name("recorded_result.json")


@pytest.fixture
def result() -> dict[str, Any]:
    recorded: dict[str, Any] = json.loads(RECORDED.read_text())
    return recorded


# -- wrk -----------------------------------------------------------------------------------------------------------


def test_lua_strings_escape_everything_but_printable_ascii() -> None:
    assert wrk.lua_string('a"b\\c\né') == '"a\\034b\\092c\\010\\195\\169"'
    assert wrk.lua_string(b"\x00") == '"\\000"'


def test_the_script_posts_the_body_file_with_every_header(tmp_path: Path) -> None:
    lua = wrk.script(tmp_path / "body", {"SOAPAction": '"urn:x"'})
    assert "wrk.method = 'POST'" in lua
    assert f"io.open({wrk.lua_string(str(tmp_path / 'body'))}, 'rb')" in lua
    assert 'wrk.headers["SOAPAction"] = "\\034urn:x\\034"' in lua
    assert "done = function" in lua


def test_wrk_figures_come_from_the_result_line() -> None:
    line = (
        '{"requests": 500, "duration_us": 2000000, "connect": 1, "read": 2, "write": 0, "status": 3, '
        '"timeout": 4, "p50_us": 1500, "p99_us": 9000}'
    )
    load = wrk.parse(f"Running 2s test\n{wrk.MARKER}{line}\n")
    assert load == wrk.Load(requests=500, seconds=2.0, rps=250.0, p50_ms=1.5, p99_ms=9.0, errors=10)


def test_wrk_output_without_a_result_line_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="no result line"):
        wrk.parse("unable to connect to 127.0.0.1:1 Connection refused\n")


# -- what runs -----------------------------------------------------------------------------------------------------


def test_quick_runs_the_smallest_size_of_each_scenario() -> None:
    keys = [scenario.key for scenario in selected(Options(quick=True, only=("xslt",)))]
    assert keys == ["xslt GetCustomer 1KB", "xslt SearchCustomers 1KB"]
    assert Options(quick=True).concurrency == (8,)
    assert Options().concurrency == (8, 64)


def test_an_unknown_scenario_is_refused_before_anything_starts() -> None:
    with pytest.raises(BenchError, match="known: direct, json, routing, xslt"):
        selected(Options(only=("soap",)))


def test_the_cpu_model_comes_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Example CPU @ 2.0GHz\n")
    assert cpu_model(cpuinfo) == "Example CPU @ 2.0GHz"


# -- the report ----------------------------------------------------------------------------------------------------


def test_sizes_read_as_kilobytes() -> None:
    assert [report.size_kb(size) for size in ("1KB", "100 KB", "0.5KB", 10240)] == [1, 100, 0.5, 10]


def test_targets_say_met_missed_or_not_measured(result: dict[str, Any]) -> None:
    verdicts = {row["name"]: (row["value"], row["met"]) for row in report.targets(result)}
    assert verdicts["xslt GetCustomer 1 KB c8: vs reference"] == ("CPU 1.14x, 87 %", True)
    assert verdicts["xslt SearchCustomers 10 KB c64: vs reference"] == ("CPU 1.40x, 67 %", False)
    assert verdicts["json GetCustomer 1 KB c64: vs reference"] == ("CPU 1.04x, 96 %, 3 errors", False)
    assert verdicts["xslt GetCustomer 1 KB c8: vs naive peer"] == ("3.2x", True)
    assert verdicts["xslt SearchCustomers 10 KB c8: vs naive peer"] == ("6.7x, 2 errors", False)
    assert len([name for name in verdicts if name.endswith("vs reference")]) == len(result["rows"])
    assert verdicts["gateway worker RSS after the runs"] == ("84 MB", True)
    assert verdicts["p50 added latency at concurrency 1, 1 KB"] == ("1.14 ms", False)
    assert verdicts["start-up to ready"] == ("1.32 s", False)
    assert "stage: request stylesheet, 1KB" not in verdicts  # a micro row without a target is not a target


def test_worker_shares_come_from_the_requests_each_worker_answered_between_scrapes() -> None:
    assert shares.shares({"0": 10.0, "1": 5.0}, {"0": 60.0, "1": 55.0, "2": 0.0}) == {"0": 50.0, "1": 50.0, "2": 0.0}


def test_the_worker_share_target_holds_every_worker_of_every_round_to_the_band(result: dict[str, Any]) -> None:
    name = "each worker's share of requests, 100 keep-alive connections"
    rounds = [{"0": 48.0, "1": 52.0}, {"0": 30.0, "1": 70.0}]
    result["workers"] = {"scenario": "xslt", "connections": 100, "rounds": rounds, "lowest": 30.0, "highest": 70.0}
    verdicts = {row["name"]: (row["value"], row["met"]) for row in report.targets(result)}
    assert verdicts[name] == ("30-70 %", False)
    assert "keep-alive connections (xslt): 48 % / 52 %, 30 % / 70 %" in report.text({**result, "targets": []})


def test_the_slow_client_target_wants_every_normal_request_answered_under_a_second(result: dict[str, Any]) -> None:
    name = "normal p99 during 200 slow heads + 200 slow bodies"
    quiet = {"requests": 900, "errors": 0, "rps": 300.0, "p50_ms": 9.0, "p99_ms": 25.0}
    found = {"scenario": "xslt GetCustomer 1KB", "seconds": 3.0, "slow_heads": 200, "slow_bodies": 200,
             "without": quiet, "with": {**quiet, "p99_ms": 31.0}, "flood_open_at_end": 400,
             "flood_closed_by_gateway": 200, "flood_refused": 0}  # fmt: skip
    result["slow_clients"] = found
    assert {row["name"]: (row["value"], row["met"]) for row in report.targets(result)}[name] == ("31 ms", True)
    assert "normal p99 25.0 ms without, 31.0 ms with the flood" in report.text({**result, "targets": []})
    found["with"] = {**quiet, "requests": 4, "errors": 4, "p99_ms": 10011.0}
    assert {row["name"]: (row["value"], row["met"]) for row in report.targets(result)}[name] == ("10011 ms", False)


def test_targets_not_measured_in_a_run_say_so(result: dict[str, Any]) -> None:
    result.update(rows=[], latency=None, micro=[])
    assert {row["met"] for row in report.targets(result)} == {None}


def test_the_load_table_has_a_line_per_cell_with_the_gateway_share(result: dict[str, Any]) -> None:
    lines = report.load_table(result["rows"]).splitlines()
    assert len(lines) == 2 + len(result["rows"])
    assert lines[0].split()[:4] == ["scenario", "operation", "size", "conc"]
    assert lines[2].split()[:4] == ["direct", "GetCurrentWeather", "0.4", "KB"]
    assert lines[2].split()[-6:] == ["75", "%", "1.40", "80", "NOT", "MET"]  # share, CPU ratio, RSS, verdict
    assert "naive us/req" in lines[0] and "gw CPU x ref" in lines[0]


def test_the_terminal_text_shows_machine_tables_targets_and_notes(result: dict[str, Any]) -> None:
    result["targets"] = report.targets(result)
    text = report.text(result)
    for expected in ("machine: 2 cores, Example CPU", "lxml 5.3.0", "gw % ref", "p50 added ms", "MISSED", "note: "):
        assert expected in text


def test_the_chart_plots_xslt_search_by_side_and_concurrency(result: dict[str, Any]) -> None:
    series = report.chart_series(result["rows"])
    assert list(series) == [("gateway", 8), ("reference", 8), ("gateway", 64), ("reference", 64)]
    assert series["gateway", 8] == [(1, 1100.0), (10, 400.0), (100, 50.0)]


def test_json_and_png_are_written(result: dict[str, Any], tmp_path: Path) -> None:
    written = report.write_json(result, tmp_path)
    assert [path.name for path in written] == ["bench-20261121T195000Z.json", "latest.json"]
    assert json.loads((tmp_path / "latest.json").read_text()) == result
    chart = report.write_chart(result, tmp_path / "throughput.png")
    assert chart.read_bytes().startswith(b"\x89PNG")


# -- one real run --------------------------------------------------------------------------------------------------


def _processes_of(run: str) -> list[psutil.Process]:
    """Every process that inherited the run's marker in its environment."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("BENCH_TEST_RUN") == run:
                found.append(process)
        except psutil.Error:
            continue
    return found


def test_a_quick_run_measures_both_sides_and_leaves_nothing_running(tmp_path: Path) -> None:
    run = uuid.uuid4().hex
    env = {**os.environ, "BENCH_TEST_RUN": run}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "xslt", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    leftover = _processes_of(run)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not leftover, f"left running: {[p.cmdline() for p in leftover]}"
    result = json.loads((tmp_path / "latest.json").read_text())
    assert [(row["operation"], row["concurrency"]) for row in result["rows"]] == [
        ("GetCustomer", 8),
        ("SearchCustomers", 8),
    ]
    for row in result["rows"]:
        for side in ("gateway", "reference"):
            assert row[side]["rps"] > 0, row
            assert row[side]["errors"] == 0, row
            assert row[side]["rss_mb"] > 0, row
    assert result["latency"]["gateway"]["errors"] == result["latency"]["upstream"]["errors"] == 0
    assert len(result["workers"]["rounds"]) == 3 and all(len(shares) == 2 for shares in result["workers"]["rounds"])
    assert result["slow_clients"]["with"]["requests"] > 0 and result["slow_clients"]["with"]["errors"] == 0
    assert result["micro"], f"the micro-benchmarks' rows are part of the run; notes: {result['notes']}"
    assert (tmp_path / "throughput.png").read_bytes().startswith(b"\x89PNG")
    assert "gw % ref" in done.stdout


def test_rounds_combine_into_the_median_round_the_worst_p99_and_every_error() -> None:
    rounds = [
        {"rps": 100.0, "p50_ms": 2.0, "p99_ms": 9.0, "errors": 0, "requests": 300, "seconds": 3.0,
         "cpu_percent": 150.0, "cpu_seconds": 0.3, "rss_mb": 70.0},
        {"rps": 30.0, "p50_ms": 9.0, "p99_ms": 40.0, "errors": 1, "requests": 90, "seconds": 3.0,
         "cpu_percent": 90.0, "cpu_seconds": 0.06, "rss_mb": 71.0},
        {"rps": 90.0, "p50_ms": 3.0, "p99_ms": 12.0, "errors": 0, "requests": 270, "seconds": 3.0,
         "cpu_percent": 150.0, "cpu_seconds": 0.3, "rss_mb": 72.0},
    ]  # fmt: skip
    figures = combined(rounds)
    assert (figures["rps"], figures["p50_ms"], figures["p99_ms"]) == (90.0, 3.0, 40.0)
    assert (figures["errors"], figures["requests"], figures["cpu_percent"]) == (1, 660, 130.0)
    assert (figures["rss_mb"], figures["rounds_rps"]) == (72.0, [100.0, 30.0, 90.0])
    # CPU per request over every round, not the median round's: 0.66 CPU seconds over 660 requests
    assert (figures["cpu_seconds"], figures["cpu_us_per_request"]) == (0.66, 1000.0)
