"""The whole configuration verified offline: one row per adapter and per operation, ok or why not.

The project is compiled as `serve` compiles it (engine/compiler.py, where every rule is written),
without the network and without credentials, and each problem it collects is a failing row. On
top, every stylesheet needs golden pairs, and every golden pair must still hold. A credential
variable that is not set is a note, not a failure: `serve` still refuses to start without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..config import AdapterConfig, OperationConfig
from ..engine.compiler import CANONICAL, CLIENTS, CompiledProject, Problem, compile_project
from ..engine.operations import AdapterStylesheets
from ..errors import ConfigError, MappingError, XmlError
from ..parameters import placeholders
from ..settings import Settings
from ..xmlcheck import Problem as SchemaProblem
from ..xmlparse import parse_file
from .golden import accept_pair, golden_pairs, pair_problem
from .project import mapping_problem, relative, unset_credentials
from .transform import canonical_problems, legacy_input_problems

__all__ = ["CANONICAL", "Report", "Row", "check_project"]


@dataclass(frozen=True)
class Row:
    """One line of the check: an adapter (operation "") or one of its operations, ok or failing, and why."""

    adapter: str
    operation: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Report:
    rows: tuple[Row, ...]
    #: The golden outputs check --accept wrote, before judging them.
    accepted: tuple[Path, ...] = ()

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def failures(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if not row.ok)


def check_project(settings: Settings, project: CompiledProject | None = None, *, accept: bool = False) -> Report:
    """Check everything under settings.root; rows come in adapter-file order.

    accept: first write each golden output that is missing or no longer what its stylesheet makes.

    project: compiled already, as serve does once for this check and its gateway (with its secrets, so an unset
    one fails here); by default compiled here without them, where an unset credential is only a note."""
    project = project or compile_project(settings, need_secrets=False, with_clients=True)
    rows = [*_canonical_rows(project), *_clients_rows(project), *_problem_rows(project.problems_of(""), settings.root)]
    loaded = {adapter.name: adapter for adapter in project.adapters}
    schema = etree.XMLSchema(project.contract.document) if project.contract is not None else None
    accepted: list[Path] = []
    for path in project.files:
        adapter = loaded.get(path.stem)
        if adapter is None:
            rows.extend(_problem_rows(project.problems_of(path.stem), settings.root))
        else:
            rows.extend(_Rows(project, adapter, schema, accepted if accept else None).all())
    rows.extend(_flow_rows(project, settings.root))
    return Report(tuple(rows), tuple(accepted))


def _flow_rows(project: CompiledProject, root: Path) -> list[Row]:
    """flows/*.toml against the operations served; none to judge them against while the adapters fail."""
    from ..flows.check import flow_rows  # the flows' stylesheets and XPaths: only for a project that has some

    if not (root / "flows").is_dir():
        return []
    served = {name: routed.contract for name, routed in project.operations.items()}
    return [Row(flow, "", ok, detail) for flow, ok, detail in flow_rows(root, served)]


def _canonical_rows(project: CompiledProject) -> list[Row]:
    problems = project.problems_of(CANONICAL)
    if problems or project.contract is None:
        return _problem_rows(problems, project.settings.root)
    where = relative(str(project.settings.canonical_xsd), project.settings.root)
    return [Row(CANONICAL, "", True, f"{where}: {len(project.contract.operations)} operations")]


def _clients_rows(project: CompiledProject) -> list[Row]:
    """Who may call the gateway: judged once every adapter loads, since a client names served operations."""
    problems = project.problems_of(CLIENTS)
    if problems:
        return _problem_rows(problems, project.settings.root)
    if not project.settings.auth.enabled:
        return [Row(CLIENTS, "", True, "authentication is off (SOAPBRIDGE_AUTH=off)")]
    if project.clients is None or project.clients_file is None:
        return []
    where = relative(str(project.clients_file), project.settings.root)
    count = len(project.clients)
    return [Row(CLIENTS, "", True, f"{where}: {count} client{'s' if count > 1 else ''}")]


def _problem_rows(problems: list[Problem], root: Path) -> list[Row]:
    return [Row(p.adapter, p.operation, False, _detail(p.error, root)) for p in problems]


def _detail(error: ConfigError | MappingError, root: Path) -> str:
    if isinstance(error, MappingError):
        return mapping_problem(error)
    return relative(error.message, root)


@dataclass(frozen=True)
class _Target:
    """What a stylesheet's results must be, and the judge of one result (transform judges by the same code)."""

    what: str
    problems: Callable[[etree._Element], list[SchemaProblem]]


class _Rows:
    """One adapter's rows: the compiler's problems, its notes, and its stylesheets' golden pairs."""

    def __init__(
        self,
        project: CompiledProject,
        adapter: AdapterConfig,
        schema: etree.XMLSchema | None,
        accepted: list[Path] | None = None,
    ) -> None:
        self.project = project
        #: Where the golden outputs written by --accept are noted; None when check writes none.
        self.accepted = accepted
        #: The canonical XSD, compiled once for every adapter's golden outputs.
        self.schema = schema
        self.adapter = adapter
        self.root = project.settings.root
        # golden pairs are made with the adapter's parameters as placeholders: never with a secret
        self.sheets = AdapterStylesheets(project.stylesheets, placeholders(adapter.parameters))

    def all(self) -> list[Row]:
        rows = self._adapter_rows()
        for op in self.adapter.operations.values():
            rows.extend(self._operation_rows(op))
        return rows

    def _adapter_rows(self) -> list[Row]:
        problems = self.project.problems_of(self.adapter.name)
        if problems:
            return _problem_rows(problems, self.root)
        notes = []
        legacy = self.project.legacy.get(self.adapter.name)
        if legacy is not None and self.adapter.wsdl is not None:
            local = etree.QName(legacy.binding.name).localname
            notes.append(f"{self._relative(self.adapter.wsdl)}: SOAP {legacy.binding.soap_version} binding {local}")
        unset = unset_credentials(self.adapter, self.project.settings)
        if unset:
            notes.append(f"credentials from {', '.join('$' + name for name in unset)} (not set)")
        return [Row(self.adapter.name, "", True, "; ".join(notes) or "no legacy system of its own")]

    def _operation_rows(self, op: OperationConfig) -> list[Row]:
        problems = [_detail(p.error, self.root) for p in self.project.problems_of(self.adapter.name, op.name)]
        stylesheets = self._stylesheets(op)
        pairs = 0
        for path, target in stylesheets:
            found, golden_problems = self._golden_problems(path, target)
            pairs += found
            problems.extend(problem for problem in golden_problems if problem not in problems)
        if problems:
            return [Row(self.adapter.name, op.name, False, problem) for problem in problems]
        return [Row(self.adapter.name, op.name, True, f"{len(stylesheets)} stylesheets, {pairs} golden pairs")]

    def _stylesheets(self, op: OperationConfig) -> list[tuple[Path, _Target | None]]:
        """Each stylesheet of the operation, and what its results must be (None: the compiler says why unknown)."""
        found = [(op.request, self._legacy_target(op))] if op.request is not None else []
        found.append((op.response, self._canonical_target(op.name, "response")))
        found.extend((step.request, self._canonical_target(step.call, "request")) for step in op.steps)
        return found

    def _legacy_target(self, op: OperationConfig) -> _Target | None:
        legacy = self.project.legacy.get(self.adapter.name)
        operation = legacy.binding.operation(op.upstream or "") if legacy is not None else None
        if legacy is None or operation is None:
            return None
        wsdl = legacy.wsdl
        what = f"{self.adapter.name}'s {operation.name} input message"
        return _Target(what, lambda body: legacy_input_problems(wsdl, operation, body))

    def _canonical_target(self, name: str, side: str) -> _Target | None:
        contract, schema = self.project.contract, self.schema
        canonical = contract.operations.get(name) if contract is not None else None
        if canonical is None or schema is None:
            return None
        tag = canonical.response if side == "response" else canonical.request
        return _Target(
            f"canonical {etree.QName(tag).localname}", lambda element: canonical_problems(schema, element, tag)
        )

    def _golden_problems(self, path: Path, target: _Target | None) -> tuple[int, list[str]]:
        """How many golden pairs the stylesheet has, and why they fail: the stylesheet no longer gives an output,
        or the output is not what the stylesheet's target (the legacy message, the canonical XSD) accepts.
        A stylesheet that does not compile has none to judge: that is the compiler's problem."""
        try:
            sheet = self.sheets.get(path)
        except MappingError:
            return 0, []
        pairs = golden_pairs(path)
        if self.accepted is not None:
            self.accepted.extend(pair.expected for pair in pairs if accept_pair(sheet, pair))
        if not pairs:
            samples = self._relative(path.parent / "samples")
            return 0, [f"{sheet.label}: no golden pair ({samples}/{path.stem}.in.xml and .out.xml)"]
        problems = [pair_problem(sheet, pair, self.root) for pair in pairs]
        if target is not None:
            problems.extend(self._output_problem(pair.expected, target) for pair in pairs)
        return len(pairs), [problem for problem in problems if problem]

    def _output_problem(self, expected: Path, target: _Target) -> str | None:
        """Why a golden output is not what its stylesheet must produce, in one line; None when it is."""
        try:
            output = parse_file(expected).getroot()
        except (OSError, XmlError):
            return None  # a missing or malformed output is the pair's problem, said once
        problems = target.problems(output)
        if not problems:
            return None
        first = problems[0]
        where = f"{self._relative(expected)}, line {first.line}" if first.line else self._relative(expected)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return f"{where}: not a valid {target.what}: {first.reason}{more}"

    def _relative(self, path: Path) -> str:
        return relative(str(path), self.root)
