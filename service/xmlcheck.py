"""Schema validation that reports every problem: line, column, element path and a plain reason.

libxml2 (through lxml) gives the verdict, so verdicts agree with xmllint. Its error log names
elements by position (/*/*[2]); each is turned back into the element, then into a path of
local names from the document root (/Envelope/Body/GetCustomer/customerId).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

# A namespace URI is absolute (scheme:...), which keeps regex quantifiers ({0,9}) and
# enumeration sets ({'a', 'b'}) in libxml2's messages from being taken for Clark names.
_CLARK = re.compile(r"\{[A-Za-z][A-Za-z0-9+.\-]*:[^{}\s]*\}")
_ELEMENT_PREFIX = re.compile(r"^Element '([^']*)'(?:, attribute '([^']*)')?: ")
_EXPECTED = re.compile(r"Expected is (?:one of )?\( (.*) \)")
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
    locator = Locator()
    return [_problem(entry, element, locator) for entry in schema.error_log]


def describe(message: str) -> str:
    """libxml2's validation message in plain words: local names, no facet tags, no codes."""
    match = _ELEMENT_PREFIX.match(message)
    text = _FACET.sub("", message[match.end() :] if match else message)
    text = _CLARK.sub("", text).strip().rstrip(".")
    if match:
        name = _CLARK.sub("", match.group(1)) + (f"/@{match.group(2)}" if match.group(2) else "")
        return f"{name}: {text[:1].lower()}{text[1:]}{_namespace_hint(match.group(1), message)}"
    return text


def _namespace_hint(found: str, message: str) -> str:
    """When the expected name is the found one in another namespace, local names alone would hide why."""
    expected = _EXPECTED.search(message)
    for name in expected.group(1).split(", ") if expected else ():
        if name != found and _split(name)[1] == _split(found)[1]:
            return f" (found in {_namespace_of(found)}, expected in {_namespace_of(name)})"
    return ""


def _split(clark: str) -> tuple[str, str]:
    """(namespace, local name) of a Clark name as libxml2 writes it; no validation, as it may hold wildcards."""
    if clark.startswith("{") and "}" in clark:
        namespace, _, local = clark[1:].partition("}")
        return namespace, local
    return "", clark


def _namespace_of(clark: str) -> str:
    namespace = _split(clark)[0]
    return f"the namespace {namespace}" if namespace else "no namespace"


def element_path(element: etree._Element) -> str:
    """/Envelope/Body/Item[2]/id: local names from the root, with a position where a name repeats."""
    return Locator().path(element)


class Locator:
    """Writes element paths and finds elements by path, listing each parent's children only once.

    Thousands of problems among thousands of siblings then cost one pass over them, not one each.
    """

    def __init__(self) -> None:
        self._children: dict[etree._Element, _Children] = {}

    def path(self, element: etree._Element) -> str:
        """element_path(element)."""
        steps = []
        node: etree._Element | None = element
        while node is not None:
            parent = node.getparent()
            steps.append(_local(node) if parent is None else self._of(parent).step(node))
            node = parent
        return "/" + "/".join(reversed(steps))

    def find(self, root: etree._Element, path: str | None) -> etree._Element | None:
        """The element a path names, counted from root (its first step): a libxml2 path (/*/*[2]/x:name[3])
        or an element_path (/Envelope/Body/item[2]/id); a last step naming an attribute (@id) is ignored."""
        if not path or not path.startswith("/"):
            return None
        node = root
        for step in path[1:].split("/")[1:]:
            if step.startswith("@"):
                break
            match = _STEP.match(step)
            found = self._of(node).named(match.group(1), int(match.group(2) or 1)) if match else None
            if found is None:
                return None
            node = found
        return node

    def _of(self, parent: etree._Element) -> _Children:
        if parent not in self._children:
            self._children[parent] = _Children(parent)
        return self._children[parent]


class _Children:
    """One element's child elements, by local name and by tag, with each one's position among its namesakes."""

    def __init__(self, parent: etree._Element) -> None:
        self.all = list(parent.iterchildren(etree.Element))
        self.by_local: dict[str, list[etree._Element]] = {}
        self.by_tag: dict[str, list[etree._Element]] = {}
        self.position: dict[etree._Element, int] = {}
        for child in self.all:
            self.by_local.setdefault(_local(child), []).append(child)
            namesakes = self.by_tag.setdefault(child.tag, [])
            namesakes.append(child)
            self.position[child] = len(namesakes)

    def step(self, child: etree._Element) -> str:
        name = _local(child)
        return name if len(self.by_tag[child.tag]) == 1 else f"{name}[{self.position[child]}]"

    def named(self, name: str, index: int) -> etree._Element | None:
        candidates = self.all if name == "*" else self.by_local.get(name, [])
        return candidates[index - 1] if index <= len(candidates) else None


def _local(element: etree._Element) -> str:
    local: str = etree.QName(element).localname
    return local


def columns_of(elements: list[etree._Element], source: bytes | None) -> dict[etree._Element, int]:
    """The 1-based column where each element's start tag opens, found in one pass over the source text."""
    if source is None or not elements:
        return {}
    lines = source.splitlines()
    wanted = {line for element in elements if (line := element.sourceline) and line <= len(lines)}
    starts: dict[tuple[int, str], list[int]] = {}
    columns: dict[etree._Element, int] = {}
    # Start tags open in document order, so an element is the n-th tag of its name on its line.
    for other in elements[0].getroottree().iter(etree.Element):
        line = other.sourceline
        if line not in wanted:
            continue
        name = _source_name(other)
        key = (line, name)
        if key not in starts:
            pattern = rb"<" + re.escape(name.encode()) + rb"[\s/>]"
            starts[key] = [m.start() + 1 for m in re.finditer(pattern, lines[line - 1])]
        if starts[key]:
            columns[other] = starts[key].pop(0)
    return columns


def _source_name(element: etree._Element) -> str:
    return f"{element.prefix}:{_local(element)}" if element.prefix else _local(element)


def _problem(entry: etree._LogEntry, root: etree._Element, locator: Locator) -> Problem:
    found = locator.find(root, entry.path)
    path = locator.path(found) if found is not None else entry.path
    attribute = _ELEMENT_PREFIX.match(entry.message)
    if attribute and attribute.group(2) and path:
        path += f"/@{_CLARK.sub('', attribute.group(2))}"
    line = found.sourceline if found is not None and found.sourceline else entry.line or None
    column = entry.column or None
    return Problem(describe(entry.message), line, column, path)
