"""``prestart.prepare_workers``: shared state once in the parent, then uvicorn forks.

Each case runs in a fresh interpreter, as the service's parent process does: in a pytest
worker other tests' threads would make ``prepare_workers`` (rightly) choose to spawn, and its
``gc.collect()`` would finalise objects other tests left behind.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.support.app import stub_config

pytestmark = pytest.mark.xdist_group("workers")

SCRIPT = textwrap.dedent(
    """
    import gc, json, sys
    from pathlib import Path

    import uvicorn._subprocess

    from lightspeed_core.config import configuration_from_data
    from lightspeed_core.config.settings import Environment, Settings
    from lightspeed_core.prestart import prepare_workers

    data = json.loads(sys.argv[1])
    folder = Path(sys.argv[2])
    settings = Settings(configuration_from_data(data), folder, Environment({}))
    prepared = prepare_workers(settings)
    print(json.dumps({
        "prepared": prepared,
        "start_method": uvicorn._subprocess.spawn.get_start_method(),
        "gc_enabled": gc.isenabled(),
    }))
    """
)


def _prepare(db_path: Path) -> dict[str, Any]:
    data = stub_config(
        "http://127.0.0.1:9/v1",
        llama_stack={"use_as_library_client": False, "url": "http://127.0.0.1:9", "config": None},
        inference=None,
        database={"sqlite": {"db_path": str(db_path)}},
    )
    folder = db_path.parent if db_path.parent.is_dir() else db_path.parent.parent
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(data), str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_parent_migrates_then_uvicorn_forks(tmp_path: Path) -> None:
    db_path = tmp_path / "lightspeed.db"
    result = _prepare(db_path)
    assert result == {"prepared": True, "start_method": "fork", "gc_enabled": True}
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()


def test_a_failed_preparation_leaves_the_workers_to_start_as_before(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = _prepare(blocker / "lightspeed.db")
    assert result == {"prepared": False, "start_method": "spawn", "gc_enabled": True}
