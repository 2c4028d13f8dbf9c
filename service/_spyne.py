"""spyne, importable on Python 3.12 and later: take spyne's names from here, never from spyne.

spyne 2.14 bundles a patched six 1.14 as spyne.util.six. That six serves `six.moves.*`
through an import hook that only has the find_module()/load_module() API, which Python 3.12
removed, so `spyne.util.six.moves.*` cannot be imported and spyne fails on its first import.

Before spyne is imported, its own bundled six is loaded (keeping spyne's additions to it)
and its hook is given the find_spec()/create_module()/exec_module() API, as six 1.16 did
upstream. On 3.11 the same path is taken, so every version runs the same code.
"""

from __future__ import annotations

import importlib.util
import sys
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

_BUNDLED = "spyne.util.six"


def _find_spec(self: Any, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
    return importlib.util.spec_from_loader(fullname, self) if fullname in self.known_modules else None


def _create_module(self: Any, spec: ModuleSpec) -> ModuleType:
    module: ModuleType = self.load_module(spec.name)
    return module


def _exec_module(self: Any, module: ModuleType) -> None:
    """The module was fully made by create_module()."""


def _load_bundled_six() -> None:
    if _BUNDLED in sys.modules:
        return
    package = importlib.util.find_spec("spyne")
    if package is None or not package.submodule_search_locations:
        raise ImportError("spyne is not installed")
    source = Path(next(iter(package.submodule_search_locations))) / "util" / "six.py"
    spec = importlib.util.spec_from_file_location(_BUNDLED, source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[_BUNDLED] = module
    spec.loader.exec_module(module)
    hook = type(module._importer)
    if not hasattr(hook, "find_spec"):
        hook.find_spec, hook.create_module, hook.exec_module = _find_spec, _create_module, _exec_module


_load_bundled_six()

# Every use of spyne in soapbridge goes through these names, so no import order can bring
# spyne in before its six is repaired.
from spyne import Application, Fault, ServiceBase, rpc  # noqa: E402
from spyne.interface.wsdl import Wsdl11  # noqa: E402
from spyne.protocol.soap import Soap11, Soap12  # noqa: E402
from spyne.util.appreg import unregister_application  # noqa: E402

__all__ = ["Application", "Fault", "ServiceBase", "Soap11", "Soap12", "Wsdl11", "rpc", "unregister_application"]
