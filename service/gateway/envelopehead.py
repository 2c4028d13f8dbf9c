"""A request envelope read up to its payload, for pass-through: the payload itself is never built into a tree.

libxml2 reads the envelope through a parser target that builds only the Header (authentication and the
header blocks need it) and stops at the start of the Body's element, the payload. The payload's bytes are
then cut out of the request as they are: where its start tag begins is found by counting start tags over the
head that libxml2 has just read (so a comment, CDATA section or PI there cannot mislead the count), and the
envelope must end with the Body's and the Envelope's end tags and white space, nothing else. The namespaces the
Envelope and the Body declare are declared again on the payload, so that its bytes stand alone. libxml2 then
reads the cut-out payload, again without a tree: it must be one well-formed element. Head, payload and tail
together are the whole request, so the request is well-formed exactly when the three parts are.

Making a parser with a target costs lxml more than reading a small envelope (it inspects the target's methods),
so each thread keeps its own two parsers (HeadReader), and each read resets the head's target.

What it does not check: the configured depth, attribute and name limits need a tree (xmlparse), so a payload is
held only to libxml2's own ceilings (256 levels, 50,000-character names); the legacy system parses it anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .._perthread import PerThread
from ..errors import RequestError, XmlError
from ..namespaces import ENVELOPE_BY_VERSION
from ..settings import Limits
from ..soapenv import envelope_version
from ..xmlparse import carries_doctype, check_well_formed, make_parser, syntax_error, well_formed_parser

#: A start tag, or markup whose "<" starts no tag (a comment, a CDATA section, a PI or the XML declaration).
#: On a well-formed head a "<" appears nowhere else: not in text, and not in attribute values.
_MARKUP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<(?![/!?])([^\s/>]+)", re.DOTALL)
#: The end of an envelope pass-through carries: two end tags (the Body's, the Envelope's) and white space.
_TAIL = re.compile(rb"</([^\s>]+)\s*>\s*</([^\s>]+)\s*>\s*\Z")
#: An XML declaration naming its encoding.
_DECLARED = re.compile(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)")
_UTF8 = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_ALLOWED = {
    "1.1": "at most one Header, then one Body, and (passed through) nothing after it",
    "1.2": "at most one Header, then one Body, and nothing after it",
}


@dataclass(frozen=True)
class EnvelopeHead:
    """A request envelope as pass-through reads it."""

    #: The Header element (built), or None when the envelope has none.
    header: etree._Element | None
    #: The Clark name of the Body's one element.
    payload_tag: str
    #: That element's bytes as the client sent them, with the namespaces it inherits declared on it.
    payload: bytes


class OtherVersion(Exception):
    """The document is not an envelope of the endpoint's SOAP version; spoken is the one it is, if any."""

    def __init__(self, message: str, spoken: str | None) -> None:
        super().__init__(message)
        self.spoken = spoken


class HeadReader:
    """Reads the envelopes of one SOAP version; each thread uses parsers of its own, made once."""

    def __init__(self, version: str, limits: Limits) -> None:
        self.version = version
        self.limits = limits
        self._heads = PerThread(lambda: _HeadParser(version))
        self._payloads = PerThread(well_formed_parser)

    def read(self, data: bytes) -> EnvelopeHead:
        """The envelope's Header and payload; XmlError when it is not well-formed, RequestError when it is not an
        envelope pass-through can carry, OtherVersion when it is another SOAP version's or none."""
        if not data.strip():
            raise XmlError("the request is empty", reason="empty")
        if carries_doctype(data):
            raise XmlError("the request carries a DOCTYPE; DTDs are not accepted", reason="doctype")
        _require_utf8(data)
        head = self._heads.get().read(data, self.limits)
        if head.payload_tag is None:
            raise RequestError(f"the SOAP Body must hold exactly one element; it holds none{head.missing_body}")
        start, envelope, body = _payload_start(data, head.starts)
        end = _payload_end(data, start, envelope, body, self.limits)
        payload = _standalone(data[start:end], head.inherited())
        _check_payload(payload, self.limits, self._payloads.get())
        return EnvelopeHead(head.header, head.payload_tag, payload)


def read_head(data: bytes, version: str, limits: Limits) -> EnvelopeHead:
    """HeadReader(version, limits).read(data), for one envelope."""
    return HeadReader(version, limits).read(data)


class _HeadParser:
    """A head target and the parser that drives it, one thread's."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.target = _Head(version)
        self.parser = make_parser(target=self.target)

    def read(self, data: bytes, limits: Limits) -> _Head:
        head = self.target
        head.reset()
        try:
            etree.fromstring(data, self.parser)
        except _PayloadReached:
            pass
        except etree.XMLSyntaxError as exc:
            raise syntax_error(exc, "the request", limits) from exc
        return head


def _require_utf8(data: bytes) -> None:
    """The payload's bytes go into the gateway's UTF-8 envelope as they are, so they must be UTF-8 already."""
    declared = _DECLARED.match(data.removeprefix(b"\xef\xbb\xbf"))
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or encoding not in _UTF8:
        raise RequestError("a pass-through request must be UTF-8: its payload goes upstream byte for byte")


class _PayloadReached(Exception):
    """Raised by _Head at the payload's start tag: libxml2 stops reading there."""


class _Head:
    """A parser target over the envelope: checks its structure, builds its Header, stops at the payload."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.reset()

    def reset(self) -> None:
        """Ready for the next envelope (the parser that drives this target is reused)."""
        self.starts = 0
        #: The elements open, as (Clark name, the namespaces it declares).
        self.open: list[tuple[str, dict[str, str]]] = []
        self.children: list[str] = []
        self.header: etree._Element | None = None
        self.payload_tag: str | None = None
        self.own: dict[str, str] = {}
        self.builder: etree.TreeBuilder | None = None
        #: The namespaces declared on the start tag about to be reported ("" for the default namespace).
        self.declaring: dict[str, str] = {}

    @property
    def namespace(self) -> str:
        return ENVELOPE_BY_VERSION[self.version]

    @property
    def missing_body(self) -> str:
        return "" if f"{{{self.namespace}}}Body" in self.children else " (the Envelope has no Body)"

    def start_ns(self, prefix: str | None, uri: str) -> None:
        """Each declaration of the next start tag, before it: lxml 6.2 no longer hands a target's start its nsmap."""
        self.declaring[prefix or ""] = uri

    def start(self, tag: str, attrib: Any, nsmap: Any = None) -> None:
        self.starts += 1
        declared, self.declaring = self.declaring, {}
        depth = len(self.open)
        if depth == 0:
            self._root(tag)
        elif depth == 1:
            self._child(tag)
        elif self.builder is None:  # inside the Body: its first element is the payload
            self.payload_tag, self.own = tag, declared
            raise _PayloadReached
        if self.builder is not None:
            self.builder.start(tag, attrib, {prefix or None: uri for prefix, uri in declared.items()})
        self.open.append((tag, declared))

    def end(self, tag: str) -> None:
        self.open.pop()
        if self.builder is not None:
            self.builder.end(tag)
            if len(self.open) == 1:
                self.header, self.builder = self.builder.close(), None

    def data(self, text: str) -> None:
        if self.builder is not None:
            self.builder.data(text)
        elif text.strip():
            where = "Envelope" if len(self.open) == 1 else "Body"
            raise RequestError(f"the SOAP {self.version} {where} holds text; it may hold only elements")

    def close(self) -> None:
        return None

    def inherited(self) -> dict[str, str]:
        """The namespaces the Envelope and the Body declare that the payload does not declare again."""
        scope: dict[str, str] = {}
        for _, declared in self.open:
            scope.update(declared)
        return {prefix: uri for prefix, uri in scope.items() if prefix not in self.own}

    def _root(self, tag: str) -> None:
        if tag == f"{{{self.namespace}}}Envelope":
            return
        spoken = envelope_version(tag)
        raise OtherVersion(f"this endpoint speaks SOAP {self.version}; the envelope is {tag[:200]}", spoken)

    def _child(self, tag: str) -> None:
        self.children.append(tag)
        header, body = f"{{{self.namespace}}}Header", f"{{{self.namespace}}}Body"
        if self.children not in ([header], [body], [header, body]):
            names = ", ".join(etree.QName(name).localname[:50] for name in self.children[:6])
            raise RequestError(f"the SOAP {self.version} Envelope must hold {_ALLOWED[self.version]}; it holds {names}")
        if tag == header:
            self.builder = etree.TreeBuilder()


def _payload_start(data: bytes, starts: int) -> tuple[int, bytes, bytes]:
    """Where the starts-th start tag (the payload's) begins, and the names the Envelope and the Body are written
    with (the first start tag, and the last before the payload)."""
    names: list[bytes] = []
    for match in _MARKUP.finditer(data):
        if match.group(1) is None:
            continue
        names.append(match.group(1))
        if len(names) == starts:
            return match.start(), names[0], names[-2]
    raise AssertionError("libxml2 read as many start tags as the head holds")


def _payload_end(data: bytes, start: int, envelope: bytes, body: bytes, limits: Limits) -> int:
    """Where the Body's end tag begins; the envelope must end there, with the Envelope's end tag after it."""
    last = data.rfind(b"</", start)  # the Envelope's end tag; white space alone lies between it and the Body's
    before = data.rfind(b"</", start, last) if last > start else -1
    found = _TAIL.match(data, before) if before > start else None
    if found is None or found.group(1, 2) != (body, envelope):
        check_well_formed(data, "the request", limits)  # a truncated or broken request is told so first
        raise RequestError(
            "a pass-through envelope must end with its Body's element: only white space, the Body's and the "
            "Envelope's end tags may follow it"
        )
    return found.start()


def _standalone(payload: bytes, inherited: dict[str, str]) -> bytes:
    """The payload with the namespaces it inherits declared on its start tag, so its bytes are a document."""
    if not inherited:
        return payload
    name = re.match(rb"<[^\s/>]+", payload)
    assert name is not None, "the payload begins with its start tag"
    declarations = b"".join(_declaration(prefix, uri) for prefix, uri in inherited.items())
    return payload[: name.end()] + declarations + payload[name.end() :]


def _declaration(prefix: str, uri: str) -> bytes:
    value = uri.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return (f' xmlns:{prefix}="{value}"' if prefix else f' xmlns="{value}"').encode()


def _check_payload(payload: bytes, limits: Limits, parser: etree.XMLParser) -> None:
    try:
        check_well_formed(payload, "the request", limits, parser=parser)
    except XmlError as exc:
        if "Extra content at the end" in exc.message:
            raise RequestError("the SOAP Body must hold exactly one element and no text; it holds more") from exc
        raise
