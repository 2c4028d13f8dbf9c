"""The state folder: var/ in the project unless SOAPBRIDGE_STATE_DIR says otherwise, so that stores and the journal
outlive a restart; a Settings built in code (every in-process test gateway) gets a new temporary one instead."""

from __future__ import annotations

import gc
from pathlib import Path

from soapbridge.settings import Settings
from soapbridge.stores import is_redis, state_folder


class Owner:
    """Something whose lifetime a temporary folder follows, as the gateway's does."""


def test_the_environment_puts_state_in_the_project_or_where_it_says(project: Path, tmp_path: Path) -> None:
    assert Settings.from_env({"SOAPBRIDGE_HOME": str(project)}).state_dir == project.resolve() / "var"
    chosen = tmp_path / "elsewhere"
    assert Settings.from_env({"SOAPBRIDGE_HOME": str(project), "SOAPBRIDGE_STATE_DIR": str(chosen)}).state_dir == chosen


def test_a_configured_folder_is_made_and_outlives_its_owner(tmp_path: Path) -> None:
    owner, folder = Owner(), tmp_path / "var" / "soapbridge"
    assert state_folder(folder, owner) == folder and folder.is_dir()
    del owner
    gc.collect()
    assert folder.is_dir()


def test_a_settings_built_in_code_gets_a_new_folder_that_goes_with_its_owner(project: Path) -> None:
    owner, other = Owner(), Owner()
    folder = state_folder(Settings(root=project).state_dir, owner)
    assert folder.is_dir() and folder != state_folder(None, other) and not folder.is_relative_to(project)
    del owner
    gc.collect()
    assert not folder.exists()


def test_a_store_setting_names_redis_by_its_scheme() -> None:
    assert all(map(is_redis, ["redis://h:6379/0", "rediss://h/0", "unix:///run/redis.sock"]))
    assert not any(map(is_redis, [None, "/var/lib/soapbridge/keys.sqlite3", "redis.sqlite3"]))
