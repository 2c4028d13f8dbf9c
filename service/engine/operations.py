"""An adapter's operations, compiled: stylesheets loaded, upstream operations looked up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import AdapterConfig, OperationConfig
from ..contract import Contract, Operation
from ..errors import ConfigError
from ..upstream.client import Upstream
from ..upstream.wsdl import UpstreamOperation
from .mapping import Stylesheet


@dataclass(frozen=True)
class CompiledStep:
    name: str
    call: str
    request: Stylesheet


@dataclass(frozen=True)
class CompiledOperation:
    """Everything needed to run one canonical operation, checked at start-up."""

    contract: Operation
    system: str
    response: Stylesheet
    request: Stylesheet | None = None
    upstream: Upstream | None = None
    upstream_operation: UpstreamOperation | None = None
    steps: tuple[CompiledStep, ...] = ()

    @property
    def name(self) -> str:
        return self.contract.name


class StylesheetCache:
    """Each stylesheet file is parsed and compiled once, however many operations use it."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._sheets: dict[Path, Stylesheet] = {}

    def get(self, path: Path) -> Stylesheet:
        if path not in self._sheets:
            self._sheets[path] = Stylesheet(path, str(path.relative_to(self._root)))
        return self._sheets[path]


def compile_adapter(
    adapter: AdapterConfig, upstream: Upstream | None, contract: Contract, sheets: StylesheetCache
) -> list[CompiledOperation]:
    return [_compile(adapter, op, upstream, contract, sheets) for op in adapter.operations.values()]


def _compile(
    adapter: AdapterConfig, op: OperationConfig, upstream: Upstream | None, contract: Contract, sheets: StylesheetCache
) -> CompiledOperation:
    canonical = contract.operations.get(op.name)
    if canonical is None:
        raise ConfigError(
            f"not a canonical operation; the canonical XSD defines: {', '.join(contract.operations)}",
            file=str(adapter.file),
            key=f"operations.{op.name}",
        )
    upstream_operation = _upstream_operation(adapter, op, upstream)
    return CompiledOperation(
        contract=canonical,
        system=adapter.name,
        response=sheets.get(op.response),
        request=sheets.get(op.request) if op.request else None,
        upstream=upstream if op.upstream else None,
        upstream_operation=upstream_operation,
        steps=tuple(CompiledStep(step.name, step.call, sheets.get(step.request)) for step in op.steps),
    )


def _upstream_operation(
    adapter: AdapterConfig, op: OperationConfig, upstream: Upstream | None
) -> UpstreamOperation | None:
    if not op.upstream:
        return None
    assert upstream is not None, "config guarantees a WSDL when an operation calls upstream"
    try:
        return upstream.operation(op.upstream)
    except ConfigError as exc:
        raise ConfigError(exc.message, file=str(adapter.file), key=f"operations.{op.name}.upstream") from exc
