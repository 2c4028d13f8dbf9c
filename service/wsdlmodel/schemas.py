"""All the schemas of a WSDL compiled as one lxml schema, so libxml2 gives every verdict.

A WSDL's types may be spread over several inline xs:schema elements (often several with the
same target namespace) and files they import or include. libxml2 compiles one document, so a
driver schema imports every namespace; a namespace with several documents gets a small schema
that includes them all. rpc-style messages have no element declarations of their own: the
driver also declares each rpc wrapper, under a private namespace, from its parts.
"""

from __future__ import annotations

import copy
import email.message
import io
import urllib.error
import urllib.request
import urllib.response
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin

from lxml import etree

from ..errors import WsdlError
from ..namespaces import XSD
from ..xmlparse import make_parser
from .model import Message

if TYPE_CHECKING:
    import xmlschema

DRIVER = "urn:soapbridge:wsdlmodel:driver"
RPC = "urn:soapbridge:wsdlmodel:rpc"
_XS = f"{{{XSD}}}"
_QNAME_ATTRIBUTES = ("type", "ref", "base", "itemType", "memberTypes", "substitutionGroup")


class SchemaSet:
    """The WSDL's schema documents, and (compiled on first use) one lxml validator for all of them."""

    def __init__(self, roots: Iterable[tuple[str, etree._Element]], included: set[str], rpc: Iterable[Message]) -> None:
        self.documents = {url: etree.tostring(_with_missing_imports(root)) for url, root in roots}
        self.included = included
        self.namespaces: dict[str, list[str]] = {}
        for url, data in self.documents.items():
            if url not in included:
                namespace = etree.fromstring(data).get("targetNamespace", "")
                self.namespaces.setdefault(namespace, []).append(url)
        self.rpc_elements = {message: f"m{index}" for index, message in enumerate(_literal(rpc), start=1)}
        self._validator: etree.XMLSchema | None = None
        self._model: xmlschema.XMLSchema10 | None = None

    def validator(self) -> etree.XMLSchema:
        """One lxml XMLSchema for every element the WSDL's schemas and rpc messages declare."""
        if self._validator is None:
            self._validator = self._compile()
        return self._validator

    def model(self) -> xmlschema.XMLSchema10:
        """The same schemas as an xmlschema model, to walk: types, occurrences, facets, enumerations.

        Built in lax mode, so that a schema libxml2 would refuse (a missing import, an ambiguous
        content model) can still be described; what is wrong is in model().all_errors. Includes
        and imports are served from the documents already loaded, never read again.
        """
        if self._model is None:
            self._model = self._build_model()
        return self._model

    def _build_model(self) -> xmlschema.XMLSchema10:
        import xmlschema  # about 0.15 s to import: only the tools that walk the model pay it, never check or serve

        opener = urllib.request.OpenerDirector()
        opener.add_handler(_Loaded(self.documents))
        sources: list[Any] = [
            # A string source resolves relative locations against base_url as a folder.
            xmlschema.XMLResource(data.decode(), base_url=urljoin(url, "."), defuse="always", opener=opener)
            for url, data in self.documents.items()
            if url not in self.included
        ] or [f'<xs:schema xmlns:xs="{XSD}"/>']
        try:
            with warnings.catch_warnings():  # what lax mode tolerates is kept in all_errors
                warnings.simplefilter("ignore")
                return xmlschema.XMLSchema10(sources, validation="lax", defuse="always", opener=opener)
        except (xmlschema.XMLSchemaException, ValueError, TypeError, LookupError) as exc:
            raise WsdlError(f"the WSDL's schemas cannot be read: {str(exc).splitlines()[0]}") from exc

    def _compile(self) -> etree.XMLSchema:
        served = dict(self.documents)
        driver = etree.Element(f"{_XS}schema", targetNamespace=DRIVER, nsmap={"xs": XSD})
        for index, (namespace, urls) in enumerate(sorted(self.namespaces.items()), start=1):
            location = urls[0] if len(urls) == 1 else f"{DRIVER}:namespace{index}"
            if len(urls) > 1:
                served[location] = _including(namespace, urls)
            _import(driver, namespace, location)
        if self.rpc_elements:
            served[RPC] = _rpc_schema(self.rpc_elements, self.namespaces)
            _import(driver, RPC, RPC)
        parser = make_parser()
        parser.resolvers.add(_Served(served))
        try:
            document = etree.fromstring(etree.tostring(driver), parser, base_url=f"{DRIVER}:driver")
            return etree.XMLSchema(document)
        except etree.XMLSchemaParseError as exc:
            raise WsdlError(f"the WSDL's schemas do not compile: {_reason(exc)}") from exc


class _Served(etree.Resolver):  # type: ignore[misc]
    """Serves the documents already loaded; nothing is read from disk or the network here."""

    def __init__(self, documents: dict[str, bytes]) -> None:
        super().__init__()
        self.documents = documents

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        data = self.documents.get(system_url)
        if data is None:
            return self.resolve_string(f'<xs:schema xmlns:xs="{XSD}"/>', context)
        return self.resolve_string(data, context, base_url=system_url)


class _Loaded(urllib.request.BaseHandler):
    """Serves xmlschema the documents already loaded; any other URL is an error, never a read or a fetch."""

    def __init__(self, documents: dict[str, bytes]) -> None:
        self.documents = {unquote(url): data for url, data in documents.items()}

    def default_open(self, request: urllib.request.Request) -> urllib.response.addinfourl:
        data = self.documents.get(unquote(request.full_url))
        if data is None:
            raise urllib.error.URLError(f"{request.full_url} is not among the WSDL's loaded documents")
        return urllib.response.addinfourl(io.BytesIO(data), email.message.Message(), request.full_url, 200)


def _with_missing_imports(schema: etree._Element) -> etree._Element:
    """A copy of schema that imports every namespace it refers to.

    Inline schemas often use a sibling schema's components without xs:import; .NET and Java
    accept that, libxml2 does not, so the import the author left out is added.
    """
    own = {schema.get("targetNamespace", ""), XSD}
    imported = {i.get("namespace", "") for i in schema.iterchildren(f"{_XS}import")}
    missing = {ns for ns in _referenced_namespaces(schema) if ns not in own | imported}
    if not missing:
        return schema
    patched = copy.deepcopy(schema)
    for namespace in sorted(missing):
        patched.insert(0, _bare_import(namespace))
    return patched


def _referenced_namespaces(schema: etree._Element) -> set[str]:
    found = set()
    for element in schema.iter(f"{_XS}*"):
        for attribute in _QNAME_ATTRIBUTES:
            for value in element.get(attribute, "").split():
                prefix = value.rpartition(":")[0]
                namespace = element.nsmap.get(prefix or None)
                if namespace is not None or not prefix:
                    found.add(namespace or "")
    return found


def _literal(messages: Iterable[Message]) -> list[Message]:
    unique: dict[Message, None] = {}
    for message in messages:
        if message.wrapper is not None and message.use == "literal":
            unique.setdefault(message)
    return list(unique)


def _including(namespace: str, urls: list[str]) -> bytes:
    wrapper = etree.Element(f"{_XS}schema", nsmap={"xs": XSD})
    if namespace:
        wrapper.set("targetNamespace", namespace)
    for url in urls:
        etree.SubElement(wrapper, f"{_XS}include", schemaLocation=url)
    return bytes(etree.tostring(wrapper))


def _import(schema: etree._Element, namespace: str, location: str) -> None:
    element = etree.SubElement(schema, f"{_XS}import", schemaLocation=location)
    if namespace:
        element.set("namespace", namespace)


def _rpc_schema(elements: dict[Message, str], namespaces: dict[str, list[str]]) -> bytes:
    """A private-namespace element per rpc message: its parts in order, unqualified, of their types."""
    prefixes: dict[str, str] = {XSD: "xs"}
    for namespace in namespaces:
        prefixes.setdefault(namespace, f"n{len(prefixes)}")
    schema = etree.Element(f"{_XS}schema", targetNamespace=RPC, nsmap={p: n for n, p in prefixes.items() if n})
    for namespace in namespaces:
        schema.append(_bare_import(namespace))
    for message, name in elements.items():
        sequence = etree.SubElement(
            etree.SubElement(etree.SubElement(schema, f"{_XS}element", name=name), f"{_XS}complexType"),
            f"{_XS}sequence",
        )
        for part in message.parts:
            if part.element:
                etree.SubElement(sequence, f"{_XS}element", ref=_prefixed(part.element, prefixes))
            else:
                etree.SubElement(
                    sequence,
                    f"{_XS}element",
                    name=part.name,
                    type=_prefixed(part.type or f"{{{XSD}}}anyType", prefixes),
                )
    return bytes(etree.tostring(schema))


def _bare_import(namespace: str) -> etree._Element:
    element = etree.Element(f"{_XS}import")
    if namespace:
        element.set("namespace", namespace)
    return element


def _prefixed(clark: str, prefixes: dict[str, str]) -> str:
    """A QName for the rpc schema; a type from a namespace no schema defines (soapenc) reads as anyType."""
    namespace, _, local = clark[1:].partition("}")
    if not namespace:
        return local
    return f"{prefixes[namespace]}:{local}" if namespace in prefixes else "xs:anyType"


def _reason(exc: etree.XMLSchemaParseError) -> str:
    entry = exc.error_log.last_error if exc.error_log else None
    message = entry.message if entry is not None else str(exc)
    return " ".join(message.split())
