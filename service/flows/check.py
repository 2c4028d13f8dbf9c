"""`soapbridge check`'s rows for flows: each flows/<name>.toml compiled as the flow process compiles it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..contract import Operation
from .compiler import compile_flows


class _NoXref:
    """check links nothing and looks nothing up: stylesheets are only compiled."""

    def lookup(self, kind: str, id: str, other: str) -> str | None:
        return None

    def link(self, kind: str, id: str, other: str, other_id: str) -> str:
        return other_id


def flow_rows(root: Path, served: dict[str, Operation]) -> Iterator[tuple[str, bool, str]]:
    """(flow:<name>, ok, detail) for every flow file under root."""
    project = compile_flows(root, served, _NoXref())
    for problem in project.problems:
        yield f"flow:{problem.flow}", False, problem.message
    for name, compiled in project.flows.items():
        trigger = f"polls {compiled.poll.operation}" if compiled.poll else "takes notifications"
        yield f"flow:{name}", True, f"{trigger}; calls {', '.join(compiled.flow.targets)}"
