"""The README's table, written only from a run of a committed tree, and naming that commit.

    python -m bench --readme      (scripts/bench --readme)

Before anything starts, a working tree that differs from its commit (`git status --porcelain` not empty) is
refused in one line: a table from uncommitted code cannot name the code it measured. After the run the check is
repeated, so a commit or an edit made while the run went on is refused too. The table goes to OUT/README-table.md
and to the terminal, for the Performance section; the run's JSON beside it is the baseline to keep.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from . import judge
from .report import cell_name, share

ROOT = Path(__file__).resolve().parent.parent


class DirtyTree(RuntimeError):
    """Raised when the working tree differs from its commit, or the commit changed during the run."""


def git(*arguments: str, root: Path | None = None) -> str:
    done = subprocess.run(["git", *arguments], cwd=root or ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def clean_commit(root: Path | None = None) -> str:
    """HEAD's full hash, when the working tree is exactly that commit; else DirtyTree."""
    changed = git("status", "--porcelain", root=root).splitlines()
    if changed:
        shown = ", ".join(line[3:] for line in changed[:3]) + (", ..." if len(changed) > 3 else "")
        raise DirtyTree(
            f"refusing to write a README table: the working tree differs from its commit in {len(changed)} paths"
            f" ({shown}); commit or stash first"
        )
    return git("rev-parse", "HEAD", root=root)


def still(commit: str, root: Path | None = None) -> None:
    """After the run: the tree is still clean, and still at commit; else DirtyTree."""
    now = clean_commit(root)
    if now != commit:
        raise DirtyTree(f"refusing to write a README table: HEAD moved from {commit[:12]} to {now[:12]} during the run")


def table(result: dict[str, Any], commit: str) -> str:
    """The Markdown table of every cell, under a line naming the commit and the run."""
    lines = [
        f"Commit `{commit[:12]}`, run {result['started']}; CPU per request in us (gunicorn master and workers,"
        " user + system, over the cell's rounds, divided by the requests completed).",
        "",
        "| cell | gateway req/s | reference req/s | naive req/s | gateway us/req | reference us/req | naive us/req"
        " | **gw % of ref** | **gw CPU / ref** | gw x naive | errors gw / ref / naive | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    return "\n".join(lines + [_line(row) for row in result["rows"]]) + "\n"


def _line(row: dict[str, Any]) -> str:
    sides = [row.get(side) for side in ("gateway", "reference", "naive")]
    rates = [f"{figures['rps']:.0f}" if figures else "-" for figures in sides]
    costs = [_us(figures) for figures in sides]
    errors = " / ".join(str(figures["errors"]) if figures else "-" for figures in sides)
    percent, ratio, naive = share(row), judge.cpu_ratio(row), judge.throughput_share(row, "naive")
    verdict = judge.against_reference(row).met
    cells = [
        cell_name(row), *rates, *costs,
        "-" if percent is None else f"**{percent:.0f} %**",
        "-" if ratio is None else f"**{ratio:.2f}**",
        "-" if naive is None else f"{naive / 100:.1f}x",
        errors,
        {True: "met", False: "**not met**", None: "-"}[verdict],
    ]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def _us(figures: dict[str, Any] | None) -> str:
    value = figures.get("cpu_us_per_request") if figures else None
    return "-" if value is None else f"{value:.0f}"


def write(result: dict[str, Any], commit: str, out: Path) -> Path:
    path = out / "README-table.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(table(result, commit))
    return path
