"""Per-system canonical modules: wsdl/canonical/<system>.xsd files the canonical XSD includes, made one schema.

A new legacy system's canonical operations can live in a module of their own, so that adding a system does
not edit the shared XSD beyond one line: <xs:include schemaLocation="<system>.xsd"/>. A module has the
canonical target namespace. The modules are put in place of their includes here, once, so that whatever
reads the contract (its operations, the published WSDLs, the JSON form, OpenAPI) sees one schema document
and no client ever has to fetch a module. A module the canonical XSD does not include, an include of a
file elsewhere, and an xs:import of a module are errors: a module that is not picked up must never be
silently left out, which is how "not a canonical operation" used to follow.
"""

from __future__ import annotations

import copy
from pathlib import Path

from lxml import etree

from .errors import ConfigError, XmlError
from .xmlparse import parse_file

XSD = "http://www.w3.org/2001/XMLSchema"
INCLUDE = f"{{{XSD}}}include"
IMPORT = f"{{{XSD}}}import"


def assemble(xsd: Path, document: etree._ElementTree) -> etree._ElementTree:
    """The canonical XSD with each module it includes in place of the include; ConfigError naming the file."""
    root = document.getroot()
    modules = _included(xsd, root, {xsd.resolve()})
    _refuse_strays(xsd, {path for path, _ in modules})
    if not modules:
        return document
    assembled = etree.Element(root.tag, dict(root.attrib), nsmap=_namespaces(xsd, root, modules))
    assembled.text = root.text
    for source in (root, *(module for _, module in modules)):
        for child in source:
            if child.tag != INCLUDE:
                assembled.append(copy.deepcopy(child))
    return etree.ElementTree(assembled)


def _included(xsd: Path, root: etree._Element, seen: set[Path]) -> list[tuple[Path, etree._Element]]:
    """The modules root includes, each followed by those it includes itself, in document order."""
    found: list[tuple[Path, etree._Element]] = []
    for element in root.iterchildren(INCLUDE, IMPORT):
        path = _module_path(xsd, element)
        if path is None or path in seen:
            continue
        seen.add(path)
        module = _module(path, root.get("targetNamespace", ""))
        found.append((path, module))
        found.extend(_included(path, module, seen))
    return found


def _module_path(xsd: Path, element: etree._Element) -> Path | None:
    """The module file an include names; None for an import of something that is not a module."""
    location = element.get("schemaLocation") or ""
    path = (xsd.parent / location).resolve() if location and "://" not in location else None
    is_module = path is not None and path.parent == xsd.parent.resolve()
    if element.tag == IMPORT:
        if is_module:
            raise ConfigError(
                f"imports the canonical module {location}; a module has the canonical namespace and is included: "
                f'<xs:include schemaLocation="{location}"/>',
                file=str(xsd),
                key="xs:import",
            )
        return None
    if not is_module:
        raise ConfigError(
            f"includes {location or 'nothing (no schemaLocation)'}; a canonical module is a file beside it, "
            f"in {xsd.parent.name}/",
            file=str(xsd),
            key="xs:include",
        )
    return path


def _module(path: Path, namespace: str) -> etree._Element:
    try:
        module = parse_file(path, what=f"the canonical module {path.name}").getroot()
    except XmlError as exc:
        raise ConfigError(exc.message, file=str(path)) from exc
    if module.tag != f"{{{XSD}}}schema" or module.get("targetNamespace") != namespace:
        raise ConfigError(
            f"a canonical module is an xs:schema with the canonical targetNamespace {namespace!r}",
            file=str(path),
            key="targetNamespace",
        )
    return module


def _namespaces(xsd: Path, root: etree._Element, modules: list[tuple[Path, etree._Element]]) -> dict[str, str]:
    """The prefixes of the XSD and its modules, declared once on the assembled schema: a prefix means one thing."""
    declared: dict[str, str] = {key: value for key, value in root.nsmap.items() if key is not None}
    for path, module in modules:
        for prefix, uri in module.nsmap.items():
            if prefix is None:
                continue
            if declared.setdefault(prefix, uri) != uri:
                raise ConfigError(
                    f"binds the prefix {prefix} to {uri}, but {xsd.name} binds it to {declared[prefix]}",
                    file=str(path),
                    key=f"xmlns:{prefix}",
                )
    default = root.nsmap.get(None)
    return {**declared, **({None: default} if default else {})}  # type: ignore[dict-item]


def _refuse_strays(xsd: Path, included: set[Path]) -> None:
    for path in sorted(xsd.parent.glob("*.xsd")):
        if path.resolve() != xsd.resolve() and path.resolve() not in included:
            raise ConfigError(
                f"a canonical module {xsd.name} does not include, so its operations would not be served; "
                f'add <xs:include schemaLocation="{path.name}"/> to {xsd.name}, or remove the file',
                file=str(path),
            )
