"""Fault rules as an adapter file declares them: which legacy faults, and which legacy answers, are canonical faults.

    [[faults]]   a test on a legacy SOAP fault; the Fault element is the context node
    [[answers]]  a test on an ordinary legacy answer, for systems that report errors inside one; the Body's
                 element is the context node. When it holds, the response stylesheet does not run.

Each rule says what the client is told: `message`, a fixed text, and/or `message_from`, an XPath 1.0 expression
whose string value is the message (plain text, at most 512 characters; `message` when it is empty). A [[faults]]
rule with neither passes the legacy fault's own text on. Only the shape is checked here; upstream.faults compiles
the expressions with the adapter's namespaces, once, at start-up.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from ._toml import Table

FAULT_CODES = ("InvalidRequest", "NotFound", "Conflict", "UpstreamFault", "UpstreamUnavailable", "UpstreamTimeout")


@dataclass(frozen=True)
class FaultRule:
    """A legacy SOAP fault that means a canonical fault: `when` is an XPath on the Fault element."""

    when: str
    code: str
    message: str | None = None
    #: An XPath 1.0 expression on the same node whose string value is the message; `message` when it is empty.
    message_from: str | None = None


@dataclass(frozen=True)
class AnswerRule(FaultRule):
    """An ordinary legacy answer that means a canonical fault: `when` is an XPath on the Body's element."""

    #: The canonical operations whose legacy answers it tests; empty: every operation of the adapter.
    operations: tuple[str, ...] = ()


def read_fault_rules(top: Table) -> tuple[FaultRule, ...]:
    """The file's [[faults]], in order: the first whose test holds on a fault decides."""
    rules = []
    for table in top.tables("faults"):
        table.only("when", "code", "message", "message_from")
        rules.append(FaultRule(*_test_and_code(table), *_message(table)))
    return tuple(rules)


def read_answer_rules(top: Table, upstream_operations: Collection[str]) -> tuple[AnswerRule, ...]:
    """The file's [[answers]], in order; upstream_operations are the adapter's operations that call its system."""
    rules = []
    for table in top.tables("answers"):
        table.only("when", "code", "message", "message_from", "operations")
        message, message_from = _message(table)
        if message is None and message_from is None:
            raise table.error(
                "message", "missing; an answer rule says what the client is told: message or message_from"
            )
        operations = _operations(table, upstream_operations)
        rules.append(AnswerRule(*_test_and_code(table), message, message_from, operations))
    return tuple(rules)


def _test_and_code(table: Table) -> tuple[str, str]:
    when = table.require("when", str, "an XPath 1.0 expression")
    if not when.strip():
        raise table.error("when", "empty; expected an XPath 1.0 expression")
    code = table.require("code", str, "a canonical fault code")
    if code not in FAULT_CODES:
        raise table.error("code", f"expected one of {', '.join(FAULT_CODES)}, got {code!r}")
    return when, code


def _message(table: Table) -> tuple[str | None, str | None]:
    message_from = table.text("message_from", "an XPath 1.0 expression")
    if message_from is not None and not message_from.strip():
        raise table.error("message_from", "empty; expected an XPath 1.0 expression, or no message_from key")
    return table.text("message", "a string"), message_from


def _operations(table: Table, upstream_operations: Collection[str]) -> tuple[str, ...]:
    names = table.optional("operations", list, "a list of the adapter's operation names", [])
    known = ", ".join(upstream_operations) or "none"
    for index, name in enumerate(names):
        if name not in upstream_operations:
            raise table.error(
                f"operations[{index}]",
                f"{name!r} is not an operation of this adapter that calls its legacy system; those are: {known}",
            )
    if not upstream_operations:
        raise table.error("when", "no operation of this adapter calls its legacy system, so there is no answer to test")
    return tuple(names)
