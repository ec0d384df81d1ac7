"""``prestart.prepare_workers``: shared state once in the parent, then uvicorn forks."""

from __future__ import annotations

import gc
import sqlite3
from pathlib import Path

import pytest
import uvicorn._subprocess

from lightspeed_core.config import configuration_from_data
from lightspeed_core.config.settings import Environment, Settings
from lightspeed_core.prestart import prepare_workers
from tests.support.app import stub_config

pytestmark = pytest.mark.xdist_group("workers")


def _server_mode_settings(db_path: Path) -> Settings:
    data = stub_config(
        "http://127.0.0.1:9/v1",
        llama_stack={"use_as_library_client": False, "url": "http://127.0.0.1:9", "config": None},
        inference=None,
        database={"sqlite": {"db_path": str(db_path)}},
    )
    return Settings(configuration_from_data(data), db_path.parent, Environment({}))


@pytest.fixture
def restored_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever ``prepare_workers`` sets on uvicorn is undone after the test."""
    monkeypatch.setattr(uvicorn._subprocess, "spawn", uvicorn._subprocess.spawn)


@pytest.mark.usefixtures("restored_uvicorn")
def test_the_parent_migrates_then_uvicorn_forks(tmp_path: Path) -> None:
    db_path = tmp_path / "lightspeed.db"
    try:
        assert prepare_workers(_server_mode_settings(db_path)) is True
    finally:
        gc.unfreeze()
    assert uvicorn._subprocess.spawn.get_start_method() == "fork"
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert gc.isenabled()


@pytest.mark.usefixtures("restored_uvicorn")
def test_a_failed_preparation_leaves_the_workers_to_start_as_before(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    try:
        assert prepare_workers(_server_mode_settings(blocker / "lightspeed.db")) is False
    finally:
        gc.unfreeze()
    assert uvicorn._subprocess.spawn.get_start_method() == "spawn"
    assert gc.isenabled()
