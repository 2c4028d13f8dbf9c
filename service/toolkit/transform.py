"""Run one adapter operation's mapping on a sample, offline, and check the result against its target.

    request side:  canonical request --(canonical XSD)--> each step's request stylesheet
                   --> a canonical request of the operation the step calls (canonical XSD)
                   and the upstream request stylesheet --> legacy body (the WSDL's input message)
    response side: legacy answer (a body element or a whole envelope), or a composite's context
                   --> response stylesheet --> canonical response (canonical XSD)

Nothing is called: an operation with steps gets its context from the sample (a ctx:context
document), or a context holding just the request; steps see no earlier answers unless the
sample has them. Stylesheets run as the engine runs them (compiled the same way, same params).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..config import AdapterConfig, OperationConfig
from ..contract import Contract, Operation
from ..engine.engine import request_fields
from ..engine.legacycontract import legacy_operation, read_legacy
from ..engine.mapping import Stylesheet
from ..engine.operations import AdapterStylesheets, StylesheetCache
from ..errors import ConfigError, UsageError
from ..namespaces import CONTEXT
from ..parameters import placeholders
from ..settings import Settings
from ..soapenv import open_envelope
from ..wsdlmodel import BindingOperation, Wsdl, check_message
from ..xmlcheck import Problem, element_path, schema_problems
from ..xmlparse import make_parser, parse_bytes
from .project import find_adapter, is_context, relative, request_in

#: The --step name of the upstream request stylesheet.
UPSTREAM = "upstream"


@dataclass(frozen=True)
class Mapped:
    """What one stylesheet produced from the sample, and every way it breaks its target."""

    stylesheet: str
    #: What the result must be, e.g. "crm's Z_CRM_CUSTOMER_READ input message".
    target: str
    #: The result, pretty-printed; problem lines are lines of this text.
    document: bytes
    root: etree._Element
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Outcome:
    """The results, or (when the sample breaks its own schema) why nothing was mapped."""

    sample_problems: tuple[Problem, ...] = ()
    results: tuple[Mapped, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.sample_problems and not any(result.problems for result in self.results)


class OperationMapping:
    """One canonical operation of one adapter: its stylesheets, and the schemas their results must follow."""

    def __init__(self, settings: Settings, adapter: str, operation: str) -> None:
        self.settings = settings
        self.adapter = find_adapter(settings, adapter)
        self.config = _operation(self.adapter, operation)
        self.contract = Contract(settings.canonical_xsd)
        self.canonical = self._canonical(operation)
        self._schema = etree.XMLSchema(self.contract.document)
        # the adapter's parameters as placeholders, as golden pairs have them: offline, secrets are not needed
        self._sheets = AdapterStylesheets(StylesheetCache(settings.root), placeholders(self.adapter.parameters))

    @property
    def step_names(self) -> list[str]:
        """The --step names: each step's, then "upstream" when the operation calls its legacy system."""
        return [step.name for step in self.config.steps] + ([UPSTREAM] if self.config.upstream else [])

    def map_request(self, sample: etree._Element, only: str | None = None) -> Outcome:
        """Check a canonical request (or a context), then run every request-side stylesheet on it."""
        if only is not None and only not in self.step_names:
            raise UsageError(f"{self.config.name} has no step {only!r}; it has: {', '.join(self.step_names)}")
        if is_context(sample) and not self.config.steps:
            raise UsageError(f"{self.config.name} has no steps; give the canonical request, not a context")
        request = request_in(sample)
        problems = self._canonical_problems(request, self.canonical.request, sample)
        if problems:
            return Outcome(sample_problems=tuple(problems))
        assert request is not None
        source = sample if is_context(sample) else _context(request) if self.config.steps else request
        results = [
            self._step_result(step.name, step.call, step.request, source)
            for step in self.config.steps
            if only in (None, step.name)
        ]
        if self.config.upstream and only in (None, UPSTREAM):
            results.append(self._upstream_result(source))
        return Outcome(results=tuple(results))

    def map_response(self, answer: etree._Element, request: etree._Element | None = None) -> Outcome:
        """Run the response stylesheet on a legacy answer (or a context); params from request, if given."""
        body = _body(answer)
        if body is None:
            return Outcome(sample_problems=(_problem(answer, "the SOAP Body holds no element"),))
        if request is None and is_context(body):
            request = body
        canonical_request = request_in(request) if request is not None else None
        params = request_fields(canonical_request) if canonical_request is not None else {}
        sheet = self._sheets.get(self.config.response)
        produced = sheet.apply(body, params)
        return Outcome(results=(self._canonical_result(sheet, produced, self.canonical.response),))

    def _step_result(self, name: str, call: str, path: Path, context: etree._Element) -> Mapped:
        sheet = self._sheets.get(path)
        called = self._canonical(call)
        return self._canonical_result(sheet, sheet.apply(context), called.request, f"step {name}: ")

    def _upstream_result(self, source: etree._Element) -> Mapped:
        assert self.config.request is not None and self.adapter.wsdl is not None, "config guarantees both"
        sheet = self._sheets.get(self.config.request)
        document, root = _pretty(sheet.apply(source))
        legacy = read_legacy(self.adapter, self.settings)  # the WSDL and its port as serve and check read them
        operation = legacy_operation(legacy.binding, self.adapter, self.config.name)
        problems = legacy_input_problems(legacy.wsdl, operation, root)
        target = f"{self.adapter.name}'s {operation.name} input message ({self._relative(self.adapter.wsdl)})"
        return Mapped(sheet.label, target, document, root, tuple(problems))

    def _canonical_result(self, sheet: Stylesheet, produced: etree._Element, tag: str, what: str = "") -> Mapped:
        document, root = _pretty(produced)
        problems = self._canonical_problems(root, tag, root)
        target = f"{what}a canonical {etree.QName(tag).localname} ({self._relative(self.contract.path)})"
        return Mapped(sheet.label, target, document, root, tuple(problems))

    def _canonical_problems(self, element: etree._Element | None, tag: str, sample: etree._Element) -> list[Problem]:
        if element is None:
            return [_problem(sample, f"the context holds no request; expected a {etree.QName(tag).localname}")]
        return canonical_problems(self._schema, element, tag)

    def _canonical(self, name: str) -> Operation:
        found = self.contract.operations.get(name)
        if found is None:
            raise ConfigError(
                f"{name} is not a canonical operation",
                file=str(self.adapter.file),
                key=f"operations.{self.config.name}",
            )
        return found

    def _relative(self, path: Path) -> str:
        return relative(str(path), self.settings.root)


def legacy_input_problems(wsdl: Wsdl, operation: BindingOperation, body: etree._Element) -> list[Problem]:
    """Every way body (a request stylesheet's result) breaks the legacy operation's input message."""
    message = operation.message("input")
    return check_message(wsdl, message, [body]) if message is not None else []


def canonical_problems(schema: etree.XMLSchema, element: etree._Element, tag: str) -> list[Problem]:
    """Every way element breaks the canonical element tag (a request or a response) of the canonical XSD."""
    if element.tag != tag:
        expected = etree.QName(tag).localname
        return [_problem(element, f"expected a canonical {expected} ({tag}), got {element.tag}")]
    return schema_problems(schema, element)


def _operation(adapter: AdapterConfig, name: str) -> OperationConfig:
    if name not in adapter.operations:
        known = ", ".join(adapter.operations) or "none"
        raise UsageError(f"the {adapter.name} adapter maps no operation {name!r}; it maps: {known}")
    return adapter.operations[name]


def _context(request: etree._Element) -> etree._Element:
    """A composite's context as the engine starts it: the request, and no step answers yet."""
    context = etree.Element(f"{{{CONTEXT}}}context", nsmap={"ctx": CONTEXT})
    etree.SubElement(context, f"{{{CONTEXT}}}request").append(copy.deepcopy(request))
    return context


def _body(answer: etree._Element) -> etree._Element | None:
    """The answer itself, or the element in its Body when it is a whole SOAP envelope."""
    opened = open_envelope(answer)
    if opened is None:
        return answer
    return next(opened[1].iterchildren(tag=etree.Element), None)


def _pretty(element: etree._Element) -> tuple[bytes, etree._Element]:
    """The element indented afresh, and parsed back so that problems point at lines of the printed text."""
    bare = etree.fromstring(etree.tostring(element), make_parser(remove_blank_text=True))
    document = bytes(etree.tostring(bare, pretty_print=True, encoding="UTF-8"))
    return document, parse_bytes(document, what="stylesheet's result")


def _problem(element: etree._Element, reason: str) -> Problem:
    return Problem(reason, element.sourceline, None, element_path(element))
