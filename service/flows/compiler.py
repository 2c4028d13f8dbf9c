"""Every flow of a project, read and compiled once: `check`, `serve` and `soapbridge flows` read the same result.

Nothing stops at the first problem: each one is kept, naming the flow's file and key, as the adapter
compiler does. A flow with a problem is left out of the compiled flows and never runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..contract import Operation
from ..errors import ConfigError, MappingError
from .definition import Flow, Lookup, PollTrigger, Side, read_flow
from .mapping import FlowStylesheet
from .xref import Xref

FOLDER = "flows"


@dataclass(frozen=True)
class FlowProblem:
    flow: str
    error: ConfigError | MappingError

    @property
    def message(self) -> str:
        return self.error.message


@dataclass(frozen=True)
class CompiledPoll:
    operation: str
    request: FlowStylesheet
    watermark: etree.XPath
    more: etree.XPath | None


@dataclass(frozen=True)
class CompiledSide:
    operation: str
    request: FlowStylesheet
    items: etree.XPath
    key: etree.XPath


@dataclass(frozen=True)
class CompiledReconcile:
    source: CompiledSide
    target: CompiledSide
    expect: etree.XPath
    fields: tuple[tuple[str, etree.XPath, etree.XPath], ...]
    repair: FlowStylesheet | None


@dataclass(frozen=True)
class CompiledFlow:
    flow: Flow
    poll: CompiledPoll | None
    split: etree.XPath
    key: etree.XPath
    version: etree.XPath | None
    changed_at: etree.XPath | None
    mapping: FlowStylesheet
    #: The operation each request element the mapping may write goes to, by its Clark name.
    targets: dict[str, str]
    lookups: tuple[tuple[Lookup, etree.XPath], ...]
    reconcile: CompiledReconcile | None

    @property
    def name(self) -> str:
        return self.flow.name


@dataclass
class FlowProject:
    files: list[Path] = field(default_factory=list)
    flows: dict[str, CompiledFlow] = field(default_factory=dict)
    problems: list[FlowProblem] = field(default_factory=list)

    def raise_problems(self) -> None:
        if self.problems:
            raise self.problems[0].error


def compile_flows(root: Path, served: Mapping[str, Operation], xref: Xref) -> FlowProject:
    """Every flows/*.toml under root, against the canonical operations the gateway serves."""
    project = FlowProject(files=sorted((root / FOLDER).glob("*.toml")))
    for path in project.files:
        try:
            compiled = _compile(read_flow(path, root), served, xref)
        except (ConfigError, MappingError) as exc:
            project.problems.append(FlowProblem(path.stem, exc))
            continue
        project.flows[compiled.name] = compiled
    return project


def _compile(flow: Flow, served: Mapping[str, Operation], xref: Xref) -> CompiledFlow:
    at = _Where(flow)
    return CompiledFlow(
        flow=flow,
        poll=_poll(flow.trigger, at, served, xref) if isinstance(flow.trigger, PollTrigger) else None,
        split=at.xpath("items.split", flow.items.split),
        key=at.xpath("items.key", flow.items.key),
        version=at.xpath("items.version", flow.items.version) if flow.items.version else None,
        changed_at=at.xpath("items.changed_at", flow.items.changed_at) if flow.items.changed_at else None,
        mapping=at.stylesheet(flow.mapping, xref),
        targets={at.operation("mapping.targets", name, served).request: name for name in flow.targets},
        lookups=tuple((lookup, at.xpath(f"lookups.{lookup.param}", lookup.id)) for lookup in flow.lookups),
        reconcile=_reconcile(flow, at, served, xref),
    )


def _poll(trigger: PollTrigger, at: _Where, served: Mapping[str, Operation], xref: Xref) -> CompiledPoll:
    at.operation("trigger.operation", trigger.operation, served)
    return CompiledPoll(
        operation=trigger.operation,
        request=at.stylesheet(trigger.request, xref),
        watermark=at.xpath("trigger.watermark", trigger.watermark),
        more=at.xpath("trigger.more", trigger.more) if trigger.more else None,
    )


def _reconcile(flow: Flow, at: _Where, served: Mapping[str, Operation], xref: Xref) -> CompiledReconcile | None:
    declared = flow.reconcile
    if declared is None:
        return None
    return CompiledReconcile(
        source=_side("reconcile.source", declared.source, at, served, xref),
        target=_side("reconcile.target", declared.target, at, served, xref),
        expect=at.xpath("reconcile.expect", declared.expect),
        fields=tuple(
            (entry.name, at.xpath("reconcile.fields", entry.source), at.xpath("reconcile.fields", entry.target))
            for entry in declared.fields
        ),
        repair=at.stylesheet(declared.repair, xref) if declared.repair else None,
    )


def _side(key: str, side: Side, at: _Where, served: Mapping[str, Operation], xref: Xref) -> CompiledSide:
    at.operation(f"{key}.operation", side.operation, served)
    return CompiledSide(
        operation=side.operation,
        request=at.stylesheet(side.request, xref),
        items=at.xpath(f"{key}.items", side.items),
        key=at.xpath(f"{key}.key", side.key),
    )


class _Where:
    """Compiles a flow's parts, each failure a ConfigError naming the flow's file and the key."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow

    def xpath(self, key: str, text: str) -> etree.XPath:
        try:
            return etree.XPath(text, namespaces=self.flow.namespaces)
        except etree.XPathSyntaxError as exc:
            raise ConfigError(f"not a valid XPath 1.0 expression ({exc}): {text}", file=self._file, key=key) from exc

    def operation(self, key: str, name: str, served: Mapping[str, Operation]) -> Operation:
        operation = served.get(name)
        if operation is None:
            raise ConfigError(f"{name} is not an operation this gateway serves", file=self._file, key=key)
        return operation

    def stylesheet(self, path: Path, xref: Xref) -> FlowStylesheet:
        if not path.is_file():
            raise ConfigError(f"no such stylesheet: {path}", file=self._file)
        return FlowStylesheet(path, f"flows/{self.flow.name}: {path.name}", xref)

    @property
    def _file(self) -> str:
        return str(self.flow.file)
