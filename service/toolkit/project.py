"""The project's configuration as the offline tools read it: no secrets needed, messages short.

`check` and `transform` run where the legacy systems' credentials are not (a tester's laptop,
CI), so adapter files are read with need_secrets=False; the gateway itself still refuses to
start without them.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..config import AdapterConfig, load_adapter
from ..errors import MappingError, UsageError
from ..namespaces import CONTEXT
from ..settings import Settings


def adapter_files(settings: Settings) -> list[Path]:
    return sorted(settings.adapters_dir.glob("*.toml"))


def load_offline(path: Path, settings: Settings) -> AdapterConfig:
    """An adapter file, read as `serve` reads it, except that credentials may be unset."""
    return load_adapter(path, settings, need_secrets=False)


def find_adapter(settings: Settings, name: str) -> AdapterConfig:
    """The adapter called name; UsageError naming the adapters there are."""
    files = {path.stem: path for path in adapter_files(settings)}
    if name not in files:
        known = ", ".join(files) or f"none in {settings.adapters_dir}"
        raise UsageError(f"no adapter {name!r}; the adapters are: {known}")
    return load_offline(files[name], settings)


def unset_credentials(adapter: AdapterConfig, settings: Settings) -> list[str]:
    """The credential and parameter variables the adapter names that the environment does not set."""
    variables: tuple[str, ...] = adapter.credentials.variables if adapter.credentials else ()
    variables += tuple(parameter.variable for parameter in adapter.parameters.values() if parameter.variable)
    return [variable for variable in variables if not settings.env.get(variable)]


def relative(message: str, root: Path) -> str:
    """A message with the project folder left out of the paths in it."""
    return message.replace(f"{root}/", "")


def mapping_problem(error: MappingError) -> str:
    """One line: the stylesheet, its line when known, and what XSLT said."""
    if error.message.startswith(error.stylesheet):
        return error.message
    where = f"{error.stylesheet}, line {error.line}" if error.line else error.stylesheet
    return f"{where}: {error.message}"


def is_context(document: etree._Element) -> bool:
    """True for a composite's context document (ctx:context: the request and the steps' answers)."""
    return bool(document.tag == f"{{{CONTEXT}}}context")


def request_in(document: etree._Element) -> etree._Element | None:
    """The canonical request a document holds: itself, or the one inside a context."""
    if not is_context(document):
        return document
    holder = document.find(f"{{{CONTEXT}}}request")
    return next(holder.iterchildren(tag=etree.Element), None) if holder is not None else None
