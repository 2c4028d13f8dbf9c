"""A pass-through call: the client's payload, as bytes, to one legacy operation, and the legacy answer as received.

Nothing of the payload or the answer is built into a tree. The payload goes into the operation's outbound
envelope as it is (Outbound.around: the adapter's wsse:Security and WS-Addressing around it), with the call's
headers (media type and action, the correlation id, the client's trace context; Basic credentials from the
transport). The call runs under the policies Upstream.call runs under: the deadline, the bulkhead, the circuit
breaker, and retries when the operation is declared idempotent. The answer is only checked to be a SOAP envelope
of the operation's version (well-formed, its root the Envelope): anything else is a failure of the system, as it
is for a mapped call, and counts against its circuit. A SOAP fault is an answer, passed on with its status.
"""

from __future__ import annotations

import contextlib

from lxml import etree

from .._perthread import PerThread
from ..config import Timeouts
from ..errors import UpstreamUnavailable, XmlError
from ..namespaces import ENVELOPE_BY_VERSION
from ..xmlparse import carries_doctype, check_well_formed, make_parser, well_formed_parser
from .client import Upstream, call_headers, current_correlation_id
from .deadline import Deadline
from .envelope import TRANSIENT_STATUS, UNPROCESSED_STATUS
from .transport import HttpAnswer
from .wsdl import UpstreamOperation


class PassthroughCall:
    """One legacy operation published unchanged: its outbound envelope composed once, its calls guarded by the
    system's Upstream policies."""

    def __init__(self, upstream: Upstream, operation: UpstreamOperation) -> None:
        self.upstream = upstream
        self.operation = operation
        self.outbound = upstream.outbound(operation)
        self.answers = AnswerCheck(operation.soap_version, upstream.name)

    def send(self, payload: bytes, *, deadline: Deadline, timeouts: Timeouts, idempotent: bool) -> HttpAnswer:
        """The legacy answer to payload (a SOAP answer, fault or not), or ours raised (UpstreamError)."""
        return self.upstream.guarded(
            self.operation.name,
            lambda: self._exchange(payload, deadline, timeouts),
            lambda answer: answer.status >= 400,
            deadline=deadline,
            timeouts=timeouts,
            idempotent=idempotent,
        )

    def _exchange(self, payload: bytes, deadline: Deadline, timeouts: Timeouts) -> HttpAnswer:
        upstream, operation = self.upstream, self.operation
        sent_id = current_correlation_id()
        message = self.outbound.around(payload, self.outbound.values(sent_id))
        headers = call_headers(operation, sent_id)
        upstream.exchange.sent(operation.name, upstream.address, headers, message)
        answer = upstream.transport.post(upstream.address, message, headers, deadline=deadline, timeouts=timeouts)
        upstream.exchange.received(operation.name, answer.status, answer.content_type, answer.content)
        return self.answers.check(answer)


class AnswerCheck:
    """Whether a legacy answer is a SOAP envelope of one version, read by libxml2 without a tree; each thread
    keeps its own parsers (making one with a target costs more than reading a small answer)."""

    def __init__(self, version: str, system: str) -> None:
        self.envelope = f"{{{ENVELOPE_BY_VERSION[version]}}}Envelope"
        self.version = version
        self.system = system
        self._roots = PerThread(_RootParser)
        self._whole = PerThread(well_formed_parser)

    def check(self, answer: HttpAnswer) -> HttpAnswer:
        """answer when it is a SOAP envelope of the version; else UpstreamUnavailable saying what came instead."""
        problem = self._not_soap(answer.content)
        if problem is None:
            return answer
        status = answer.status
        raise UpstreamUnavailable(
            f"{self.system} answered HTTP {status} with {problem}",
            system=self.system,
            transient=status in TRANSIENT_STATUS,
            sent=status != UNPROCESSED_STATUS,
        )

    def _not_soap(self, content: bytes) -> str | None:
        """What the answer is instead of an envelope (libxml2 reads its root's name, then all of it); None."""
        if not content.strip() or carries_doctype(content):
            return "no XML (empty, or with a DOCTYPE)"
        try:
            root = self._roots.get().root(content)
        except etree.XMLSyntaxError:
            return "something that is not XML"
        if root != self.envelope:
            return f"XML that is not a SOAP {self.version} envelope"
        try:
            check_well_formed(content, "the answer", parser=self._whole.get())
        except XmlError:
            return "XML that is not well-formed"
        return None


class _Root(Exception):
    """Raised by _RootName at the first element: libxml2 stops there."""


class _RootName:
    """A parser target that notes the root element's name and stops the parse."""

    tag = ""

    def start(self, tag: str, attrib: object) -> None:
        self.tag = tag
        raise _Root

    def close(self) -> None:
        return None


class _RootParser:
    """A _RootName and the parser that drives it, one thread's."""

    def __init__(self) -> None:
        self.target = _RootName()
        self.parser = make_parser(target=self.target)

    def root(self, content: bytes) -> str:
        """The root element's Clark name ("" when there is none); XMLSyntaxError before it for what is not XML."""
        self.target.tag = ""
        with contextlib.suppress(_Root):
            etree.fromstring(content, self.parser)
        return self.target.tag
