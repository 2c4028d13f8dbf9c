"""Stylesheets: parsed and compiled at start-up, run on lxml trees, with errors that name them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from lxml import etree

from .._perthread import PerThread
from ..errors import MappingError, XmlError
from ..xmlparse import parse_file

XSL = "http://www.w3.org/1999/XSL/Transform"
#: Stylesheets may not read or write files, nor reach the network.
ACCESS = etree.XSLTAccessControl.DENY_ALL


class Stylesheet:
    """An XSLT 1.0 stylesheet of an adapter, applied to a canonical or legacy body."""

    def __init__(self, path: Path, label: str) -> None:
        self.path = path
        self.label = label
        self._document = _load(path, label)
        #: The names of the top-level xsl:params, which the engine fills from the request.
        self.params = frozenset(p.get("name", "") for p in self._document.getroot().iterchildren(f"{{{XSL}}}param"))
        self._compiled = PerThread(self._compile)

    def apply(self, source: etree._Element, params: Mapping[str, str] | None = None) -> etree._Element:
        """Run the stylesheet on source and return the single element it produced."""
        transform = self._compiled.get()
        quoted = {name: etree.XSLT.strparam(value) for name, value in (params or {}).items() if name in self.params}
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
        runtime = [entry for entry in entries if entry.message.startswith("runtime error")]
        message = entries[-1].message.strip() if entries else fallback
        line = runtime[-1].line if runtime else None
        if runtime or not entries:
            message = f"{self.label}" + (f", line {line}" if line else "") + f": {message}"
        return MappingError(message, stylesheet=self.label, line=line, terminated=bool(entries) and not runtime)


def _load(path: Path, label: str) -> etree._ElementTree:
    try:
        return parse_file(path, what=label)
    except XmlError as exc:
        raise MappingError(exc.message, stylesheet=label, line=exc.sourceline) from exc
