"""The project compiled once: every rule that decides whether soapbridge may serve a project, written only here.

`serve` (through Engine) and `check` (and the tools) read the same CompiledProject, so `check` fails exactly
what `serve` would refuse. Nothing stops at the first problem: each one is collected, its message naming the
file and the key, and filed under the adapter and operation it belongs to (check prints a row for each).

    canonical XSD -> adapter files -> at most one adapter without a route per operation
    -> per adapter: its legacy WSDL and the one SOAP port it calls -> its upstream client
    -> per operation: canonical name, route, upstream operation, stylesheets
    -> per step: calls a served operation, and never leads back to its own
    -> per pass-through operation: in the port's binding, and not a canonical operation's name
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from lxml import etree

from ..clients import Client, load_clients
from ..config import AdapterConfig, OperationConfig, PassthroughConfig, load_adapter
from ..contract import Contract, Operation
from ..errors import ConfigError, MappingError
from ..settings import Settings
from ..upstream.client import Upstream
from ..upstream.faults import CompiledRule, answer_rules_of, compile_answer_rules
from ..upstream.passthrough import PassthroughCall
from ..upstream.wsdl import UpstreamOperation
from ..wsdlmodel import BindingOperation
from .legacycontract import LegacyContract, legacy_operation, read_legacy
from .mapping import Stylesheet
from .operations import (
    AdapterStylesheets,
    CompiledOperation,
    CompiledStep,
    StylesheetCache,
    UpstreamCall,
    compile_route,
)
from .passthrough import PassthroughOperation, PassthroughSystem, qualified
from .routing import RoutedOperation

T = TypeVar("T")
UpstreamFactory = Callable[[AdapterConfig], Upstream]
#: The adapter a problem of the canonical XSD is filed under: it belongs to no adapter.
CANONICAL = "(canonical)"
#: The adapter a problem of the clients file is filed under.
CLIENTS = "(clients)"


@dataclass(frozen=True)
class Problem:
    """One reason the project cannot be served, filed under its adapter ("" for the project) and operation."""

    adapter: str
    operation: str
    error: ConfigError | MappingError

    @property
    def message(self) -> str:
        return self.error.message


@dataclass
class CompiledProject:
    """Everything under settings.root, loaded and compiled, and every problem found on the way."""

    settings: Settings
    contract: Contract | None = None
    #: The adapter files, in name order, and the adapters of those that load.
    files: list[Path] = field(default_factory=list)
    adapters: list[AdapterConfig] = field(default_factory=list)
    legacy: dict[str, LegacyContract] = field(default_factory=dict)
    upstreams: dict[str, Upstream] = field(default_factory=dict)
    #: Each canonical operation served, and its adapters; empty when there are problems.
    operations: dict[str, RoutedOperation] = field(default_factory=dict)
    #: Each system's legacy operations published unchanged, by system; empty when there are problems.
    passthrough: dict[str, PassthroughSystem] = field(default_factory=dict)
    stylesheets: StylesheetCache = field(init=False)
    #: Who may call the gateway (clients.toml), by name; None when authentication is off or the file is broken.
    clients: dict[str, Client] | None = None
    clients_file: Path | None = None
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stylesheets = StylesheetCache(self.settings.root)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problems_of(self, adapter: str, operation: str = "") -> list[Problem]:
        return [p for p in self.problems if (p.adapter, p.operation) == (adapter, operation)]

    def raise_problems(self) -> None:
        """The one problem as raised, or a ConfigError listing them all (file and key of the first)."""
        if not self.problems:
            return
        first = self.problems[0].error
        if len(self.problems) == 1:
            raise first
        more = "\n".join(f"  {problem.message}" for problem in self.problems[1:])
        error = ConfigError(f"{first.message}\nand {len(self.problems) - 1} more:\n{more}")
        error.file, error.key = (first.file, first.key) if isinstance(first, ConfigError) else (None, None)
        raise error


def compile_project(
    settings: Settings,
    upstream_factory: UpstreamFactory = Upstream,
    *,
    need_secrets: bool = True,
    with_clients: bool = False,
) -> CompiledProject:
    """The whole project; need_secrets=False (offline tools) reads an unset credential variable as "".

    with_clients: also the clients file (when authentication is on), which the gateway's edge reads with the
    same load_clients; the engine alone, which serves no client, does not need it."""
    return _Compiler(settings, upstream_factory, need_secrets, with_clients).run()


class _Compiler:
    def __init__(
        self, settings: Settings, upstream_factory: UpstreamFactory, need_secrets: bool, with_clients: bool
    ) -> None:
        self.project = CompiledProject(settings)
        self.with_clients = with_clients
        self.settings = settings
        self.upstream_factory = upstream_factory
        self.need_secrets = need_secrets

    def run(self) -> CompiledProject:
        project = self.project
        project.contract = self._attempt(CANONICAL, "", lambda: Contract(self.settings.canonical_xsd))
        project.files = sorted(self.settings.adapters_dir.glob("*.toml"))
        if not project.files:
            self._note("", "", ConfigError("no adapter files (*.toml)", file=str(self.settings.adapters_dir)))
        project.adapters = [adapter for path in project.files if (adapter := self._load(path)) is not None]
        self._refuse_second_defaults()
        for adapter in project.adapters:
            self._legacy(adapter)
        served: dict[str, list[CompiledOperation]] = {}
        for adapter in project.adapters:
            for compiled in self._adapter_operations(adapter):
                served.setdefault(compiled.name, []).append(compiled)
        published = [system for adapter in project.adapters if (system := self._passthrough(adapter)) is not None]
        if len(project.adapters) == len(project.files):  # else an adapter that did not load may serve a step
            self._check_steps()
            self._load_clients()
        if project.ok:
            project.operations = {name: RoutedOperation.of(adapters) for name, adapters in served.items()}
            project.passthrough = {system.name: system for system in published}
        return project

    def _attempt(self, adapter: str, operation: str, build: Callable[[], T]) -> T | None:
        try:
            return build()
        except (ConfigError, MappingError) as exc:
            self._note(adapter, operation, exc)
            return None

    def _note(self, adapter: str, operation: str, error: ConfigError | MappingError) -> None:
        self.project.problems.append(Problem(adapter, operation, error))

    def _load(self, path: Path) -> AdapterConfig | None:
        return self._attempt(path.stem, "", lambda: load_adapter(path, self.settings, need_secrets=self.need_secrets))

    def _refuse_second_defaults(self) -> None:
        """Two adapters serving one operation without a route: which one a request reaches would be arbitrary."""
        default: dict[str, str] = {}
        for adapter in self.project.adapters:
            for name, operation in adapter.operations.items():
                if operation.route is not None:
                    continue
                if name in default:
                    message = (
                        f"already served by {default[name]}.toml without a route, and neither says which requests "
                        "it takes; give one of them a route"
                    )
                    error = ConfigError(message, file=str(adapter.file), key=f"operations.{name}")
                    self._note(adapter.name, name, error)
                default.setdefault(name, adapter.name)

    def _legacy(self, adapter: AdapterConfig) -> None:
        """The adapter's legacy contract, and its upstream client, pinned to the port the contract chose."""
        if adapter.wsdl is None:
            return
        legacy = self._attempt(adapter.name, "", lambda: read_legacy(adapter, self.settings))
        if legacy is None:
            return
        self.project.legacy[adapter.name] = legacy
        pinned = replace(adapter, service=legacy.service, port=legacy.port.name)
        upstream = self._attempt(adapter.name, "", lambda: self.upstream_factory(pinned))
        if upstream is not None:
            self.project.upstreams[adapter.name] = upstream

    def _adapter_operations(self, adapter: AdapterConfig) -> list[CompiledOperation]:
        values = {name: parameter.value for name, parameter in adapter.parameters.items()}
        sheets = AdapterStylesheets(self.project.stylesheets, values)
        answers = self._attempt(adapter.name, "", lambda: compile_answer_rules(adapter)) or ()
        compiled = [self._operation(adapter, op, sheets, answers) for op in adapter.operations.values()]
        return [operation for operation in compiled if operation is not None]

    def _operation(
        self,
        adapter: AdapterConfig,
        op: OperationConfig,
        sheets: AdapterStylesheets,
        answers: tuple[CompiledRule, ...],
    ) -> CompiledOperation | None:
        before = len(self.project.problems)
        canonical = self._canonical(adapter, op)
        route = self._route(adapter, op)
        call = self._upstream_call(adapter, op, sheets, canonical, answer_rules_of(answers, op.name))
        response = self._stylesheet(adapter, op, sheets, op.response)
        steps = tuple(
            CompiledStep(step.name, step.call, sheet)
            for step in op.steps
            if (sheet := self._stylesheet(adapter, op, sheets, step.request)) is not None
        )
        if len(self.project.problems) > before or canonical is None or response is None:
            return None
        timeouts = op.timeouts or adapter.timeouts
        return CompiledOperation(canonical, adapter.name, response, timeouts, call, steps, route)

    def _route(self, adapter: AdapterConfig, op: OperationConfig) -> etree.XPath | None:
        contract = self.project.contract
        if contract is None:
            return None
        return self._attempt(adapter.name, op.name, lambda: compile_route(adapter, op, contract.namespace))

    def _stylesheet(
        self, adapter: AdapterConfig, op: OperationConfig, sheets: AdapterStylesheets, path: Path
    ) -> Stylesheet | None:
        return self._attempt(adapter.name, op.name, lambda: sheets.get(path))

    def _canonical(self, adapter: AdapterConfig, op: OperationConfig) -> Operation | None:
        contract = self.project.contract
        if contract is None:
            return None
        canonical = contract.operations.get(op.name)
        if canonical is None:
            known = ", ".join(contract.operations)
            message = f"not a canonical operation; the canonical XSD defines: {known}"
            self._note(adapter.name, op.name, ConfigError(message, file=str(adapter.file), key=f"operations.{op.name}"))
        return canonical

    def _upstream_call(
        self,
        adapter: AdapterConfig,
        op: OperationConfig,
        sheets: AdapterStylesheets,
        canonical: Operation | None,
        answers: tuple[CompiledRule, ...],
    ) -> UpstreamCall | None:
        if not op.upstream:
            return None
        assert op.request is not None, "config guarantees a request stylesheet for an upstream call"
        found = self._legacy_operation(adapter, op)
        request = self._stylesheet(adapter, op, sheets, op.request)
        upstream = self.project.upstreams.get(adapter.name)
        if found is None or request is None or upstream is None or canonical is None:
            return None  # a WSDL that did not load is its adapter's problem, already noted
        operation = self._attempt(adapter.name, op.name, lambda: _zeep_operation(upstream, adapter, op))
        if operation is None:
            return None
        idempotent = canonical.read_only if op.idempotent is None else op.idempotent
        return UpstreamCall(upstream, operation, request, idempotent, answers)

    def _load_clients(self) -> None:
        """The clients file, whose operations must be served ones: the Authenticator reads it the same way."""
        auth = self.settings.auth
        if not auth.enabled or not self.with_clients:
            return
        path = self.project.clients_file = auth.clients_file or self.settings.root / "clients.toml"
        served = {name for adapter in self.project.adapters for name in adapter.operations}
        served |= {qualified(adapter.name, name) for adapter in self.project.adapters for name in adapter.passthrough}
        load = partial(load_clients, path, self.settings.env, served, need_secrets=self.need_secrets)
        self.project.clients = self._attempt(CLIENTS, "", load)

    def _passthrough(self, adapter: AdapterConfig) -> PassthroughSystem | None:
        """The adapter's pass-through operations; their problems are the adapter's (they have no canonical row)."""
        legacy, upstream = self.project.legacy.get(adapter.name), self.project.upstreams.get(adapter.name)
        canonical = set(self.project.contract.operations) if self.project.contract is not None else set()
        operations = {}
        for config in adapter.passthrough.values():
            compile_one = partial(_passthrough_operation, adapter, config, canonical, legacy, upstream)
            operation = self._attempt(adapter.name, "", compile_one)
            if operation is not None:
                operations[config.name] = operation
        if not operations or legacy is None:
            return None
        return PassthroughSystem(adapter.name, legacy, operations)

    def _legacy_operation(self, adapter: AdapterConfig, op: OperationConfig) -> BindingOperation | None:
        legacy = self.project.legacy.get(adapter.name)
        if legacy is None:
            return None
        return self._attempt(adapter.name, op.name, lambda: legacy_operation(legacy.binding, adapter, op.name))

    def _check_steps(self) -> None:
        """Each step calls an operation some adapter serves, and that operation's steps never lead back."""
        served: dict[str, list[OperationConfig]] = {}
        for adapter in self.project.adapters:
            for op in adapter.operations.values():
                served.setdefault(op.name, []).append(op)
        for adapter in self.project.adapters:
            for op in adapter.operations.values():
                for index, step in enumerate(op.steps):
                    problem = _step_problem(served, op.name, step.call)
                    if problem is not None:
                        key = f"operations.{op.name}.steps[{index}].call"
                        self._note(adapter.name, op.name, ConfigError(problem, file=str(adapter.file), key=key))


def _zeep_operation(upstream: Upstream, adapter: AdapterConfig, op: OperationConfig) -> UpstreamOperation:
    """zeep's view of the operation the legacy contract has: the upstream client calls with it."""
    try:
        return upstream.operation(op.upstream or "")
    except ConfigError as exc:
        raise ConfigError(exc.message, file=str(adapter.file), key=f"operations.{op.name}.upstream") from exc


def _passthrough_operation(
    adapter: AdapterConfig,
    config: PassthroughConfig,
    canonical: set[str],
    legacy: LegacyContract | None,
    upstream: Upstream | None,
) -> PassthroughOperation | None:
    """A legacy operation published unchanged: it must be in the port's binding, take a request, and not bear
    a canonical operation's name (a client, the clients file or a dashboard would not know which one is meant)."""
    key = f"passthrough.{config.name}"
    if config.name in canonical:
        message = (
            f"{config.name} is also a canonical operation; a pass-through operation keeps its legacy name, which "
            f"must not be a canonical one (map it under [operations.{config.name}] instead)"
        )
        raise ConfigError(message, file=str(adapter.file), key=key)
    if legacy is None or upstream is None:
        return None  # a WSDL that did not load is its adapter's problem, already noted
    found = legacy.binding.operation(config.name)
    if found is None:
        known = ", ".join(op.name for op in legacy.binding.operations)
        message = f"the WSDL's binding has no operation {config.name!r}; it has: {known}"
        raise ConfigError(message, file=str(adapter.file), key=key)
    if found.input is None:
        message = f"{config.name} takes no request; only request-response operations pass through"
        raise ConfigError(message, file=str(adapter.file), key=key)
    try:
        call = PassthroughCall(upstream, upstream.operation(config.name))
    except ConfigError as exc:
        raise ConfigError(exc.message, file=str(adapter.file), key=key) from exc
    timeouts = config.timeouts or adapter.timeouts
    return PassthroughOperation(adapter.name, found, call, config.idempotent, timeouts)


def _step_problem(served: dict[str, list[OperationConfig]], operation: str, call: str) -> str | None:
    if call not in served:
        return f"calls {call}, which no adapter serves"
    if call == operation:
        return f"calls {call}, its own operation"
    if _reaches(served, call, operation):
        return f"calls {call}, which calls {operation} back"
    return None


def _reaches(served: dict[str, list[OperationConfig]], start: str, target: str) -> bool:
    """Whether the steps of start's adapters (any route) lead to target."""
    seen: set[str] = set()
    pending = [start]
    while pending:
        name = pending.pop()
        if name == target:
            return True
        if name not in seen:
            seen.add(name)
            pending.extend(step.call for op in served.get(name, []) for step in op.steps)
    return False
