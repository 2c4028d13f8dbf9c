"""The runtime folder the workers of one gateway share: configured, or temporary and removed with its owner."""

from __future__ import annotations

import gc
from pathlib import Path

from soapbridge.runtime import runtime_folder


class Owner:
    """Something whose lifetime the temporary folder follows, as the gateway's does in a server."""


def test_a_configured_folder_is_made_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "run" / "soapbridge"
    owner = Owner()
    assert runtime_folder(folder, owner) == folder and folder.is_dir()
    del owner
    gc.collect()
    assert folder.is_dir()


def test_a_temporary_folder_goes_with_its_owner() -> None:
    owner = Owner()
    folder = runtime_folder(None, owner)
    assert folder.is_dir() and folder.name.startswith("soapbridge-runtime-")
    del owner
    gc.collect()
    assert not folder.exists()
