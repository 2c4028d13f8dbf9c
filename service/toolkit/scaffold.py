"""`soapbridge new adapter`: a legacy WSDL turned into a starting point that `check` passes.

    plan_adapter(settings, system, wsdl, operations) -> Scaffold    everything read and written in memory
    write_scaffold(settings, scaffold) -> written paths              all of it, or nothing

Written: adapters/<system>.toml; the WSDL and the local files it imports under wsdl/<system>/ (unless it is
in the project already); the canonical module wsdl/canonical/<system>.xsd and its include in the canonical
XSD; per operation the stylesheets xslt/<system>/<Op>.request.xsl and .response.xsl and their golden inputs
under xslt/<system>/samples/. The golden outputs are check's to write (`soapbridge check --accept`).
Every refusal comes before the first file is written; a failure while writing removes what was written.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..config import _SYSTEM_NAME
from ..contract import Contract
from ..errors import ConfigError, UsageError
from ..namespaces import XSD
from ..settings import Settings
from ..upstream.wsdl import load_service
from ..wsdlmodel import BindingOperation, Wsdl, load_wsdl
from ..xmlparse import parse_file
from .project import adapter_files, load_offline
from .scaffoldfields import Field, canonical_mirror, pascal_case
from .scaffoldlegacy import (
    ChosenPort,
    choose_port,
    chosen_operations,
    describe,
    local_documents,
    message_root,
    refuse_encoded_operations,
    unscaffoldable,
)
from .scaffoldsamples import canonical_sample, document_text, legacy_sample
from .scaffoldtoml import AdapterPlan, adapter_text
from .scaffoldxsd import CanonicalOperation, include_line, module_text, with_include
from .scaffoldxslt import CANONICAL_PREFIX, Sides, request_stylesheet, response_stylesheet

LEGACY_PREFIX = "lg"


@dataclass
class Scaffold:
    """What new adapter writes: new files by path, and the canonical XSD's new text (None: print the line)."""

    system: str
    files: dict[Path, bytes] = field(default_factory=dict)
    include: str = ""
    canonical_text: str | None = None
    operations: list[CanonicalOperation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Operation:
    legacy: BindingOperation
    input: Field
    output: Field
    canonical: CanonicalOperation | None = None


def plan_adapter(settings: Settings, system: str, wsdl_file: Path, wanted: list[str]) -> Scaffold:
    _refuse_taken(settings, system)
    wsdl = _read(wsdl_file)
    chosen = choose_port(wsdl)
    binding = chosen.port.binding
    operations = chosen_operations(binding, wanted)
    refuse_encoded_operations(system, wsdl_file, operations)
    callable_operations = _zeep_operations(wsdl_file, chosen.service, chosen.port.name)
    scaffold = Scaffold(system)
    mapped = _mappable(wsdl, operations, wanted, scaffold, callable_operations)
    canonical_root = parse_file(settings.canonical_xsd, what="the canonical XSD").getroot()
    namespace = canonical_root.get("targetNamespace", "")
    _name_canonical(settings, system, mapped, namespace)
    prefixes = _legacy_prefixes(mapped)
    wsdl_path = _place_wsdl(settings, system, wsdl, wsdl_file, scaffold)
    for operation in mapped:
        _write_operation(settings, wsdl, operation, {**prefixes, namespace: CANONICAL_PREFIX}, scaffold)
    scaffold.operations = [op.canonical for op in mapped if op.canonical is not None]
    plan = _adapter_plan(scaffold, chosen, wsdl_file.name, wsdl_path, prefixes)
    scaffold.files[settings.adapters_dir / f"{system}.toml"] = adapter_text(plan).encode()
    _canonical_module(settings, wsdl_file.name, canonical_root, scaffold)
    return scaffold


def _adapter_plan(
    scaffold: Scaffold, chosen: ChosenPort, source: str, wsdl_path: str, prefixes: dict[str, str]
) -> AdapterPlan:
    return AdapterPlan(
        scaffold.system,
        f"{chosen.service} ({source})",
        wsdl_path,
        chosen.service,
        chosen.port.name,
        describe(chosen.port.binding),
        chosen.port.address,
        chosen.others,
        {prefix: uri for uri, prefix in prefixes.items()},
        tuple((op.name, op.legacy) for op in scaffold.operations),
        tuple(scaffold.skipped),
    )


def write_scaffold(settings: Settings, scaffold: Scaffold) -> list[Path]:
    """Write every file, then the include; on any failure remove what was written (folders made for it too)
    and restore the canonical XSD."""
    written: list[Path] = []
    made = sorted({folder for path in scaffold.files for folder in path.parents if not folder.exists()})
    original = settings.canonical_xsd.read_bytes()
    try:
        for path, data in scaffold.files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as out:
                written.append(path)
                out.write(data)
        if scaffold.canonical_text is not None:
            settings.canonical_xsd.write_text(scaffold.canonical_text, encoding="utf-8")
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        for folder in reversed(made):  # the deepest first
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        settings.canonical_xsd.write_bytes(original)
        raise UsageError(f"cannot write {exc.filename}: {exc.strerror or exc}; nothing was left behind") from exc
    return written


def _refuse_taken(settings: Settings, system: str) -> None:
    if not _SYSTEM_NAME.fullmatch(system):
        raise UsageError(f"{system!r} is not a system name: lower-case letters, digits and _, a letter first")
    adapter = settings.adapters_dir / f"{system}.toml"
    if adapter.exists():
        raise UsageError(f"{system} already has an adapter file, adapters/{system}.toml; choose another name")
    for taken in (settings.root / "xslt" / system, settings.canonical_xsd.parent / f"{system}.xsd"):
        if taken.exists():
            where = taken.relative_to(settings.root)
            raise UsageError(f"{where} exists already; remove it or choose another system name")


def _read(wsdl_file: Path) -> Wsdl:
    """The WSDL and its schemas, compiled as the compiler compiles them; WsdlError in one line."""
    if not wsdl_file.is_file():
        raise UsageError(f"no such WSDL file: {wsdl_file}")
    return load_wsdl(wsdl_file)


def _zeep_operations(wsdl_file: Path, service: str, port: str) -> set[str]:
    """The operations zeep, the upstream client, sees in the port when serve starts: a WSDL it refuses is
    refused now, and an operation it does not see is left out."""
    found = load_service(wsdl_file.resolve(), folder=wsdl_file.resolve().parent, service=service, port=port)
    return set(found.operations)


def _mappable(
    wsdl: Wsdl, operations: list[BindingOperation], wanted: list[str], scaffold: Scaffold, callable_names: set[str]
) -> list[_Operation]:
    found = []
    wsdl.schemas.validator()  # schemas that do not compile are refused here, as serve would refuse them
    if not operations:
        raise UsageError("the port's binding has no operations")
    for operation in operations:
        reason = unscaffoldable(operation)
        if reason is None and operation.name not in callable_names:
            reason = "zeep, the upstream client, does not find it in the binding"
        if reason is not None and operation.name in wanted:
            raise UsageError(f"cannot scaffold {operation.name}: {reason}")
        if reason is not None:
            scaffold.skipped.append(f"{operation.name}: {reason}")
            continue
        assert operation.input is not None and operation.output is not None
        found.append(_Operation(operation, message_root(wsdl, operation.input), message_root(wsdl, operation.output)))
    if not found:
        raise UsageError(f"none of the port's operations can be scaffolded: {'; '.join(scaffold.skipped)}")
    return found


def _name_canonical(settings: Settings, system: str, operations: list[_Operation], namespace: str) -> None:
    """Each operation's canonical name: the legacy one in PascalCase, made unique against the canonical XSD."""
    taken = _taken_names(settings)
    for operation in operations:
        name = pascal_case(operation.legacy.name)
        if {name, f"{name}Response"} & taken:
            name = pascal_case(system) + name
        base, number = name, 1
        while {name, f"{name}Response"} & taken:
            number += 1
            name = f"{base}{number}"
        taken |= {name, f"{name}Response"}
        request = Field("element", name, namespace, children=canonical_mirror(operation.input, namespace))
        response = Field("element", f"{name}Response", namespace)
        response.children = canonical_mirror(operation.output, namespace)
        documentation = operation.legacy.documentation
        operation.canonical = CanonicalOperation(name, operation.legacy.name, documentation, request, response)


def _taken_names(settings: Settings) -> set[str]:
    """The canonical XSD's global elements, and the pass-through operations' names, which may not be canonical."""
    document = Contract(settings.canonical_xsd).document.getroot()
    taken = {str(e.get("name")) for e in document.iterchildren(f"{{{XSD}}}element")}
    for path in adapter_files(settings):
        try:
            taken.update(load_offline(path, settings).passthrough)
        except ConfigError:
            continue  # a broken adapter file is check's to report
    return taken


def _legacy_prefixes(operations: list[_Operation]) -> dict[str, str]:
    """namespace -> prefix for every namespace a legacy message's elements are in: lg, lg2, lg3..."""
    found: dict[str, str] = {}
    for operation in operations:
        for root in (operation.input, operation.output):
            for namespace in _namespaces(root):
                found.setdefault(namespace, LEGACY_PREFIX if not found else f"{LEGACY_PREFIX}{len(found) + 1}")
    return found


def _namespaces(item: Field) -> list[str]:
    own = [item.namespace] if item.namespace and not item.unmappable else []
    return own + [namespace for child in item.children for namespace in _namespaces(child)]


def _write_operation(
    settings: Settings, wsdl: Wsdl, operation: _Operation, prefixes: dict[str, str], scaffold: Scaffold
) -> None:
    canonical = operation.canonical
    assert canonical is not None and operation.legacy.input is not None and operation.legacy.output is not None
    folder = settings.root / "xslt" / scaffold.system
    legacy_prefixes = " ".join(prefix for prefix in prefixes.values() if prefix != CANONICAL_PREFIX) or "#default"
    request_sides = Sides(
        f"{canonical.name} (canonical) -> {operation.legacy.name} ({scaffold.system})",
        "canonical request",
        "legacy request",
        prefixes,
        CANONICAL_PREFIX,
    )
    response_sides = Sides(
        f"{operation.legacy.name} answer ({scaffold.system}) -> {canonical.name}Response (canonical)",
        "legacy answer",
        "canonical answer",
        prefixes,
        legacy_prefixes,
    )
    request = request_stylesheet(canonical.request, operation.input, request_sides)
    response = response_stylesheet(operation.output, canonical.response, response_sides)
    given = legacy_sample(wsdl, operation.legacy.input)
    canonical_request = canonical_sample(canonical.request, operation.input, given, CANONICAL_PREFIX)
    answer = legacy_sample(wsdl, operation.legacy.output)
    scaffold.files.update(
        {
            folder / f"{canonical.name}.request.xsl": request.encode(),
            folder / f"{canonical.name}.response.xsl": response.encode(),
            folder / "samples" / f"{canonical.name}.request.in.xml": document_text(canonical_request).encode(),
            folder / "samples" / f"{canonical.name}.response.in.xml": document_text(answer).encode(),
        }
    )


def _place_wsdl(settings: Settings, system: str, wsdl: Wsdl, wsdl_file: Path, scaffold: Scaffold) -> str:
    """The WSDL's path for the adapter file: where it is, inside the project; else copied, with the local files
    it imports, under wsdl/<system>/ (their layout kept, so the imports still resolve)."""
    resolved = wsdl_file.resolve()
    if resolved.is_relative_to(settings.wsdl_dir.resolve()):
        return str(resolved.relative_to(settings.root.resolve()))
    documents = [path.resolve() for path in local_documents(wsdl)]
    base = Path(os.path.commonpath([path.parent for path in documents]))
    target = settings.wsdl_dir / system
    for path in documents:
        destination = target / path.relative_to(base)
        data = path.read_bytes()
        if destination.exists():
            if destination.read_bytes() != data:
                raise UsageError(f"{destination.relative_to(settings.root)} exists and differs from {path}")
            continue  # the same file, copied before
        scaffold.files[destination] = data
    return str((target / resolved.relative_to(base)).relative_to(settings.root))


def _canonical_module(settings: Settings, source: str, canonical_root: etree._Element, scaffold: Scaffold) -> None:
    module = settings.canonical_xsd.parent / f"{scaffold.system}.xsd"
    text = module_text(scaffold.system, source, canonical_root, scaffold.operations)
    scaffold.files[module] = text.encode()
    scaffold.include = include_line(canonical_root, module.name)
    edited = with_include(settings.canonical_xsd.read_text(encoding="utf-8"), canonical_root, scaffold.include)
    if edited is not None:
        _refuse_uncompiled(settings, module, text, edited)
    scaffold.canonical_text = edited


def _refuse_uncompiled(settings: Settings, module: Path, text: str, edited: str) -> None:
    """ConfigError unless the canonical XSD, edited, and the module make a contract that compiles (tried in a
    copy of wsdl/canonical/): a scaffold that breaks the canonical contract is never written."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        for path in settings.canonical_xsd.parent.glob("*.xsd"):
            (copy / path.name).write_bytes(path.read_bytes())
        (copy / module.name).write_text(text, encoding="utf-8")
        (copy / settings.canonical_xsd.name).write_text(edited, encoding="utf-8")
        try:
            etree.XMLSchema(Contract(copy / settings.canonical_xsd.name).document)
        except (ConfigError, etree.XMLSchemaParseError) as exc:
            reason = str(exc).replace(f"{copy}/", "")
            raise ConfigError(f"the canonical module made for it does not compile: {reason}", file=module.name) from exc
