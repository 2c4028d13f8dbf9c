"""The canonical contract: the canonical XSD, compiled once, and the operations it defines.

An operation Op exists when the XSD, or a per-system module it includes, has a top-level element Op and
an element OpResponse.
Op's effect on the legacy system is read from <xs:appinfo source="urn:soapbridge:effect"> on
Op: "read" or "write"; an operation that says nothing is a write, the safe assumption.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ._perthread import PerThread
from .canonicalmodules import assemble
from .errors import ConfigError, ValidationError, XmlError
from .xmlcheck import schema_problems
from .xmlparse import parse_file

FAULT_ELEMENT = "GatewayFault"
#: The optional SOAP header block that carries an idempotency key for a write operation.
KEY_ELEMENT = "IdempotencyKey"
#: The optional SOAP header block that carries the correlation id, sent by a client that wants it answered.
CORRELATION_ELEMENT = "CorrelationID"
XSD = "http://www.w3.org/2001/XMLSchema"
EFFECT_SOURCE = "urn:soapbridge:effect"
EFFECTS = ("read", "write")


@dataclass(frozen=True)
class Operation:
    """A canonical operation: its name, the Clark names of its request and response elements, its effect."""

    name: str
    request: str
    response: str
    #: True when the operation only reads ("read" effect): retrying it cannot change anything.
    read_only: bool = False


class Contract:
    """The compiled canonical XSD and the operations it publishes."""

    def __init__(self, xsd: Path) -> None:
        self.path = xsd
        self.document = _load(xsd)
        self.namespace = self.document.getroot().get("targetNamespace", "")
        self._schema = PerThread(self._compile)
        self.operations = _operations(self.document.getroot(), self.namespace)

    def operation_for(self, tag: str) -> Operation | None:
        """The operation whose request element has this Clark name."""
        if not tag.startswith(f"{{{self.namespace}}}"):
            return None
        operation = self.operations.get(etree.QName(tag).localname)
        return operation if operation and operation.request == tag else None

    def validate(self, element: etree._Element) -> None:
        """Raise ValidationError, naming the first offending element, unless element is valid."""
        problems = schema_problems(self._schema.get(), element)
        if problems:
            first = problems[0]
            raise ValidationError(first.reason, path=first.path, line=first.line)

    def _compile(self) -> etree.XMLSchema:
        try:
            return etree.XMLSchema(self.document)
        except etree.XMLSchemaParseError as exc:
            raise ConfigError(f"the canonical XSD does not compile: {exc}", file=str(self.path)) from exc


def _load(xsd: Path) -> etree._ElementTree:
    """The canonical XSD, with the per-system modules it includes in place (canonicalmodules.py)."""
    try:
        document = parse_file(xsd, what="the canonical XSD")
    except XmlError as exc:
        raise ConfigError(exc.message, file=str(xsd)) from exc
    return assemble(xsd, document)


def _operations(schema: etree._Element, namespace: str) -> dict[str, Operation]:
    elements = {element.get("name"): element for element in schema.iterchildren(f"{{{XSD}}}element")}
    return {
        name: Operation(
            name, f"{{{namespace}}}{name}", f"{{{namespace}}}{name}Response", _effect(elements[name]) == "read"
        )
        for name in sorted(n for n in elements if n and f"{n}Response" in elements)
    }


def _effect(element: etree._Element) -> str:
    for appinfo in element.iterfind(f"{{{XSD}}}annotation/{{{XSD}}}appinfo"):
        if appinfo.get("source") == EFFECT_SOURCE:
            effect = (appinfo.text or "").strip()
            if effect not in EFFECTS:
                raise ConfigError(
                    f"{element.get('name')}: the effect must be read or write, not {effect!r}", key="xs:appinfo"
                )
            return effect
    return "write"
