"""An adapter's operations, compiled: what the engine runs (compiler.py builds them and applies the rules)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..config import AdapterConfig, OperationConfig, Timeouts
from ..contract import Operation
from ..errors import ConfigError
from ..upstream.client import Upstream
from ..upstream.faults import CompiledRule
from ..upstream.wsdl import UpstreamOperation
from .mapping import Stylesheet


@dataclass(frozen=True)
class CompiledStep:
    name: str
    call: str
    request: Stylesheet


@dataclass(frozen=True)
class UpstreamCall:
    """The legacy operation an operation calls, and the stylesheet that builds its body."""

    upstream: Upstream
    operation: UpstreamOperation
    request: Stylesheet
    #: Whether a transient failure may be tried again: the adapter file says, else reads are and writes are not.
    idempotent: bool = False
    #: The adapter's [[answers]] for this operation: ordinary answers that are canonical faults.
    answers: tuple[CompiledRule, ...] = ()


@dataclass(frozen=True)
class CompiledOperation:
    """Everything needed to run one canonical operation, checked at start-up."""

    contract: Operation
    system: str
    response: Stylesheet
    #: The operation's timeouts; deadline bounds the client's whole call.
    timeouts: Timeouts
    call: UpstreamCall | None = None
    steps: tuple[CompiledStep, ...] = ()
    #: The adapter file's route, compiled: true for the requests this adapter serves; None serves the rest.
    route: etree.XPath | None = None

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
            xslt = self._root / "xslt"
            folder = xslt if path.is_relative_to(xslt) else path.parent
            self._sheets[path] = Stylesheet(path, str(path.relative_to(self._root)), folder)
        return self._sheets[path]

    def __len__(self) -> int:
        """How many stylesheets are compiled."""
        return len(self._sheets)


class AdapterStylesheets:
    """The stylesheets as one adapter runs them: compiled once for all adapters, given this one's parameters."""

    def __init__(self, sheets: StylesheetCache, parameters: dict[str, str]) -> None:
        self._sheets = sheets
        self._parameters = parameters

    def get(self, path: Path) -> Stylesheet:
        sheet = self._sheets.get(path)
        return sheet.with_parameters(self._parameters) if self._parameters else sheet


def compile_route(adapter: AdapterConfig, op: OperationConfig, namespace: str) -> etree.XPath | None:
    """The route as a boolean test on the canonical request; prefix cn is the canonical namespace."""
    if op.route is None:
        return None
    namespaces = {"cn": namespace, **adapter.namespaces}
    try:
        etree.XPath(op.route, namespaces=namespaces)  # alone, so that "a) or (b" cannot pass inside boolean()
        test = etree.XPath(f"boolean({op.route})", namespaces=namespaces)
        test(etree.Element("probe"))  # an unknown prefix or function only shows when evaluated
    except etree.XPathError as exc:
        raise ConfigError(
            f"not a valid XPath 1.0 expression: {exc}", file=str(adapter.file), key=f"operations.{op.name}.route"
        ) from exc
    return test
