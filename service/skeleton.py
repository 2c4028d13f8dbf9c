"""The demo project a new gateway starts from: adapters/, wsdl/, xslt/, flows/ and clients.toml.

An installed wheel carries them as package data (soapbridge/project/, copied in at build time by setup.py);
a checkout has them at its root. `soapbridge init` copies them into a folder of the user's, and the settings
name this module's PARTS when a folder is not a project.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from .errors import UsageError

#: What a project folder holds, the first being what marks a folder as one.
PARTS = ("adapters", "wsdl", "xslt", "flows", "clients.toml")
#: Where a checkout keeps them (the folder above service/).
CHECKOUT = Path(__file__).resolve().parent.parent
#: Where an installed wheel keeps them, inside the package.
PACKAGED = "project"


def is_project(folder: Path) -> bool:
    return (folder / PARTS[0]).is_dir()


def template() -> Path:
    """The folder holding the demo project: the package's own copy, else the checkout's."""
    packaged = Path(str(resources.files("soapbridge") / PACKAGED))
    for folder in (packaged, CHECKOUT):
        if is_project(folder):
            return folder
    raise UsageError(f"this installation carries no demo project (looked in {packaged} and {CHECKOUT})")


def write_project(target: Path) -> list[str]:
    """Copy the demo project into target, which must be missing or empty; returns what was written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} exists and is not an empty folder; name a new one")
    source = template()
    target.mkdir(parents=True, exist_ok=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, ignore=skip)
        else:
            shutil.copy2(source / part, target / part)
    return list(PARTS)
