"""Canned responses for the mock: DIR/<Operation>*.xml, chosen by an optional index.toml.

A response file holds the Body's element, or a whole envelope. For an operation, the files
are DIR/<Operation>.xml and DIR/<Operation><sep>....xml, where <sep> is not a letter or digit
(GetCustomer.blocked.xml, GetCustomer_2.xml; GetCustomerAccount.xml is another operation's).
The first in name order that no index rule names is the default.

DIR/index.toml picks a file by XPath 1.0 on the request envelope; rules are tried in order:

    [namespaces]                       # optional: prefixes for the XPath expressions
    c = "urn:example:crm"

    [[GetCustomer]]                    # an operation's rules, in order
    when = "//*[local-name()='customerId'] = '1002'"
    file = "GetCustomer.blocked.xml"

    [[response]]                       # the same, with the operation named inside
    operation = "postPayment"
    file = "postPayment.rejected.xml"  # no `when`: always, ahead of the default
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from .._toml import Table
from ..errors import ConfigError
from ..namespaces import ENVELOPE_BY_VERSION
from ..soapenv import envelope as soap_envelope
from ..soapenv import open_envelope, serialize
from ..xmlparse import parse_file

INDEX = "index.toml"


@dataclass(frozen=True)
class Rule:
    operation: str
    file: Path
    when: etree.XPath | None = None
    key: str = ""


@dataclass(frozen=True)
class Canned:
    """A response read from a file: the envelope to send, and whether its Body is a fault."""

    envelope: bytes
    fault: bool


class Responses:
    def __init__(self, folder: Path, rules: list[Rule]) -> None:
        self.folder = folder
        self.rules = rules
        self._conditional = {rule.file for rule in rules}

    @classmethod
    def load(cls, folder: Path, operations: set[str]) -> Responses:
        """The folder's index, checked: every rule's operation, file and XPath; ConfigError names the key."""
        index = folder / INDEX
        return cls(folder, _rules(Table.load(index), folder, operations) if index.is_file() else [])

    def choose(self, operation: str, request: etree._Element) -> Path | None:
        """The file answering this request to operation, or None when the folder has none."""
        for rule in self.rules:
            if rule.operation == operation and (rule.when is None or _holds(rule, request)):
                return rule.file
        files = (path for path in sorted(self.folder.glob("*.xml")) if _answers(path.name, operation))
        return next((path for path in files if path.resolve() not in self._conditional), None)

    def answer(self, operation: str, request: etree._Element, version: str) -> Canned | None:
        path = self.choose(operation, request)
        return _canned(path, version) if path is not None else None


def _answers(file_name: str, operation: str) -> bool:
    stem = file_name[: -len(".xml")]
    return stem == operation or (stem.startswith(operation) and not stem[len(operation)].isalnum())


def _canned(path: Path, version: str) -> Canned:
    """The file as an envelope of the port's version: sent as written when it already is one."""
    root = parse_file(path, what=f"response file {path.name}").getroot()
    opened = open_envelope(root)
    if opened is not None and opened[0] == version:
        envelope, body = root, opened[1]
    else:  # a bare Body element, or an envelope of the other SOAP version: its Body moves to ours
        children = list(opened[1].iterchildren(etree.Element)) if opened is not None else [root]
        envelope = soap_envelope(version, children, prefix="soapenv")
        body = envelope[0]
    first = next(body.iterchildren(etree.Element), None)
    fault = first is not None and first.tag in {f"{{{ns}}}Fault" for ns in ENVELOPE_BY_VERSION.values()}
    return Canned(serialize(envelope), fault)


def _holds(rule: Rule, request: etree._Element) -> bool:
    assert rule.when is not None
    try:
        result: Any = rule.when(request)
    except etree.XPathError as exc:
        raise ConfigError(f"cannot be evaluated: {exc}", file=str(rule.file.parent / INDEX), key=rule.key) from exc
    if isinstance(result, list):
        return bool(result)
    if isinstance(result, float):
        return result == result and result != 0  # NaN is false, as in XPath's boolean()
    return bool(result)


def _rules(index: Table, folder: Path, operations: set[str]) -> list[Rule]:
    namespaces = _namespaces(index)
    rules: list[Rule] = []
    for name, _ in index.items():
        if name == "namespaces":
            continue
        for table in index.tables(name):
            rules.append(_rule(table, name, folder, operations, namespaces))
    return rules


def _namespaces(index: Table) -> dict[str, str]:
    table = index.table("namespaces")
    if table is None:
        return {}
    return {prefix: table.require(prefix, str, "a namespace URI") for prefix, _ in table.items()}


def _rule(table: Table, name: str, folder: Path, operations: set[str], namespaces: dict[str, str]) -> Rule:
    table.only("operation", "when", "file") if name == "response" else table.only("when", "file")
    operation = table.require("operation", str, "an operation name") if name == "response" else name
    if operation not in operations:
        message = f"unknown operation {operation}; the mocked ones: {', '.join(sorted(operations))}"
        if name == "response":
            raise table.error("operation", message)
        raise ConfigError(message, file=table.file, key=name)
    file = (folder / table.require("file", str, "a file name in the responses folder")).resolve()
    if not file.is_relative_to(folder.resolve()) or not file.is_file():
        raise table.error("file", f"no file {file.name} in {folder}")
    when = table.text("when", "an XPath 1.0 expression")
    return Rule(operation, file, _xpath(table, when, namespaces) if when is not None else None, table.key("when"))


def _xpath(table: Table, expression: str, namespaces: dict[str, str]) -> etree.XPath:
    try:
        return etree.XPath(expression, namespaces=namespaces)
    except etree.XPathSyntaxError as exc:
        raise table.error("when", f"not a valid XPath expression: {exc}") from exc
