"""Schema validation that reports every problem: line, column, element path and a plain reason.

libxml2 (through lxml) gives the verdict, so verdicts agree with xmllint. Its error log names
elements by position (/*/*[2]); each is turned back into the element, then into a path of
local names from the document root (/Envelope/Body/GetCustomer/customerId).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

_CLARK = re.compile(r"\{[^{}]*\}")
_ELEMENT_PREFIX = re.compile(r"^Element '([^']*)'(?:, attribute '([^']*)')?: ")
_FACET = re.compile(r"\[facet '[^']*'\] ")
_STEP = re.compile(r"^(?:[^\[\]/]*:)?([^\[\]/:]+)(?:\[(\d+)\])?$")


@dataclass(frozen=True)
class Problem:
    """One reason a document is not valid, located in its source."""

    reason: str
    line: int | None = None
    column: int | None = None
    path: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "path": self.path, "reason": self.reason}


def schema_problems(schema: etree.XMLSchema, element: etree._Element) -> list[Problem]:
    """Every problem libxml2 finds in element (a document root or any element in it); [] when valid."""
    if schema.validate(element):
        return []
    return [_problem(entry, element) for entry in schema.error_log]


def describe(message: str) -> str:
    """libxml2's validation message in plain words: local names, no facet tags, no codes."""
    match = _ELEMENT_PREFIX.match(message)
    text = _FACET.sub("", message[match.end() :] if match else message)
    text = _CLARK.sub("", text).strip().rstrip(".")
    if match:
        name = _CLARK.sub("", match.group(1)) + (f"/@{match.group(2)}" if match.group(2) else "")
        return f"{name}: {text[:1].lower()}{text[1:]}"
    return text


def element_path(element: etree._Element) -> str:
    """/Envelope/Body/Item[2]/id: local names from the root, with a position where a name repeats."""
    steps = []
    node: etree._Element | None = element
    while node is not None:
        steps.append(_step(node))
        node = node.getparent()
    return "/" + "/".join(reversed(steps))


def column_of(element: etree._Element, source: bytes | None) -> int | None:
    """The 1-based column where element's start tag opens, found in the source text; None if unknown."""
    line = element.sourceline
    if source is None or line is None:
        return None
    lines = source.splitlines()
    if line > len(lines):
        return None
    name = (f"{element.prefix}:" if element.prefix else "") + etree.QName(element).localname
    starts = [m.start() for m in re.finditer(rb"<" + re.escape(name.encode()) + rb"[\s/>]", lines[line - 1])]
    before = sum(
        1
        for other in element.itersiblings(preceding=True)
        if other.sourceline == line and other.tag == element.tag
    ) + sum(1 for parent in element.iterancestors() if parent.sourceline == line and parent.tag == element.tag)
    return starts[before] + 1 if before < len(starts) else None


def _problem(entry: etree._LogEntry, root: etree._Element) -> Problem:
    found = _resolve(root, entry.path)
    path = element_path(found) if found is not None else entry.path
    attribute = _ELEMENT_PREFIX.match(entry.message)
    if attribute and attribute.group(2) and path:
        path += f"/@{_CLARK.sub('', attribute.group(2))}"
    line = found.sourceline if found is not None and found.sourceline else entry.line or None
    column = entry.column or None
    return Problem(describe(entry.message), line, column, path)


def _resolve(root: etree._Element, path: str | None) -> etree._Element | None:
    """The element a libxml2 path (/*/*[2]/x:name[3]) points at, counted from root."""
    if not path or not path.startswith("/"):
        return None
    steps = path[1:].split("/")
    node = root
    for step in steps[1:]:
        match = _STEP.match(step)
        if match is None:
            return None
        name, index = match.group(1), int(match.group(2) or 1)
        children = [c for c in node if isinstance(c.tag, str) and (name == "*" or etree.QName(c).localname == name)]
        if index > len(children):
            return None
        node = children[index - 1]
    return node


def _step(element: etree._Element) -> str:
    name: str = etree.QName(element).localname
    parent = element.getparent()
    if parent is None:
        return name
    same = [c for c in parent if c.tag == element.tag]
    return name if len(same) == 1 else f"{name}[{same.index(element) + 1}]"
