"""Stylesheets: parsed and compiled at start-up, run on lxml trees, with errors that name them."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lxml import etree

from .._perthread import PerThread
from ..errors import MappingError, XmlError
from ..xmlparse import make_parser, parse_bytes, parse_file

XSL = "http://www.w3.org/1999/XSL/Transform"
#: Stylesheets may not read or write files, nor reach the network.
ACCESS = etree.XSLTAccessControl.DENY_ALL
#: libxslt's log entries that carry the stylesheet line of the failing instruction.
_LOCATED = ("runtime error", "compilation error")
#: What libxslt logs when the access control stops document(), exsl:document and the like.
_DENIED = (" rights for ", "refused")
DENIED_MESSAGE = "the stylesheet tried to read or write a file or reach the network, which stylesheets may not do"


class Stylesheet:
    """An XSLT 1.0 stylesheet of an adapter, applied to a canonical or legacy body."""

    def __init__(self, path: Path, label: str, folder: Path | None = None) -> None:
        """folder is where xsl:include and xsl:import may read from (default: the stylesheet's own folder)."""
        self.path = path
        self.label = label
        self._document = _load(path, label, (folder or path.parent).resolve())
        #: The names of the top-level xsl:params, which the engine fills from the request.
        self.params = frozenset(p.get("name", "") for p in self._document.getroot().iterchildren(f"{{{XSL}}}param"))
        self._compiled = PerThread(self._compile)
        #: The adapter's parameters that the stylesheet declares, quoted once (with_parameters).
        self._fixed: dict[str, Any] = {}

    def with_parameters(self, parameters: Mapping[str, str]) -> Stylesheet:
        """The same compiled stylesheet, also given an adapter's parameters (those it declares as xsl:params).

        They are quoted here, once, and win over a request field of the same name.
        """
        bound = copy.copy(self)
        bound._fixed = {name: etree.XSLT.strparam(value) for name, value in parameters.items() if name in self.params}
        return bound

    def apply(self, source: etree._Element, params: Mapping[str, str] | None = None) -> etree._Element:
        """Run the stylesheet on source and return the single element it produced."""
        transform = self._compiled.get()
        quoted = {name: etree.XSLT.strparam(value) for name, value in (params or {}).items() if name in self.params}
        quoted |= self._fixed
        try:
            result = transform(source, **quoted)
        except etree.XSLTApplyError as exc:
            raise self._error(transform.error_log, str(exc)) from exc
        root = result.getroot()
        if root is None:
            raise MappingError(f"{self.label} produced no element", stylesheet=self.label)
        return root

    def _compile(self) -> etree.XSLT:
        try:
            return etree.XSLT(self._document, access_control=ACCESS)
        except etree.XSLTParseError as exc:
            raise self._error(exc.error_log, str(exc)) from exc

    def _error(self, log: etree._ListErrorLog, fallback: str) -> MappingError:
        entries = [entry for entry in log if entry.message.strip()]
        if any(marker in entry.message for entry in entries for marker in _DENIED):
            line = next((entry.line for entry in entries if entry.message.startswith(_LOCATED)), None)
            prefix = f"{self.label}, line {line}" if line else self.label
            return MappingError(f"{prefix}: {DENIED_MESSAGE}", stylesheet=self.label, line=line)
        if not entries:
            return MappingError(f"{self.label}: {fallback}", stylesheet=self.label)
        located = [entry for entry in entries if entry.message.startswith(_LOCATED)]
        if not located:  # xsl:message terminate="yes" leaves nothing in the log but its own words
            message = entries[-1].message.strip()
            line = _terminating_message_line(self._document, message)
            return MappingError(message, stylesheet=self.label, line=line, terminated=True)
        line, message = _cause(entries, located)
        prefix = f"{self.label}, line {line}" if line else self.label
        return MappingError(f"{prefix}: {message}", stylesheet=self.label, line=line)


def _cause(entries: list[etree._LogEntry], located: list[etree._LogEntry]) -> tuple[int | None, str]:
    """The line and message that explain a failure: a compilation's first error, a run's last."""
    if located[0].message.startswith("compilation error"):
        first = entries.index(located[0])
        following = entries[first + 1 : first + 2]
        return located[0].line or None, (following or located)[0].message.strip()
    last = entries[-1].message.strip()
    # libxslt's last word is often generic ("Failed to evaluate ..."); its first says why
    first = next((e.message.strip() for e in entries if not e.message.startswith(_LOCATED)), last)
    return located[-1].line or None, last if first == last else f"{last} ({first.rstrip('.')})"


def _terminating_message_line(document: etree._ElementTree, message: str) -> int | None:
    """The line of the xsl:message terminate="yes" that said message, when only one could have."""
    said = " ".join(message.split())
    candidates = [
        element
        for element in document.iter(f"{{{XSL}}}message")
        if element.get("terminate") == "yes" and _could_say(element, said)
    ]
    return candidates[0].sourceline if len(candidates) == 1 else None


def _could_say(element: etree._Element, said: str) -> bool:
    """True when the literal text of an xsl:message appears, in order, in what was said."""
    position = 0
    for text in element.xpath("text()"):
        literal = " ".join(str(text).split())
        found = said.find(literal, position) if literal else position
        if found < 0:
            return False
        position = found + len(literal)
    return True


def _load(path: Path, label: str, folder: Path) -> etree._ElementTree:
    """The stylesheet, parsed so that the includes libxslt reads while compiling come from folder only.

    The access control guards document() and exsl:document at run time, but xsl:include and
    xsl:import are read by libxslt's loader at compile time, which it does not guard.
    """
    try:
        parse_file(path, what=label)  # refuses a DOCTYPE, and says where the XML is malformed
        data = path.read_bytes()
    except XmlError as exc:
        raise MappingError(exc.message, stylesheet=label, line=exc.sourceline) from exc
    parser = make_parser()
    parser.resolvers.add(_LocalIncludes(folder, label))
    return etree.ElementTree(etree.fromstring(data, parser, base_url=path.resolve().as_uri()))


class _LocalIncludes(etree.Resolver):  # type: ignore[misc]
    """Resolves xsl:include and xsl:import to files under one folder, through the hardened parser; refuses the rest."""

    def __init__(self, folder: Path, label: str) -> None:
        super().__init__()
        self.folder = folder
        self.label = label

    def resolve(self, url: str | None, public_id: str | None, context: object) -> object:
        path = _local_file(url or "")
        if path is None or not path.is_relative_to(self.folder):
            raise MappingError(
                f"{self.label}: refusing to include {url}: only files under {self.folder.name}/ may be included",
                stylesheet=self.label,
            )
        try:
            data = path.read_bytes()
            parse_bytes(data, what=f"included stylesheet {path.name}")
        except OSError as exc:
            raise MappingError(f"{self.label}: cannot read {path.name}: {exc.strerror}", stylesheet=self.label) from exc
        except XmlError as exc:
            raise MappingError(f"{self.label}: {exc.message}", stylesheet=self.label) from exc
        return self.resolve_string(data, context, base_url=path.as_uri())


def _local_file(url: str) -> Path | None:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path)).resolve()
    return Path(url).resolve() if not parsed.scheme else None
