"""The one hardened way soapbridge parses XML: messages, WSDLs, schemas and stylesheets.

No DTD is loaded or honoured, no entity is resolved, nothing is fetched from the network,
no XInclude is processed, and a document that carries a DOCTYPE is refused outright (SOAP 1.2
and WS-I BP R1008 forbid DTDs in messages; we apply the same rule to every file we read).

Nesting depth, attributes and namespace declarations per element, and name length are checked right after the parse,
before anything else (schema validation, a stylesheet) looks at the document; libxml2's own
ceilings, hit first on a truly hostile document, are reported in the same words as ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from .errors import XmlError
from .settings import Limits

_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_pis": True,
}
#: A DOCTYPE before the root element, after an optional BOM, declaration, comments and PIs: refused unparsed.
#: Atomic: a comment or PI ends at its first end mark, never backtracked past it (a prolog of 30 comments
#: without a DOCTYPE took minutes, and any answer paid a scan of the whole document).
_DOCTYPE = re.compile(rb"(?:\xef\xbb\xbf)?(?>\s+|<\?.*?\?>|<!--.*?-->)*+<!DOCTYPE", re.DOTALL)
#: libxml2's advice to the programmer that some messages end with ("see xmlCtxt...", "use XML_PARSE_HUGE").
#: The encodings in which "xmlns" is those five bytes, so counting them bounds the declarations.
_ASCII_COMPATIBLE = frozenset({"UTF-8", "US-ASCII", "ASCII", "ISO-8859-1", "ISO-8859-15", "WINDOWS-1252"})
_ADVICE = re.compile(r",?\s+(?:see|use)\s+(?:xml|XML_)\w*.*$")


def make_parser(*, remove_blank_text: bool = False, target: object | None = None) -> etree.XMLParser:
    """A new parser with every dangerous feature off. Parsers are not thread-safe: make one per use.

    target: a parser target (lxml's start/end/data/close protocol) that sees the events instead of a tree."""
    return etree.XMLParser(remove_blank_text=remove_blank_text, target=target, **_OPTIONS)


def carries_doctype(data: bytes) -> bool:
    """Whether a DOCTYPE comes before the root element: every parse refuses such a document."""
    return _DOCTYPE.match(data) is not None


def check_well_formed(
    data: bytes, label: str, limits: Limits | None = None, *, parser: etree.XMLParser | None = None
) -> None:
    """XmlError unless data is one well-formed document without a DOCTYPE. libxml2 reads all of it and lxml
    builds nothing, so neither the configured depth nor the attribute limits apply, only libxml2's ceilings.

    parser: one from well_formed_parser(), kept by the calling thread (making one costs more than a small read)."""
    if carries_doctype(data):
        raise XmlError(f"{label} carries a DOCTYPE; DTDs are not accepted", reason="doctype")
    try:
        etree.fromstring(data, parser or well_formed_parser())
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc, label, limits or Limits()) from exc


def well_formed_parser() -> etree.XMLParser:
    """A hardened parser that builds nothing, for check_well_formed; one thread's to reuse."""
    return make_parser(target=_NoTree())


class _NoTree:
    """A parser target that takes no events: libxml2 checks the document, and nothing is built."""

    def close(self) -> None:
        return None


def syntax_error(exc: etree.XMLSyntaxError, label: str, limits: Limits) -> XmlError:
    """libxml2's refusal as parse_bytes reports it: "<label> is not well-formed XML: ...", with its reason."""
    message, reason = _reason(exc, limits)
    return XmlError(f"{label} {message}", sourceline=exc.lineno, reason=reason)


def parse_bytes(
    data: bytes, *, what: str = "document", base_url: str | None = None, limits: Limits | None = None
) -> etree._Element:
    """Parse a whole document held in memory and return its root element.

    base_url is where the document came from, so that relative references in it resolve beside it.
    """
    if not data or not data.strip():
        raise XmlError(f"the {what} is empty", reason="empty")
    return _parse(data, f"the {what}", base_url, limits or Limits())


def parse_file(path: Path, *, what: str | None = None, limits: Limits | None = None) -> etree._ElementTree:
    """Parse a local file; its base URL is kept so that relative imports resolve beside it."""
    label = what or str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise XmlError(f"cannot read {label}: {exc.strerror or exc}") from exc
    if not data.strip():
        raise XmlError(f"{label} is empty", reason="empty")
    return _parse(data, label, str(path), limits or Limits()).getroottree()


def _parse(data: bytes, label: str, base_url: str | None, limits: Limits) -> etree._Element:
    if _DOCTYPE.match(data):
        raise XmlError(f"{label} carries a DOCTYPE; DTDs are not accepted", reason="doctype")
    try:
        root = etree.fromstring(data, make_parser(), base_url=base_url)
    except etree.XMLSyntaxError as exc:
        message, reason = _reason(exc, limits)
        raise XmlError(f"{label} {message}", sourceline=exc.lineno, reason=reason) from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise XmlError(f"{label} carries a DOCTYPE; DTDs are not accepted", reason="doctype")
    _check_limits(root, label, limits, data)
    _check_namespaces(data, root, label, limits)
    return root


@dataclass(frozen=True)
class _LimitTests:
    """The XPath tests of one set of limits, compiled once (compiling cost as much as running them on a 1 KB
    answer). A compiled XPath takes a lock of its own while it runs, so the worker's threads can share it."""

    too_deep: etree.XPath
    #: A "<" followed by more bytes than a name may have characters before the next "<".
    long_run: re.Pattern[bytes]
    long_element_name: etree.XPath
    any_attribute: etree.XPath
    too_many_attributes: etree.XPath
    long_attribute_name: etree.XPath


@cache
def _limit_tests(max_depth: int, max_attributes: int, longest: int) -> _LimitTests:
    return _LimitTests(
        etree.XPath(f"boolean({'/*' * (max_depth + 1)})"),
        re.compile(rb"<[^<]{%d}" % (longest + 1)),
        etree.XPath(f"boolean(//*[string-length(local-name()) > {longest}])"),
        etree.XPath("boolean(//@*)"),
        etree.XPath(f"boolean(//*[@*[{max_attributes + 1}]])"),
        etree.XPath(f"boolean(//@*[string-length(local-name()) > {longest}])"),
    )


def _check_limits(root: etree._Element, label: str, limits: Limits, data: bytes) -> None:
    """Depth, attributes and names, each checked in one linear pass.

    libxml2 without huge_tree already stops at 256 levels and 50,000-character names, so the parse
    before this is bounded too; an element with many attributes parses in linear time. The exact XPath
    tests run only where a cheaper bound cannot rule a limit out: no name is longer than the document's
    longest run of bytes without a "<" (ASCII-compatible encodings), an element's local name is no longer
    than its Clark name, and a document without attributes has none too many or too long. (Each XPath name
    test costs about three times the Clark-name bound on a 10 KB legacy answer, which costs ten times the byte
    bound.)
    """
    longest, most = limits.max_name_length, limits.max_attributes
    tests = _limit_tests(limits.max_depth, most, longest)
    if tests.too_deep(root):
        raise XmlError(f"{label} {_too_deep(limits)}", reason="too_deep")
    short_names = _names_within(root, data, tests.long_run)
    if not short_names and _long_tag(root, longest) and tests.long_element_name(root):
        raise XmlError(f"{label} {_too_long(limits)}", reason="name_too_long")
    if not tests.any_attribute(root):
        return
    if tests.too_many_attributes(root):
        raise XmlError(f"{label} has an element with more than {most} attributes", reason="too_many_attributes")
    if not short_names and tests.long_attribute_name(root):
        raise XmlError(f"{label} {_too_long(limits)}", reason="name_too_long")


def _names_within(root: etree._Element, data: bytes, long_run: re.Pattern[bytes]) -> bool:
    """True when the document's bytes show that no element or attribute name is over the limit long_run is made
    for. A name never holds a "<" (nor does a start tag, attribute values included), so in an ASCII-compatible
    encoding, where a character takes at least one byte, each name lies within one run of bytes after a "<".
    """
    if (root.getroottree().docinfo.encoding or "UTF-8").upper() not in _ASCII_COMPATIBLE:
        return False
    return long_run.search(data) is None  # linear: each "<" starts one scan, which ends at the next "<"


def _long_tag(root: etree._Element, longest: int) -> bool:
    """An element's Clark name is at least as long as its local name: a bound for any encoding."""
    return max([len(element.tag) for element in root.iter(etree.Element)]) > longest


def _check_namespaces(data: bytes, root: etree._Element, label: str, limits: Limits) -> None:
    """Namespace declarations per element, bounded like attributes (XML writes them as attributes, but XPath's
    @* leaves them out). In an ASCII-compatible encoding, a document with no more "xmlns" in all than one
    element may have is ruled out by counting bytes; otherwise the tree is walked until an element has too many.
    """
    most = limits.max_attributes
    encoding = (root.getroottree().docinfo.encoding or "UTF-8").upper()
    if encoding in _ASCII_COMPATIBLE and data.count(b"xmlns") <= most:
        return
    declared = 0
    for event, _ in etree.iterwalk(root, events=("start-ns", "start")):  # an element's start-ns come before it
        declared = declared + 1 if event == "start-ns" else 0
        if declared > most:
            raise XmlError(
                f"{label} has an element with more than {most} namespace declarations", reason="too_many_attributes"
            )


def _too_deep(limits: Limits) -> str:
    return f"nests elements deeper than {limits.max_depth} levels"


def _too_long(limits: Limits) -> str:
    return f"has a name longer than {limits.max_name_length} characters"


def _reason(exc: etree.XMLSyntaxError, limits: Limits) -> tuple[str, str]:
    """Why the document is not well-formed, in libxml2's words without its file name, options and codes,
    and as XmlError.reason."""
    message = _ADVICE.sub("", (exc.msg or "malformed").split(", line ")[0]).strip()
    if message.startswith("Excessive depth"):
        return _too_deep(limits), "too_deep"
    if message.startswith("Name too long"):
        return _too_long(limits), "name_too_long"
    return f"is not well-formed XML: {message}", "malformed"
