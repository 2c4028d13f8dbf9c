"""Keep the gain: a run's gateway CPU per request, cell by cell, against a kept result in bench/baselines/.

    python -m bench --compare bench/baselines/<file>.json [--result bench/results/latest.json]

Without --result it runs the benchmark first (with the other options given) and compares that run. A cell whose
gateway CPU per request grew by more than GROWTH is a regression, and the command exits 1 after naming each one.
CPU per request depends on the processor: compare on the machine the baseline was measured on (the comparison
says so when the CPU models differ). Cells in only one of the two results are listed, never judged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .report import cell_name

Result = dict[str, Any]
#: More CPU per request than this share over the baseline's is a regression.
GROWTH = 0.10
FOLDER = Path(__file__).resolve().parent / "baselines"


@dataclass(frozen=True)
class Change:
    """One cell's gateway CPU per request (us), then and now."""

    cell: str
    before: float
    after: float

    @property
    def growth(self) -> float:
        return self.after / self.before - 1

    @property
    def regressed(self) -> bool:
        return self.growth > GROWTH


def read(path: Path) -> Result:
    result: Result = json.loads(path.read_text())
    return result


def per_request(result: Result) -> dict[str, float]:
    """Each cell's gateway CPU per request, by cell name; cells without the figure are left out."""
    found = {}
    for row in result["rows"]:
        value = row["gateway"].get("cpu_us_per_request")
        if value:
            found[cell_name(row)] = float(value)
    return found


def changes(baseline: Result, current: Result) -> list[Change]:
    """The cells measured in both, in the current run's order."""
    before, after = per_request(baseline), per_request(current)
    return [Change(cell, before[cell], value) for cell, value in after.items() if cell in before]


def text(baseline: Result, current: Result, found: Sequence[Change]) -> str:
    """One line per compared cell, the cells in only one result, and a closing verdict."""
    lines = [f"gateway CPU per request against the baseline of {_commit(baseline)} (regression: > +{GROWTH:.0%}):"]
    for change in found:
        mark = "REGRESSION" if change.regressed else "ok"
        lines.append(
            f"  {change.cell}: {change.before:.0f} -> {change.after:.0f} us/request ({change.growth:+.0%}) {mark}"
        )
    compared = {change.cell for change in found}
    missing = sorted((set(per_request(baseline)) | set(per_request(current))) - compared)
    if missing:
        lines.append("  not compared (in one result only): " + ", ".join(missing))
    if baseline["machine"].get("cpu") != current["machine"].get("cpu"):
        lines.append(f"  note: the baseline was measured on {baseline['machine'].get('cpu')}, this run on"
                     f" {current['machine'].get('cpu')}: CPU per request differs between processors")  # fmt: skip
    regressed = [change for change in found if change.regressed]
    lines.append(
        f"{len(regressed)} of {len(found)} cells regressed" if regressed else f"no regression in {len(found)} cells"
    )
    return "\n".join(lines)


def _commit(result: Result) -> str:
    return str(result.get("versions", {}).get("soapbridge", "an unknown commit"))


def compare(baseline_path: Path, current: Result) -> tuple[str, bool]:
    """The comparison's text, and whether any cell regressed."""
    baseline = read(baseline_path)
    found = changes(baseline, current)
    return text(baseline, current, found), any(change.regressed for change in found)


def keep(result: Result, folder: Path = FOLDER) -> Path:
    """Write a result as bench/baselines/bench-<commit>.json (the commit a clean tree's run names)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench-{_commit(result)}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path
