"""The README table comes only from a committed tree and names its commit; py-spy's raw stacks read as the top
functions by self and cumulative time."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bench import profile, readme

RECORDED = Path(__file__).with_name("recorded_result.json")


def _git(root: Path, *arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    (tmp_path / "code.py").write_text("x = 1\n")
    _git(tmp_path, "add", "code.py")
    _git(tmp_path, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "one")
    return tmp_path


def test_a_clean_tree_gives_its_commit(repository: Path) -> None:
    commit = readme.clean_commit(repository)
    assert len(commit) == 40
    readme.still(commit, repository)


@pytest.mark.parametrize("change", ["edit", "untracked"])
def test_a_tree_that_differs_from_its_commit_is_refused_in_one_line(repository: Path, change: str) -> None:
    (repository / ("code.py" if change == "edit" else "new.py")).write_text("x = 2\n")
    with pytest.raises(readme.DirtyTree) as refused:
        readme.clean_commit(repository)
    message = str(refused.value)
    assert message.startswith("refusing to write a README table: the working tree differs from its commit in 1 paths")
    assert "\n" not in message


def test_a_commit_made_during_the_run_is_refused(repository: Path) -> None:
    before = readme.clean_commit(repository)
    (repository / "code.py").write_text("x = 3\n")
    _git(repository, "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qam", "two")
    with pytest.raises(readme.DirtyTree, match="HEAD moved from"):
        readme.still(before, repository)


def test_python_m_bench_readme_refuses_a_dirty_tree_before_starting_anything(
    repository: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench import __main__ as cli

    (repository / "code.py").write_text("x = 4\n")
    monkeypatch.setattr(readme, "ROOT", repository)
    monkeypatch.setattr(cli, "run", lambda *_, **__: pytest.fail("the benchmark ran on a dirty tree"))
    assert cli.main(["--readme", "--quick", "--no-micro"]) == 1
    assert capsys.readouterr().err.startswith("bench: refusing to write a README table")


def test_the_table_names_the_commit_and_judges_every_cell() -> None:
    result: dict[str, Any] = json.loads(RECORDED.read_text())
    text = readme.table(result, "0123456789abcdef" * 2 + "01234567")
    lines = text.splitlines()
    assert lines[0].startswith("Commit `0123456789ab`, run 2026-11-21T19:50:00Z")
    assert len([line for line in lines if line.startswith("| ")]) == 1 + len(result["rows"])
    assert "| xslt GetCustomer 1 KB c8 | 1300 | 1500 | 400 | 570 | 500 | 2500 | **87 %** | **1.14** | 3.2x" in text
    assert "| json GetCustomer 1 KB c64 |" in text and "| 3 / 0 / - | **not met** |" in text


RAW = """\
process 1:"gunicorn";thread (0x1);run (gunicorn/workers/gthread.py:80);handle (service/gateway/app.py:10);\
parse (service/xmlparse.py:5) 30
process 1:"gunicorn";thread (0x1);run (gunicorn/workers/gthread.py:80);handle (service/gateway/app.py:12);\
resolve (service/engine/operations.py:40) 50
process 1:"gunicorn";thread (0x2);run (gunicorn/workers/gthread.py:81) 20
not a stack line
"""


def test_raw_stacks_sum_self_and_cumulative_time_by_function() -> None:
    found = profile.parse(RAW.splitlines(), "xslt GetCustomer 1KB")
    assert found.samples == 100
    assert found.own.most_common(3) == [
        ("resolve (service/engine/operations.py)", 50),
        ("parse (service/xmlparse.py)", 30),
        ("run (gunicorn/workers/gthread.py)", 20),
    ]
    assert found.cumulative["run (gunicorn/workers/gthread.py)"] == 100
    assert found.cumulative["handle (service/gateway/app.py)"] == 80  # two lines of one function, summed
    shown = profile.top(found, limit=2)
    assert "100 samples" in shown and " 50.0 %  resolve (service/engine/operations.py)" in shown
    assert shown.index("by self time") < shown.index("by cumulative time")


def test_frames_lose_their_line_and_their_site_packages_prefix() -> None:
    frame = "process_request (/tmp/v/lib/python3.11/site-packages/gunicorn/workers/gthread.py:271)"
    assert profile.function(frame) == "process_request (gunicorn/workers/gthread.py)"
    assert profile.function("handle (/work/main/service/gateway/app.py:12)") == "handle (service/gateway/app.py)"
    assert profile.function("deepcopy (/usr/lib/python3.11/copy.py:128)") == "deepcopy (copy.py)"
