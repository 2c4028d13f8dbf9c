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

from ..errors import MappingError, RequestError, ValidationError
from ..namespaces import CONTEXT
from ..settings import Settings
from ..telemetry.context import record_invalid
from ..upstream.client import Upstream
from ..upstream.deadline import Deadline
from ..upstream.faults import refuse_answer
from .compiler import CompiledProject, UpstreamFactory, compile_project
from .operations import CompiledOperation, UpstreamCall
from .routing import RoutedOperation


class Engine:
    """Loaded once per process: every adapter, WSDL and stylesheet, ready to serve."""

    def __init__(
        self,
        settings: Settings,
        upstream_factory: UpstreamFactory = Upstream,
        *,
        project: CompiledProject | None = None,
    ) -> None:
        """ConfigError (or MappingError) for a project `soapbridge check` fails: the rules are the compiler's.

        project: the project already compiled from these settings (serve compiles it once, for check and here)."""
        project = project or compile_project(settings, upstream_factory)
        project.raise_problems()
        assert project.contract is not None, "a project without problems has its contract"
        self.settings = settings
        self.contract = project.contract
        self.adapters = project.adapters
        self.upstreams = project.upstreams
        self.stylesheets = project.stylesheets
        #: Each canonical operation the gateway serves, and the adapters that serve it.
        self.operations = project.operations
        #: Each system's legacy operations published unchanged (pass-through), by system.
        self.passthrough = project.passthrough

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
