"""The runtime folder: where the worker processes of one gateway share files that live as long as it does (its
metrics); what must outlive a restart is in the state folder (soapbridge.stores.state_folder)."""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path


def runtime_folder(configured: Path | None, owner: object) -> Path:
    """The configured folder (made if missing), else a new temporary one, removed when owner is collected or
    the process that made it exits; forked workers inherit the finalizer, not the right to remove it."""
    if configured is not None:
        configured.mkdir(parents=True, exist_ok=True)
        return configured
    folder = Path(tempfile.mkdtemp(prefix="soapbridge-runtime-"))
    weakref.finalize(owner, _remove_if_owner, folder, os.getpid())
    return folder


def _remove_if_owner(folder: Path, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)
