"""Adapter fault rules: which legacy SOAP faults mean which canonical fault."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from ..config import AdapterConfig, FaultRule
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
from .envelope import LegacyFault


@dataclass(frozen=True)
class CompiledRule:
    rule: FaultRule
    test: etree.XPath


def compile_rules(adapter: AdapterConfig) -> tuple[CompiledRule, ...]:
    return tuple(_compile(adapter, index, rule) for index, rule in enumerate(adapter.faults))


def translate(fault: LegacyFault, rules: Sequence[CompiledRule], system: str) -> SoapbridgeError:
    """The canonical error for a legacy fault: the first matching rule's, else UpstreamFault."""
    compiled = matching_rule(fault, rules)
    if compiled is not None:
        return _error(compiled.rule.code, compiled.rule.message or fault.message, system, fault)
    return UpstreamFault(
        f"{system} answered with a fault that soapbridge does not map",
        system=system,
        code=fault.code,
        detail=fault.message,
    )


def matching_rule(fault: LegacyFault, rules: Sequence[CompiledRule]) -> CompiledRule | None:
    """The first rule whose test holds on the fault, if any."""
    return next((compiled for compiled in rules if compiled.test(fault.element)), None)


def _error(code: str, message: str, system: str, fault: LegacyFault) -> SoapbridgeError:
    if code == "NotFound":
        return NotFoundError(message, system=system)
    if code == "InvalidRequest":
        return RequestError(message)
    if code == "Conflict":
        return ConflictError(message, system=system)
    if code == "UpstreamTimeout":
        return UpstreamTimeout(message, system=system)
    if code == "UpstreamUnavailable":
        return UpstreamUnavailable(message, system=system)
    return UpstreamFault(message, system=system, code=fault.code, detail=fault.message)


def _compile(adapter: AdapterConfig, index: int, rule: FaultRule) -> CompiledRule:
    try:
        test = etree.XPath(f"boolean({rule.when})", namespaces=adapter.namespaces)
        test(etree.Element("probe"))  # an unknown prefix or function only shows when evaluated
    except etree.XPathError as exc:
        raise ConfigError(
            f"not a valid XPath expression: {exc}", file=str(adapter.file), key=f"faults[{index}].when"
        ) from exc
    return CompiledRule(rule, test)
