"""Emulated legacy systems: real SOAP servers over HTTP, each from a static, hand-written WSDL.

They stand in for the CRM, billing, weather, mailing and EHR systems a real deployment has.
They share nothing with the gateway but the XML parser: an emulator never imports the
gateway, the engine or the adapters.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path

from ._soap import Emulator, LegacyFault, SoapRequest

#: The emulated systems, in the order they start.
SYSTEMS = ("crm", "billing", "weather", "mailing", "ehr")


def build(name: str, wsdl_root: Path, env: Mapping[str, str]) -> Emulator:
    """A fresh emulator, with freshly seeded state, for one system.

    wsdl_root is the project's wsdl/ folder; env supplies the system's own settings
    (crm's accounts, for instance), normally os.environ.
    """
    if name not in SYSTEMS:
        raise ValueError(f"unknown legacy system {name!r}; known: {', '.join(SYSTEMS)}")
    module = importlib.import_module(f".{name}", __name__)
    emulator: Emulator = module.build(wsdl_root, env)
    return emulator


__all__ = ["SYSTEMS", "Emulator", "LegacyFault", "SoapRequest", "build"]
