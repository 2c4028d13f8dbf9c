"""One canonical request through the gateway's own engine, every stage recorded: `soapbridge try`.

The engine is the one `serve` runs (Engine, its stylesheets, the upstream client and its policies); the only
addition is an exchange observer on each upstream, which sees each legacy request as sent, each answer as
received and each legacy fault with the [[faults]] rule that matched, redacted as the exchange log is.
With mocks, every adapter's legacy system is the toolkit's mock of its WSDL (canned responses or samples).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from ..config import AdapterConfig, endpoint_variable
from ..engine import Engine
from ..engine.legacycontract import read_legacy
from ..errors import MappingError, SoapbridgeError, UsageError, ValidationError
from ..settings import Settings
from ..upstream.client import Upstream
from ..upstream.exchange import Faulted, Received, Sent
from ..wsgi import serve_in_background
from .mock import load_mock
from .project import adapter_files, load_offline, unset_credentials

VALID = "valid"
#: What an unset credential or secret variable reads as when the legacy systems are mocks, which check none.
MOCK_SECRET = "mock"

Event = Sent | Received | Faulted


@dataclass
class Recorder:
    """The exchange observer of a trial: every legacy try, in order."""

    events: list[Event] = field(default_factory=list)

    def sent(self, exchange: Sent) -> None:
        self.events.append(exchange)

    def received(self, exchange: Received) -> None:
        self.events.append(exchange)

    def faulted(self, exchange: Faulted) -> None:
        self.events.append(exchange)


@dataclass(frozen=True)
class CanonicalFault:
    """How the call ended when it did not answer: the canonical code a client would get, and its message."""

    code: str
    message: str
    client: bool


@dataclass
class Trial:
    """Each stage of one call: the canonical request and its verdict, the legacy exchanges, the rule that
    matched, and the canonical answer and its verdict (or the canonical fault)."""

    operation: str
    request: str
    request_verdict: str = VALID
    system: str | None = None
    exchanges: list[Event] = field(default_factory=list)
    answer: str | None = None
    answer_verdict: str | None = None
    fault: CanonicalFault | None = None
    #: The [[answers]] rule that found an error in an ordinary legacy answer, as `system: answers[i] ...`.
    answer_rule: str | None = None

    @property
    def ok(self) -> bool:
        return self.fault is None and self.request_verdict == VALID and self.answer_verdict == VALID

    @property
    def rules(self) -> list[str]:
        """The rules that made canonical faults of what the legacy system said: the [[faults]] rule of each legacy
        fault (`faults[i] (when ...) -> Code`, or that none matched), then the [[answers]] rule, if one matched."""
        faulted = [_rule(event) for event in self.exchanges if isinstance(event, Faulted)]
        return faulted + ([self.answer_rule] if self.answer_rule else [])


def run_trial(settings: Settings, operation: str, request: etree._Element) -> Trial:
    """Call operation with request through a fresh engine whose upstreams report to the trial."""
    recorder = Recorder()
    engine = Engine(settings, upstream_factory=lambda adapter: Upstream(adapter, observers=(recorder,)))
    if operation not in engine.operations:
        raise UsageError(f"{operation} is not an operation of this gateway; it serves {', '.join(engine.operations)}")
    trial = Trial(operation, _pretty(request), exchanges=recorder.events)
    try:
        engine.contract.validate(request)  # the engine's own check, first on its own for the verdict
    except ValidationError as exc:
        trial.request_verdict = exc.message
        return trial
    routed = engine.route(operation, request)
    trial.system = routed.system
    try:
        response = engine.call(operation, request)
    except MappingError as exc:
        if exc.stylesheet == routed.response.label:  # the canonical answer was made, and is wrong
            trial.answer_verdict = exc.message
        trial.fault = CanonicalFault(exc.fault_code, exc.message, exc.client_fault)
        return trial
    except SoapbridgeError as exc:
        trial.fault = CanonicalFault(exc.fault_code, exc.message, exc.client_fault)
        trial.answer_rule = f"{routed.system}: {exc.rule}" if exc.rule else None
        return trial
    trial.answer, trial.answer_verdict = _pretty(response), VALID
    return trial


@contextlib.contextmanager
def mocked(settings: Settings, responses: Path | None = None) -> Iterator[Settings]:
    """settings whose legacy systems are mocks of their WSDLs, on loopback, for as long as the block runs."""
    adapters = [load_offline(path, settings) for path in adapter_files(settings)]
    env = dict(settings.env) | {variable: MOCK_SECRET for variable in _unset_secrets(adapters, settings)}
    with contextlib.ExitStack() as stack:
        for adapter in (a for a in adapters if a.wsdl is not None):
            env[endpoint_variable(adapter.name)] = stack.enter_context(_mock(adapter, settings, responses))
        yield replace(settings, env=env)


@contextlib.contextmanager
def _mock(adapter: AdapterConfig, settings: Settings, responses: Path | None) -> Iterator[str]:
    """A mock of the adapter's WSDL; yields the URL of the port the adapter calls."""
    assert adapter.wsdl is not None, "only adapters with a WSDL are mocked"
    legacy = read_legacy(adapter, settings)  # the port the engine calls: the compiler chooses it
    mock = load_mock(legacy.wsdl, binding=legacy.binding.name, responses_dir=responses)
    with serve_in_background(mock, "127.0.0.1", 0, name=f"mock {adapter.name}") as served:
        yield served.url + next(iter(mock.endpoints))


def _unset_secrets(adapters: list[AdapterConfig], settings: Settings) -> list[str]:
    return [variable for adapter in adapters for variable in unset_credentials(adapter, settings)]


def _rule(event: Faulted) -> str:
    if event.rule is None:
        return f"{event.system} {event.operation}: no [[faults]] rule matched {event.code}"
    return f"{event.system} {event.operation}: {event.rule}"


def _pretty(element: etree._Element) -> str:
    copy = etree.fromstring(etree.tostring(element))
    etree.indent(copy)
    return str(etree.tostring(copy, encoding="unicode"))
