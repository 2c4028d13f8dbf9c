"""The micro-benchmarks: identical outputs on both sides of each comparison, one numeric row per measurement,
and the start-up measurement leaves nothing running. No timing is asserted: targets belong to the benchmark."""

from __future__ import annotations

import math
import os
import subprocess

import pytest

from bench.micro import run_all, startup
from bench.micro.documents import SIZES, golden_canonical, search_response
from bench.micro.jsonform import Pair, mismatches


@pytest.fixture(scope="module")
def pair() -> Pair:
    return Pair()


@pytest.mark.parametrize("label", list(SIZES))
def test_ours_and_xmlschemas_json_are_identical_at_each_size(pair: Pair, label: str) -> None:
    element = search_response(SIZES[label])
    assert len(pair.ours_to_json(element).encode()) > SIZES[label] // 2
    assert mismatches(pair, [element]) == []


def test_ours_and_xmlschemas_json_are_identical_on_every_golden_canonical_document(pair: Pair) -> None:
    documents = golden_canonical()
    assert len(documents) > 20
    assert mismatches(pair, documents) == []


def test_run_all_gives_a_numeric_row_per_measurement() -> None:
    rows = run_all(quick=True)
    names = [row["name"] for row in rows]
    assert len(names) == len(set(names))
    for what in ("jsonform XML -> JSON", "jsonform JSON -> XML", "startup serve exec", "stage request:", "raw floor"):
        assert any(name.startswith(what) or what in name for name in names), what
    for label in SIZES:
        assert any(name.startswith(f"stage {label}:") for name in names), label
    for row in rows:
        assert set(row) >= {"name", "value", "unit", "target", "met"}
        assert isinstance(row["value"], float) and math.isfinite(row["value"]) and row["value"] > 0, row
        assert row["met"] is None if row["target"] is None else isinstance(row["met"], bool), row


def test_startup_measures_a_number_and_leaves_no_process_behind() -> None:
    env = startup.serve_env()
    before = _children()
    seconds = startup.serve_to_ready(env)
    assert seconds > 0
    assert _children() == before


def _children() -> set[str]:
    """The processes whose parent is this test process (serve, if it were left running)."""
    found = subprocess.run(["pgrep", "-P", str(os.getpid())], capture_output=True, text=True).stdout.split()
    return set(found)
