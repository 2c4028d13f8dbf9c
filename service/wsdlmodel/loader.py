"""Reading a WSDL and everything it imports, under one access policy.

A WSDL names other documents: wsdl:import, and xs:import, xs:include and xs:redefine in its
schemas. The loader follows them all, once each, through the hardened parser. Local files are
read wherever they are, or only under a root folder when one is given (the gateway's wsdl/);
anything remote is fetched only when the caller allows the network, with a timeout and a size cap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import requests
from lxml import etree

from ..errors import WsdlError, XmlError
from ..namespaces import WSDL11, XSD
from ..xmlparse import parse_bytes

WSDL20 = "http://www.w3.org/ns/wsdl"
#: The most a fetched document may weigh; WSDLs and schemas are far smaller.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_SCHEMA_REFERENCES = (f"{{{XSD}}}import", f"{{{XSD}}}include", f"{{{XSD}}}redefine")


@dataclass(frozen=True)
class Policy:
    """Where documents may come from."""

    #: Local files are read only under this folder; None reads any local file the user can.
    root: Path | None = None
    allow_network: bool = False
    timeout: float = 10.0


@dataclass
class Documents:
    """Every document a WSDL brings in, by URL, in the order first met."""

    definitions: dict[str, etree._Element] = field(default_factory=dict)
    schemas: dict[str, etree._Element] = field(default_factory=dict)
    #: The schema documents reached by xs:include or xs:redefine: their includer brings them in.
    included: set[str] = field(default_factory=set)

    def schema_roots(self) -> Iterator[tuple[str, etree._Element]]:
        """(base URL, xs:schema element) for every inline and imported schema."""
        for url, definitions in self.definitions.items():
            types = definitions.find(f"{{{WSDL11}}}types")
            for index, schema in enumerate(() if types is None else types.iterfind(f"{{{XSD}}}schema")):
                yield f"{url}#schema{index + 1}", schema
        yield from self.schemas.items()


def location_url(location: str | Path) -> str:
    """The absolute URL of a WSDL given as a path or URL."""
    text = str(location)
    if urlparse(text).scheme in ("http", "https"):
        return text
    return Path(unquote(urlparse(text).path) if text.startswith("file:") else text).resolve().as_uri()


def load_documents(url: str, policy: Policy) -> Documents:
    documents = Documents()
    _load_definitions(url, policy, documents)
    return documents


def _load_definitions(url: str, policy: Policy, documents: Documents) -> None:
    if url in documents.definitions:
        return
    root = _fetch(url, policy, what="WSDL")
    _require_wsdl11(root, url)
    documents.definitions[url] = root
    for imported in root.iterfind(f"{{{WSDL11}}}import"):
        _follow_wsdl_import(imported, url, policy, documents)
    types = root.find(f"{{{WSDL11}}}types")
    for schema in () if types is None else types.iterfind(f"{{{XSD}}}schema"):
        _follow_schema_references(schema, url, policy, documents)


def _follow_wsdl_import(imported: etree._Element, base: str, policy: Policy, documents: Documents) -> None:
    location = imported.get("location")
    if not location:
        return
    target = urljoin(base, location)
    if target in documents.definitions or target in documents.schemas:
        return
    root = _fetch(target, policy, what="imported WSDL")
    if root.tag == f"{{{XSD}}}schema":  # some WSDLs wsdl:import their XSDs
        documents.schemas[target] = root
        _follow_schema_references(root, target, policy, documents)
    else:
        _load_definitions(target, policy, documents)


def _follow_schema_references(schema: etree._Element, base: str, policy: Policy, documents: Documents) -> None:
    for reference in schema.iterchildren(*_SCHEMA_REFERENCES):
        location = reference.get("schemaLocation")
        if not location:
            continue
        target = urljoin(base, location)
        if reference.tag != f"{{{XSD}}}import":
            documents.included.add(target)
        if target in documents.schemas:
            continue
        root = _fetch(target, policy, what="schema")
        if root.tag != f"{{{XSD}}}schema":
            raise WsdlError(f"{_name(target)} is imported as a schema but is not one", location=target)
        documents.schemas[target] = root
        _follow_schema_references(root, target, policy, documents)


def _require_wsdl11(root: etree._Element, url: str) -> None:
    if root.tag == f"{{{WSDL11}}}definitions":
        return
    if root.tag == f"{{{WSDL20}}}description":
        raise WsdlError(f"{_name(url)} is a WSDL 2.0 description; only WSDL 1.1 is supported", location=url)
    raise WsdlError(
        f"{_name(url)} is not a WSDL 1.1 document: its root element is {_plain(root.tag)}, not wsdl:definitions",
        location=url,
    )


def _fetch(url: str, policy: Policy, *, what: str) -> etree._Element:
    data = _read_local(url, policy) if urlparse(url).scheme == "file" else _read_remote(url, policy)
    try:
        return parse_bytes(data, what=f"{what} {_name(url)}", base_url=url)
    except WsdlError:
        raise
    except XmlError as exc:
        raise WsdlError(exc.message, location=url, sourceline=exc.sourceline) from exc


def _read_local(url: str, policy: Policy) -> bytes:
    path = Path(unquote(urlparse(url).path)).resolve()
    if policy.root is not None and not path.is_relative_to(policy.root):
        raise WsdlError(f"refusing to read {path}: it is outside {policy.root}", location=url)
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise WsdlError(f"{path.name} is over {MAX_DOCUMENT_BYTES // 2**20} MB", location=url)
        return path.read_bytes()
    except OSError as exc:
        raise WsdlError(f"cannot read {path}: {exc.strerror or exc}", location=url) from exc


def _read_remote(url: str, policy: Policy) -> bytes:
    if urlparse(url).scheme not in ("http", "https"):
        raise WsdlError(f"refusing to fetch {url}: only http, https and local files are read", location=url)
    if not policy.allow_network:
        raise WsdlError(f"refusing to fetch {url}: network access is off (--allow-network turns it on)", location=url)
    try:
        with requests.get(url, timeout=policy.timeout, stream=True) as response:
            response.raise_for_status()
            data = response.raw.read(MAX_DOCUMENT_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        raise WsdlError(f"cannot fetch {url}: {type(exc).__name__}", location=url) from exc
    if len(data) > MAX_DOCUMENT_BYTES:
        raise WsdlError(f"{url} is over {MAX_DOCUMENT_BYTES // 2**20} MB", location=url)
    return bytes(data)


def _name(url: str) -> str:
    parsed = urlparse(url)
    return Path(unquote(parsed.path)).name if parsed.scheme == "file" else url


def _plain(tag: str) -> str:
    qname = etree.QName(tag)
    return f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else qname.localname
