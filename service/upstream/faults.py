"""Adapter fault rules, compiled: which legacy SOAP faults, and which ordinary legacy answers, mean which
canonical fault, and what the client is told.

Every expression is compiled once, at start-up; a request costs one XPath evaluation per rule tried, on a tree
already parsed. A message taken from the legacy message (message_from) is plain text of at most 512 characters,
and never carries one of the adapter's secret values, whatever the legacy system echoed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from ..config import AdapterConfig, AnswerRule, FaultRule
from ..errors import (
    ConfigError,
    ConflictError,
    NotFoundError,
    RequestError,
    SoapbridgeError,
    UpstreamFault,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from ..redaction import plain_text
from .envelope import LegacyFault

#: What a secret value in a rule's message becomes.
HIDDEN = "***"


@dataclass(frozen=True)
class CompiledRule:
    rule: FaultRule
    test: etree.XPath
    #: rule.message_from as a string-valued XPath; None without one.
    message_from: etree.XPath | None = None
    #: The adapter's secret parameter values: never part of a message.
    secrets: tuple[str, ...] = ()
    #: Where the rule is in its adapter file: "faults[0]", "answers[1]".
    key: str = ""

    def __str__(self) -> str:
        return f"{self.key} (when {self.rule.when}) -> {self.rule.code}"

    def message(self, context: etree._Element, fallback: str) -> str:
        """What the client is told: message_from's text when there is any, else the rule's message, else fallback."""
        said = plain_text(str(self.message_from(context))) if self.message_from is not None else ""
        text = said or self.rule.message or fallback
        for secret in self.secrets:
            text = text.replace(secret, HIDDEN)
        return text


def compile_rules(adapter: AdapterConfig) -> tuple[CompiledRule, ...]:
    """The adapter's [[faults]], in order."""
    return tuple(_compile(adapter, f"faults[{index}]", rule) for index, rule in enumerate(adapter.faults))


def compile_answer_rules(adapter: AdapterConfig) -> tuple[CompiledRule, ...]:
    """The adapter's [[answers]], in order."""
    return tuple(_compile(adapter, f"answers[{index}]", rule) for index, rule in enumerate(adapter.answers))


def answer_rules_of(rules: Sequence[CompiledRule], operation: str) -> tuple[CompiledRule, ...]:
    """The answer rules that test the legacy answers of one canonical operation."""
    return tuple(
        compiled
        for compiled in rules
        if not isinstance(compiled.rule, AnswerRule)
        or not compiled.rule.operations
        or operation in compiled.rule.operations
    )


def translate(fault: LegacyFault, rules: Sequence[CompiledRule], system: str) -> SoapbridgeError:
    """The canonical error for a legacy fault: the first matching rule's, else UpstreamFault."""
    compiled = matching_rule(fault, rules)
    if compiled is not None:
        message = compiled.message(fault.element, fault.message)
        return _error(compiled.rule.code, message, system, fault.code, fault.message)
    return UpstreamFault(
        f"{system} answered with a fault that soapbridge does not map",
        system=system,
        code=fault.code,
        detail=fault.message,
    )


def matching_rule(fault: LegacyFault, rules: Sequence[CompiledRule]) -> CompiledRule | None:
    """The first rule whose test holds on the fault, if any."""
    return next((compiled for compiled in rules if compiled.test(fault.element)), None)


def refuse_answer(answer: etree._Element, rules: Sequence[CompiledRule], system: str) -> None:
    """Raise the canonical error of the first answer rule that holds on an ordinary legacy answer, if any."""
    for compiled in rules:
        if compiled.test(answer):
            error = _error(compiled.rule.code, compiled.message(answer, ""), system, "", None)
            error.rule = str(compiled)
            raise error


def _error(code: str, message: str, system: str, legacy_code: str, legacy_message: str | None) -> SoapbridgeError:
    if code == "NotFound":
        return NotFoundError(message, system=system)
    if code == "InvalidRequest":
        return RequestError(message, system=system)
    if code == "Conflict":
        return ConflictError(message, system=system)
    if code == "UpstreamTimeout":
        return UpstreamTimeout(message, system=system)
    if code == "UpstreamUnavailable":
        return UpstreamUnavailable(message, system=system)
    return UpstreamFault(message, system=system, code=legacy_code, detail=legacy_message)


def _compile(adapter: AdapterConfig, key: str, rule: FaultRule) -> CompiledRule:
    test = _xpath(adapter, f"{key}.when", f"boolean({rule.when})", rule.when)
    message_from = None
    if rule.message_from is not None:
        message_from = _xpath(adapter, f"{key}.message_from", f"string({rule.message_from})", rule.message_from)
    secrets = tuple(p.value for p in adapter.parameters.values() if p.secret and p.value)
    return CompiledRule(rule, test, message_from, secrets, key)


def _xpath(adapter: AdapterConfig, key: str, wrapped: str, given: str) -> etree.XPath:
    """An expression compiled alone first, so that "a) or (b" cannot pass inside the wrapping function."""
    try:
        etree.XPath(given, namespaces=adapter.namespaces)
        compiled = etree.XPath(wrapped, namespaces=adapter.namespaces)
        compiled(etree.Element("probe"))  # an unknown prefix or function only shows when evaluated
    except etree.XPathError as exc:
        raise ConfigError(f"not a valid XPath 1.0 expression: {exc}", file=str(adapter.file), key=key) from exc
    return compiled
