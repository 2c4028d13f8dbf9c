"""The canonical contract: the canonical XSD, compiled once, and the operations it defines.

An operation Op exists when the XSD has a top-level element Op and an element OpResponse.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ._perthread import PerThread
from .errors import ConfigError, ValidationError, XmlError
from .xmlcheck import schema_problems
from .xmlparse import parse_file

FAULT_ELEMENT = "GatewayFault"


@dataclass(frozen=True)
class Operation:
    """A canonical operation: its name and the Clark names of its request and response elements."""

    name: str
    request: str
    response: str


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
    try:
        return parse_file(xsd, what="the canonical XSD")
    except XmlError as exc:
        raise ConfigError(exc.message, file=str(xsd)) from exc


def _operations(schema: etree._Element, namespace: str) -> dict[str, Operation]:
    names = {element.get("name") for element in schema.iterchildren("{http://www.w3.org/2001/XMLSchema}element")}
    return {
        name: Operation(name, f"{{{namespace}}}{name}", f"{{{namespace}}}{name}Response")
        for name in sorted(n for n in names if n and f"{n}Response" in names)
    }
