"""The canonical contract: the canonical XSD, compiled once, and the operations it defines.

An operation Op exists when the XSD has a top-level element Op and an element OpResponse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ._perthread import PerThread
from .errors import ConfigError, ValidationError, XmlError
from .xmlparse import parse_file

FAULT_ELEMENT = "GatewayFault"
_CLARK = re.compile(r"\{[^{}\s]*:[^{}\s]*\}")
_ELEMENT_PREFIX = re.compile(r"^Element '([^']*)'(?:, attribute '([^']*)')?: ")
_FACET = re.compile(r"\[facet '[^']*'\] ")


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
        schema = self._schema.get()
        if schema.validate(element):
            return
        errors = list(schema.error_log)
        first = errors[0]
        raise ValidationError(describe(first.message), path=plain_path(first.path), line=first.line)

    def _compile(self) -> etree.XMLSchema:
        try:
            return etree.XMLSchema(self.document)
        except etree.XMLSchemaParseError as exc:
            raise ConfigError(f"the canonical XSD does not compile: {exc}", file=str(self.path)) from exc


def describe(message: str) -> str:
    """libxml2's validation message in plain words: local names, no facet tags, no codes."""
    match = _ELEMENT_PREFIX.match(message)
    text = _FACET.sub("", message[match.end() :] if match else message)
    text = _CLARK.sub("", text).strip().rstrip(".")
    if match:
        name = _CLARK.sub("", match.group(1)) + (f"/@{match.group(2)}" if match.group(2) else "")
        return f"{name}: {text[:1].lower()}{text[1:]}"
    return text


def plain_path(path: str | None) -> str | None:
    """An XPath from libxml2 (/cn:GetCustomer/cn:customerId) without prefixes."""
    if not path:
        return None
    return re.sub(r"(?<=/)[\w.\-]+:", "", path)


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
