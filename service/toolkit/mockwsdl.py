"""The WSDL as a mock publishes it: every address pointing at the mock, every document served by it.

A WSDL often imports schemas (and other WSDLs) by relative location. Rather than inline them,
which breaks on xs:include, redefine and chameleon schemas, the mock publishes each document
the WSDL brought in at /documents/<n>/<name> and rewrites every reference to point there: a
client then reads exactly the set the mock was loaded from.
"""

from __future__ import annotations

import copy
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urljoin, urlparse

from lxml import etree

from ..namespaces import WSDL11, WSDL_SOAP11, WSDL_SOAP12, XSD
from ..wsdlmodel import Wsdl

_SCHEMA_REFERENCES = (f"{{{XSD}}}import", f"{{{XSD}}}include", f"{{{XSD}}}redefine")


class Publication:
    """The documents of one WSDL by URL, and the path each is published at."""

    def __init__(self, top: str, documents: dict[str, etree._Element], addresses: dict[str, str]) -> None:
        self.top_url = top
        self.documents = documents
        #: The path of each mocked port, by port name.
        self.addresses = addresses
        self.paths = {url: f"/documents/{index}/{_file_name(url)}" for index, url in enumerate(documents)}
        self.urls = {path: url for url, path in self.paths.items()}

    @classmethod
    def of(cls, wsdl: Wsdl, addresses: dict[str, str]) -> Publication:
        """The documents wsdl was loaded from, as they were read: nothing is fetched again."""
        return cls(wsdl.location, wsdl.documents, addresses)

    def top(self, base: str) -> bytes:
        """The WSDL itself, as published at <endpoint>?wsdl; base is the mock's http://host:port."""
        return self._published(self.top_url, base)

    def document(self, path: str, base: str) -> bytes | None:
        url = self.urls.get(path)
        return self._published(url, base) if url is not None else None

    def _published(self, url: str, base: str) -> bytes:
        root = copy.deepcopy(self.documents[url])
        for reference in root.iter(f"{{{WSDL11}}}import"):
            self._point_at_mock(reference, "location", url, base)
        for reference in root.iter(*_SCHEMA_REFERENCES):
            self._point_at_mock(reference, "schemaLocation", url, base)
        for namespace in (WSDL_SOAP11, WSDL_SOAP12):
            for address in root.iter(f"{{{namespace}}}address"):
                port = address.getparent()
                name = port.get("name", "") if port is not None else ""
                address.set("location", base + self.addresses.get(name, "/" + quote(name)))
        return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))

    def _point_at_mock(self, reference: etree._Element, attribute: str, url: str, base: str) -> None:
        location = reference.get(attribute)
        if location:
            path = self.paths.get(urljoin(url, location))
            if path is not None:
                reference.set(attribute, base + path)


def _file_name(url: str) -> str:
    name = PurePosixPath(unquote(urlparse(url).path)).name or "document.xml"
    return quote(name)
