"""The whole configuration verified offline: one row per adapter and per operation, ok or why not.

Checked, without the network and without credentials: the canonical XSD compiles; every
adapter file parses; every WSDL loads and has the SOAP port the adapter calls; every upstream
operation named exists in that port's binding; every operation is canonical, and of the adapters
serving it at most one has no route; every route compiles; every step calls a served operation;
every stylesheet compiles; every golden pair of every stylesheet still holds. A credential
variable that is not set is a note, not a failure: `serve` still refuses to start without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..config import AdapterConfig, OperationConfig
from ..contract import Contract
from ..engine.mapping import Stylesheet
from ..engine.operations import AdapterStylesheets, StylesheetCache, compile_route
from ..errors import ConfigError, MappingError, WsdlError
from ..parameters import placeholders
from ..settings import Settings
from ..upstream.encoding import refuse_encoded
from ..wsdlmodel import Binding, load_wsdl
from .golden import golden_pairs, pair_problem
from .project import (
    adapter_files,
    legacy_binding,
    legacy_operation,
    load_offline,
    mapping_problem,
    relative,
    unset_credentials,
)

#: The adapter column of the row about the canonical XSD, which belongs to no adapter.
CANONICAL = "(canonical)"


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

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def failures(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if not row.ok)


def check_project(settings: Settings) -> Report:
    """Check everything under settings.root; rows come in adapter-file order."""
    contract, row = _check_contract(settings)
    rows = [row]
    files = adapter_files(settings)
    if not files:
        rows.append(Row("", "", False, f"{relative(str(settings.adapters_dir), settings.root)}: no adapter files"))
    loaded = [_load(path, settings) for path in files]
    adapters = [adapter for adapter in loaded if isinstance(adapter, AdapterConfig)]
    project = _Project(settings, contract, _owners(adapters), all_loaded=len(adapters) == len(files))
    for adapter in loaded:
        rows.extend(project.adapter_rows(adapter) if isinstance(adapter, AdapterConfig) else [adapter])
    return Report(tuple(rows))


def _check_contract(settings: Settings) -> tuple[Contract | None, Row]:
    try:
        contract = Contract(settings.canonical_xsd)
    except ConfigError as exc:
        return None, Row(CANONICAL, "", False, relative(exc.message, settings.root))
    where = relative(str(settings.canonical_xsd), settings.root)
    return contract, Row(CANONICAL, "", True, f"{where}: {len(contract.operations)} operations")


def _load(path: Path, settings: Settings) -> AdapterConfig | Row:
    """The adapter, or the row that says why its file does not load."""
    try:
        return load_offline(path, settings)
    except ConfigError as exc:
        return Row(path.stem, "", False, relative(exc.message, settings.root))


def _owners(adapters: list[AdapterConfig]) -> dict[str, str]:
    """The adapter serving each canonical operation when no route takes a request: the first without a route.

    An operation whose adapters all have routes gets its first adapter, so that it still counts as served.
    """
    first: dict[str, str] = {}
    default: dict[str, str] = {}
    for adapter in adapters:
        for name, op in adapter.operations.items():
            first.setdefault(name, adapter.name)
            if op.route is None:
                default.setdefault(name, adapter.name)
    return first | default


class _Project:
    """What every adapter's rows are checked against: the contract, who serves what, the stylesheets."""

    def __init__(
        self, settings: Settings, contract: Contract | None, owners: dict[str, str], *, all_loaded: bool
    ) -> None:
        self.settings = settings
        self.contract = contract
        self.owners = owners
        #: False when an adapter file does not load: it may serve what a step calls, so steps are not judged.
        self.all_loaded = all_loaded
        self.sheets = StylesheetCache(settings.root)

    def adapter_rows(self, adapter: AdapterConfig) -> list[Row]:
        binding, row = self._adapter_row(adapter)
        return [row, *(r for op in adapter.operations.values() for r in self._operation_rows(adapter, op, binding))]

    def _adapter_row(self, adapter: AdapterConfig) -> tuple[Binding | None, Row]:
        notes = []
        binding = None
        if adapter.wsdl is not None:
            try:
                refuse_encoded(adapter)  # before the schemas compile, which an encoded WSDL's fail to
                wsdl = load_wsdl(adapter.wsdl, root=self.settings.wsdl_dir)
                wsdl.schemas.validator()  # its schemas must compile too: transform and mock validate with them
                binding = legacy_binding(wsdl, adapter)
            except (WsdlError, ConfigError) as exc:
                return None, Row(adapter.name, "", False, self._wsdl_problem(adapter, exc))
            local = etree.QName(binding.name).localname
            notes.append(f"{self._relative(adapter.wsdl)}: SOAP {binding.soap_version} binding {local}")
        unset = unset_credentials(adapter, self.settings)
        if unset:
            notes.append(f"credentials from {', '.join('$' + name for name in unset)} (not set)")
        return binding, Row(adapter.name, "", True, "; ".join(notes) or "no legacy system of its own")

    def _operation_rows(self, adapter: AdapterConfig, op: OperationConfig, binding: Binding | None) -> list[Row]:
        problems = self._wiring_problems(adapter, op, binding)
        stylesheets = [path for path in (op.request, op.response, *(s.request for s in op.steps)) if path]
        pairs = 0
        for path in stylesheets:
            found, sheet_problems = self._stylesheet_problems(path, adapter)
            pairs += found
            problems.extend(sheet_problems)
        if problems:
            return [Row(adapter.name, op.name, False, problem) for problem in problems]
        return [Row(adapter.name, op.name, True, f"{len(stylesheets)} stylesheets, {pairs} golden pairs")]

    def _wiring_problems(self, adapter: AdapterConfig, op: OperationConfig, binding: Binding | None) -> list[str]:
        """What is wrong with how the operation is wired: canonical name, owner, upstream, steps."""
        key = f"{self._relative(adapter.file)}: operations.{op.name}"
        problems = []
        if self.contract is not None and op.name not in self.contract.operations:
            known = ", ".join(self.contract.operations)
            problems.append(f"{key}: not a canonical operation; the canonical XSD defines: {known}")
        if op.route is None and self.owners.get(op.name) != adapter.name:
            problems.append(f"{key}: already served by {self.owners[op.name]}.toml without a route")
        if op.route is not None and self.contract is not None:
            try:
                compile_route(adapter, op, self.contract.namespace)
            except ConfigError as exc:
                problems.append(relative(exc.message, self.settings.root))
        if op.upstream and binding is not None:
            try:
                legacy_operation(binding, adapter, op.name)
            except ConfigError as exc:
                problems.append(relative(exc.message, self.settings.root))
        for index, step in enumerate(op.steps):
            if step.call not in self.owners and self.all_loaded:
                problems.append(f"{key}.steps[{index}].call: calls {step.call}, which no adapter serves")
        return problems

    def _stylesheet_problems(self, path: Path, adapter: AdapterConfig) -> tuple[int, list[str]]:
        """How many golden pairs the stylesheet has, and why it or they fail."""
        try:
            # golden pairs are made with the adapter's parameters as placeholders: never with a secret
            sheet: Stylesheet = AdapterStylesheets(self.sheets, placeholders(adapter.parameters)).get(path)
        except MappingError as exc:
            return 0, [mapping_problem(exc)]
        pairs = golden_pairs(path)
        if not pairs:
            samples = self._relative(path.parent / "samples")
            return 0, [f"{sheet.label}: no golden pair ({samples}/{path.stem}.in.xml and .out.xml)"]
        problems = [pair_problem(sheet, pair, self.settings.root) for pair in pairs]
        return len(pairs), [problem for problem in problems if problem]

    def _wsdl_problem(self, adapter: AdapterConfig, error: WsdlError | ConfigError) -> str:
        message = relative(error.message, self.settings.root)
        if isinstance(error, ConfigError):
            return message
        return f"{self._relative(adapter.file)}: system.wsdl: {message}"

    def _relative(self, path: Path) -> str:
        return relative(str(path), self.settings.root)
