"""Validate XML documents against an XSD, the canonical contract or a WSDL's messages, reporting every problem.

Each file is read under a size limit and parsed by the hardened parser, so a hostile file (a DTD,
entities, a huge or deeply nested document) becomes a problem of that file, never a hang or a read
of anything else. libxml2 gives every verdict, so verdicts agree with xmllint.
"""

from __future__ import annotations

import copy
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from lxml import etree

from ..errors import SoapbridgeError, UsageError, WsdlError, XmlError
from ..namespaces import ENVELOPE_BY_VERSION, XSD
from ..soapenv import open_envelope
from ..wsdlmodel import Binding, BindingOperation, Direction, Message, check_message, load_wsdl
from ..xmlcheck import Locator, Problem, columns_of, element_path, schema_problems
from ..xmlparse import make_parser, parse_bytes, parse_file

#: The largest file validate reads unless told otherwise (--max-bytes).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_XS = f"{{{XSD}}}"
_SPACE = re.compile(rb"\s*")
_DEPTH = re.compile(r"Excessive depth in document: (\d+)")


@dataclass(frozen=True)
class FileReport:
    """What validating one file found."""

    file: str
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "valid": self.valid, "problems": [p.as_dict() for p in self.problems]}


@dataclass(frozen=True)
class Report:
    """What validating many files found, file by file in the order checked."""

    files: tuple[FileReport, ...]

    @property
    def invalid(self) -> int:
        return sum(not file.valid for file in self.files)

    def summary(self) -> dict[str, int]:
        return {"files": len(self.files), "valid": len(self.files) - self.invalid, "invalid": self.invalid}

    def as_dict(self) -> dict[str, object]:
        return {"files": [file.as_dict() for file in self.files], "summary": self.summary()}


class Target(Protocol):
    """What a document is validated against."""

    def problems(self, root: etree._Element, source: bytes) -> list[Problem]: ...


def validate_files(paths: Sequence[Path], target: Target, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Report:
    """Validate every file named, and every *.xml under every folder named (sorted)."""
    return Report(tuple(validate_file(path, target, max_bytes=max_bytes) for path in collect_files(paths)))


def collect_files(paths: Sequence[Path]) -> list[Path]:
    """The files to check: each path given, a folder replaced by its *.xml files, recursively and sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(_xml_files(path)))
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return files


def validate_file(path: Path, target: Target, *, max_bytes: int = DEFAULT_MAX_BYTES) -> FileReport:
    """Every problem of one file; a file that cannot be read or parsed has that as its one problem."""
    document = read_document(path, max_bytes)
    if isinstance(document, Problem):
        return FileReport(str(path), (document,))
    root, source = document
    try:
        problems = target.problems(root, source)
    except SoapbridgeError as exc:
        problems = [Problem(exc.message, getattr(exc, "sourceline", None))]
    return FileReport(str(path), tuple(located(problems, root, source)))


def read_document(path: Path, max_bytes: int) -> tuple[etree._Element, bytes] | Problem:
    """The parsed root element and the source bytes of a file, or the one problem that stops it being read."""
    source = _read_limited(path, max_bytes)
    if isinstance(source, Problem):
        return source
    doctype = _doctype_at(source)
    if doctype is not None:  # refused before libxml2 sees the DTD, so nothing in it is ever acted on
        return Problem("the document carries a DOCTYPE; DTDs are not accepted", *doctype)
    try:
        return parse_bytes(source, what="document"), source
    except XmlError as exc:
        return _parse_problem(exc)


def located(problems: list[Problem], root: etree._Element, source: bytes) -> list[Problem]:
    """The problems, each with the column of its element's start tag where the source shows it, and plain words."""
    locator, top = Locator(), root.getroottree().getroot()
    elements = [locator.find(top, problem.path) if problem.column is None else None for problem in problems]
    columns = columns_of([element for element in elements if element is not None], source)
    return [
        _plain(problem, columns.get(element) if element is not None else None)
        for problem, element in zip(problems, elements, strict=True)
    ]


class XsdTarget:
    """An XSD file, compiled once; imports and includes are read only from its own folder tree."""

    def __init__(self, xsd: Path) -> None:
        self.schema = compile_schema(xsd)

    def problems(self, root: etree._Element, source: bytes) -> list[Problem]:
        return schema_problems(self.schema, root)


class CanonicalTarget:
    """A top-level element or a named complex type of the canonical XSD; SOAP envelopes are opened."""

    def __init__(self, xsd: Path, name: str) -> None:
        self._xsd = xsd
        self._document = _schema_document(xsd)
        schema = self._document.getroot()
        self.namespace = schema.get("targetNamespace", "")
        elements, types = (_named(schema, kind) for kind in ("element", "complexType"))
        if name not in elements and name not in types:
            raise UsageError(
                f"{name!r} is not in the canonical XSD; elements: {', '.join(elements)}; types: {', '.join(types)}"
            )
        self.name = name
        self.is_element = name in elements
        self._schemas: dict[str, etree.XMLSchema] = {}
        self._schema = compile_schema(xsd) if self.is_element else None

    def problems(self, root: etree._Element, source: bytes) -> list[Problem]:
        problems = []
        for element in body_elements(root):
            details = _fault_details(element)
            if details == []:
                problems.append(_at(element, "the SOAP Fault has no detail to check"))
            for checked in [element] if details is None else details:
                problems.extend(self._check(checked))
        return problems

    def _check(self, element: etree._Element) -> list[Problem]:
        if self._schema is None:
            return schema_problems(self._schema_for(element.tag), element)
        expected = f"{{{self.namespace}}}{self.name}"
        if element.tag != expected:
            return [_at(element, _mismatch(expected, element.tag))]
        return schema_problems(self._schema, element)

    def _schema_for(self, tag: str) -> etree.XMLSchema:
        """A schema declaring tag as an element of the complex type, beside the canonical declarations."""
        if tag not in self._schemas:
            self._schemas[tag] = _compile(
                _typed_element_schema(self._document, self.namespace, self.name, tag), self._xsd
            )
        return self._schemas[tag]


class WsdlTarget:
    """The messages of a WSDL's SOAP bindings: a whole envelope (1.1 or 1.2) or a bare body element."""

    def __init__(self, wsdl: Path, operation: str | None = None, direction: Direction | None = None) -> None:
        try:
            self.wsdl = load_wsdl(wsdl)
            self.wsdl.schemas.validator()
        except WsdlError as exc:
            raise UsageError(f"{wsdl}: {exc.message}") from exc
        if not self.wsdl.soap_bindings():
            raise UsageError(f"{wsdl}: the WSDL has no SOAP binding")
        names = sorted({op.name for binding in self.wsdl.soap_bindings() for op in binding.operations})
        if operation is not None and operation not in names:
            raise UsageError(f"{wsdl}: no operation {operation!r}; the WSDL has {', '.join(names)}")
        self.operation = operation
        self.direction = direction

    def problems(self, root: etree._Element, source: bytes) -> list[Problem]:
        opened = open_envelope(root)
        version = opened[0] if opened else None
        bindings = self.wsdl.soap_bindings(version)
        if not bindings:
            return [_at(root, f"a SOAP {version} envelope, but the WSDL has no SOAP {version} binding")]
        children = body_elements(root)
        found = self._message_for(bindings, children[0])
        if isinstance(found, Problem):
            return [found]
        return check_message(self.wsdl, found, children)

    def _message_for(self, bindings: Sequence[Binding], first: etree._Element) -> Message | Problem:
        for binding in bindings:
            match = self._match(binding, first.tag)
            if match is not None:
                operation, direction = match
                message = operation.message(direction)
                if message is not None:
                    return message
                return _at(first, f"the operation {operation.name} has no {direction} message")
        wanted = f"the operation {self.operation}" if self.operation else "any operation"
        return _at(first, f"{_clark_text(first.tag)} is not the {self.direction or 'input or output'} of {wanted}")

    def _match(self, binding: Binding, tag: str) -> tuple[BindingOperation, Direction] | None:
        if self.operation is None:
            return binding.operation_for(tag, None, self.direction)
        operation = binding.operation(self.operation)
        if operation is None:
            return None
        if self.direction is not None:
            return operation, self.direction
        # Named without a direction: the output when the body starts with it, else the input.
        output = operation.output
        return (operation, "output") if output is not None and output.body_tags[:1] == (tag,) else (operation, "input")


def body_elements(root: etree._Element) -> list[etree._Element]:
    """The elements in a SOAP envelope's Body, or [root] for a document that is not an envelope."""
    opened = open_envelope(root)
    if opened is None:
        return [root]
    children = list(opened[1].iterchildren(etree.Element))
    if not children:
        raise XmlError("the SOAP Body is empty", sourceline=opened[1].sourceline)
    return children


def _fault_details(element: etree._Element) -> list[etree._Element] | None:
    """The elements in a SOAP fault's detail (where the gateway puts cn:GatewayFault); None if not a fault."""
    for version, namespace in ENVELOPE_BY_VERSION.items():
        if element.tag == f"{{{namespace}}}Fault":
            detail = element.find("detail" if version == "1.1" else f"{{{namespace}}}Detail")
            return [] if detail is None else list(detail.iterchildren(etree.Element))
    return None


def compile_schema(xsd: Path) -> etree.XMLSchema:
    """The XSD compiled by libxml2; UsageError naming the schema and libxml2's reason when it does not compile."""
    return _compile(_schema_document(xsd), xsd)


def _schema_document(xsd: Path) -> etree._ElementTree:
    if not xsd.is_file():
        raise UsageError(f"{xsd}: no such schema file")
    try:
        return parse_file(xsd.resolve(), what=str(xsd))
    except XmlError as exc:
        raise UsageError(f"{xsd}: {exc.message}") from exc


def _compile(document: etree._ElementTree, xsd: Path) -> etree.XMLSchema:
    local = _LocalSchemas(xsd.resolve().parent)
    document.parser.resolvers.add(local)
    try:
        schema = etree.XMLSchema(document)
    except etree.XMLSchemaParseError as exc:
        local.raise_refused(xsd)
        entry = exc.error_log[0] if exc.error_log else None
        line = f":{entry.line}" if entry is not None and entry.line else ""
        reason = " ".join((entry.message if entry is not None else str(exc)).split())
        raise UsageError(f"{xsd}{line}: the schema does not compile: {reason}") from exc
    local.raise_refused(xsd)
    return schema


class _LocalSchemas(etree.Resolver):  # type: ignore[misc]
    """Lets libxml2 read imported and included schemas only from one folder tree, each through the hardened parser."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.refused: list[str] = []

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        path = _local_path(system_url)
        if path is None or not path.is_relative_to(self.folder):
            self.refused.append(f"refusing to read {system_url}: only files under {self.folder} are read")
        else:
            try:
                data = path.read_bytes()
                parse_bytes(data, what=f"schema {path.name}")
                return self.resolve_string(data, context, base_url=str(path))
            except (OSError, XmlError) as exc:
                self.refused.append(exc.message if isinstance(exc, XmlError) else f"cannot read {path}: {exc.strerror}")
        return self.resolve_string(f'<xs:schema xmlns:xs="{XSD}"/>', context)

    def raise_refused(self, xsd: Path) -> None:
        if self.refused:
            raise UsageError(f"{xsd}: the schema does not compile: {self.refused[0]}")


def _local_path(url: str) -> Path | None:
    """The local file a URL or path names; None for anything remote."""
    if url.startswith("file:"):
        return Path(unquote(urlparse(url).path)).resolve()
    return None if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]+:", url) else Path(url).resolve()


def _typed_element_schema(
    canonical: etree._ElementTree, namespace: str, type_name: str, tag: str
) -> etree._ElementTree:
    qname = etree.QName(tag)
    if qname.namespace == namespace:  # same namespace: a copy of the canonical schema, its element replaced
        document = copy.deepcopy(canonical)
        schema = document.getroot()
        for old in schema.iterchildren(f"{_XS}element"):
            if old.get("name") == qname.localname:
                schema.remove(old)
    else:
        schema = etree.Element(f"{_XS}schema", nsmap={"xs": XSD})
        if qname.namespace:
            schema.set("targetNamespace", qname.namespace)
        etree.SubElement(schema, f"{_XS}import", namespace=namespace, schemaLocation=canonical.docinfo.URL or "")
    declaration = etree.SubElement(schema, f"{_XS}element", name=qname.localname, nsmap={"t": namespace})
    declaration.set("type", f"t:{type_name}")
    # Beside the canonical XSD, so that its import resolves, but under a name of its own (no self-import).
    base_url = str(Path(canonical.docinfo.URL or "").with_name(f"as-{type_name}.xsd"))
    return etree.ElementTree(etree.fromstring(etree.tostring(schema), make_parser(), base_url=base_url))


def _named(schema: etree._Element, kind: str) -> list[str]:
    return sorted(name for child in schema.iterchildren(f"{_XS}{kind}") if (name := child.get("name")))


def _read_limited(path: Path, max_bytes: int) -> bytes | Problem:
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            return Problem("not a regular file")
        if status.st_size > max_bytes:
            return _too_large(status.st_size, max_bytes)
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except OSError as exc:
        return Problem(f"cannot read the file: {exc.strerror or exc}")
    return _too_large(len(data), max_bytes) if len(data) > max_bytes else data


def _too_large(size: int, max_bytes: int) -> Problem:
    return Problem(f"the file is {size} bytes, over the limit of {max_bytes} (--max-bytes)")


def _doctype_at(source: bytes) -> tuple[int, int] | None:
    """Line and column of a DOCTYPE in the prolog (after the XML declaration, comments and PIs), if there is one."""
    if source.startswith((b"\xff\xfe", b"\xfe\xff")):
        source = source.decode("utf-16", "replace").encode()
    position = 3 if source.startswith(b"\xef\xbb\xbf") else 0
    while True:
        position = _SPACE.match(source, position).end()  # type: ignore[union-attr]
        if source.startswith(b"<!DOCTYPE", position):
            return source.count(b"\n", 0, position) + 1, position - (source.rfind(b"\n", 0, position) + 1) + 1
        for opening, closing in ((b"<?", b"?>"), (b"<!--", b"-->")):
            if source.startswith(opening, position):
                end = source.find(closing, position)
                if end < 0:
                    return None
                position = end + len(closing)
                break
        else:
            return None


def _parse_problem(exc: XmlError) -> Problem:
    cause = exc.__cause__
    if not isinstance(cause, etree.XMLSyntaxError):
        return Problem(exc.message, exc.sourceline)
    line, column = cause.position
    depth = _DEPTH.search(cause.msg or "")
    if depth:
        reason = f"elements are nested more than {depth.group(1)} deep; such documents are refused"
    elif "amplification" in (cause.msg or ""):
        reason = "entity expansion is over the parser's limit; entities are not accepted"
    else:
        reason = exc.message
    return Problem(reason, line or None, column or None)


def _plain(problem: Problem, column: int | None) -> Problem:
    """The problem without libxml2's repetition of the element's name when the path already ends with it."""
    reason = problem.reason
    name, separator, rest = reason.partition(": ")
    if separator and problem.path and re.sub(r"\[\d+\]", "", problem.path).endswith("/" + name):
        reason = rest
    return Problem(reason, problem.line, problem.column or column, problem.path)


def _at(element: etree._Element, reason: str) -> Problem:
    return Problem(reason, element.sourceline, None, element_path(element))


def _mismatch(expected: str, found: str) -> str:
    if etree.QName(expected).namespace == etree.QName(found).namespace:
        return f"expected {etree.QName(expected).localname}, found {etree.QName(found).localname}"
    return f"expected {_clark_text(expected)}, found {_clark_text(found)}"


def _clark_text(tag: str) -> str:
    qname = etree.QName(tag)
    return f"{qname.localname} ({qname.namespace or 'no namespace'})"


def _xml_files(folder: Path) -> Iterator[Path]:
    for directory, _, names in os.walk(folder):
        yield from (Path(directory) / name for name in names if name.endswith(".xml"))
