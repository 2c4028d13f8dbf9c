"""The engine: runs a canonical operation through steps, stylesheets and the legacy system.

    canonical request --(request XSLT)--> legacy body --(zeep transport)--> legacy answer
    legacy answer --(response XSLT)--> canonical response --(canonical XSD)--> caller

Every body stays an lxml tree. Requests and responses are validated against the canonical
XSD here, so every entry point (SOAP 1.1, SOAP 1.2, JSON, composites) gets the same checks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from lxml import etree

from ..config import AdapterConfig, load_adapters
from ..contract import Contract
from ..errors import ConfigError, MappingError, RequestError, ValidationError
from ..namespaces import CONTEXT
from ..settings import Settings
from ..telemetry.context import record_invalid
from ..upstream.client import Upstream
from ..upstream.deadline import Deadline
from ..upstream.faults import refuse_answer
from .operations import CompiledOperation, StylesheetCache, UpstreamCall, compile_adapter
from .routing import RoutedOperation

UpstreamFactory = Callable[[AdapterConfig], Upstream]


class Engine:
    """Loaded once per process: every adapter, WSDL and stylesheet, ready to serve."""

    def __init__(self, settings: Settings, upstream_factory: UpstreamFactory = Upstream) -> None:
        self.settings = settings
        self.contract = Contract(settings.canonical_xsd)
        self.adapters = load_adapters(settings)
        self.upstreams = {a.name: upstream_factory(a) for a in self.adapters if a.wsdl is not None}
        self.stylesheets = StylesheetCache(settings.root)
        served: dict[str, list[CompiledOperation]] = {}
        for adapter in self.adapters:
            for compiled in compile_adapter(adapter, self.upstreams.get(adapter.name), self.contract, self.stylesheets):
                served.setdefault(compiled.name, []).append(compiled)
        #: Each canonical operation the gateway serves, and the adapters that serve it.
        self.operations = {name: RoutedOperation.of(adapters) for name, adapters in served.items()}
        _check_steps(self.operations, self.adapters)

    def call(self, name: str, request: etree._Element, deadline: Deadline | None = None) -> etree._Element:
        """Run the canonical operation `name` on a canonical request element.

        Its deadline starts now, or, for a composite's step, is what is left of the composite's if that ends first.
        """
        routed = self._served(name)
        if request.tag != routed.contract.request:
            raise RequestError(f"{name} expects {routed.contract.request}, got {request.tag}")
        try:
            self.contract.validate(request)
        except ValidationError:
            record_invalid("request")
            raise
        operation = routed.choose(request)
        seconds = operation.timeouts.deadline
        deadline = Deadline(seconds) if deadline is None else deadline.within(seconds)
        response = self._run(operation, request, deadline)
        self._check_response(operation, response)
        return response

    def route(self, name: str, request: etree._Element) -> CompiledOperation:
        """The adapter's operation that serves this request of the canonical operation `name`."""
        return self._served(name).choose(request)

    def _served(self, name: str) -> RoutedOperation:
        routed = self.operations.get(name)
        if routed is None:
            raise RequestError(f"{name} is not an operation of this gateway")
        return routed

    def _run(self, operation: CompiledOperation, request: etree._Element, deadline: Deadline) -> etree._Element:
        params = request_fields(request) if operation.response.params else {}
        source = self._context(operation, request, deadline) if operation.steps else request
        if operation.call is None:
            return operation.response.apply(source, params)
        answer = _call_upstream(operation, operation.call, source, deadline)
        return operation.response.apply(answer, params)

    def _context(self, operation: CompiledOperation, request: etree._Element, deadline: Deadline) -> etree._Element:
        """<ctx:context> with the request and each step's answer, for a composite's stylesheets."""
        context = etree.Element(f"{{{CONTEXT}}}context", nsmap={"ctx": CONTEXT})
        etree.SubElement(context, f"{{{CONTEXT}}}request").append(copy.deepcopy(request))
        for step in operation.steps:
            step_request = _map_request(step.request.apply, context)
            holder = etree.SubElement(context, f"{{{CONTEXT}}}step", name=step.name)
            holder.append(self.call(step.call, step_request, deadline))
        return context

    def _check_response(self, operation: CompiledOperation, response: etree._Element) -> None:
        if response.tag != operation.contract.response:
            raise MappingError(
                f"{operation.response.label} produced {response.tag}, expected {operation.contract.response}",
                stylesheet=operation.response.label,
            )
        try:
            self.contract.validate(response)
        except ValidationError as exc:
            record_invalid("response")
            raise MappingError(
                f"{operation.response.label} produced an invalid {operation.name}Response: {exc.message}",
                stylesheet=operation.response.label,
                line=exc.line,
            ) from exc


def _call_upstream(
    operation: CompiledOperation, call: UpstreamCall, source: etree._Element, deadline: Deadline
) -> etree._Element:
    body = _map_request(call.request.apply, source)
    expected = call.operation.input_tag
    if expected and body.tag != expected:
        raise MappingError(
            f"{call.request.label} produced {body.tag}, "
            f"but {call.upstream.name}'s {call.operation.name} expects {expected}",
            stylesheet=call.request.label,
        )
    answer = call.upstream.call(
        call.operation, body, deadline=deadline, timeouts=operation.timeouts, idempotent=call.idempotent
    )
    refuse_answer(answer, call.answers, call.upstream.name)  # an in-band error never reaches the response stylesheet
    return answer


def _map_request(apply: Callable[[etree._Element], etree._Element], source: etree._Element) -> etree._Element:
    """Apply a request-side stylesheet; a deliberate refusal is the client's fault, not ours."""
    try:
        return apply(source)
    except MappingError as exc:
        if exc.terminated:
            raise RequestError(exc.message) from exc
        raise


def request_fields(request: etree._Element) -> dict[str, str]:
    """The request's simple fields by local name: the response stylesheet's xsl:params."""
    return {
        etree.QName(child).localname: child.text or ""
        for child in request.iterchildren(tag=etree.Element)
        if len(child) == 0
    }


def _check_steps(operations: dict[str, RoutedOperation], adapters: list[AdapterConfig]) -> None:
    files = {adapter.name: adapter.file for adapter in adapters}
    for operation in (served for routed in operations.values() for served in routed.adapters):
        for index, step in enumerate(operation.steps):
            if step.call not in operations:
                raise ConfigError(
                    f"calls {step.call}, which no adapter serves",
                    file=str(files[operation.system]),
                    key=f"operations.{operation.name}.steps[{index}].call",
                )
            if _reaches(operations, step.call, operation.name):
                raise ConfigError(
                    f"calls {step.call}, which calls {operation.name} back",
                    file=str(files[operation.system]),
                    key=f"operations.{operation.name}.steps[{index}].call",
                )


def _reaches(operations: dict[str, RoutedOperation], start: str, target: str) -> bool:
    """Whether the steps of start's adapters (any route) lead to target."""
    seen: set[str] = set()
    pending = [start]
    while pending:
        name = pending.pop()
        if name == target:
            return True
        if name not in seen:
            seen.add(name)
            pending.extend(step.call for served in operations[name].adapters for step in served.steps)
    return False
