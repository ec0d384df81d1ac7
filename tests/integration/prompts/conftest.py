"""One service per database engine for the prompts, saved-prompts and skills tests.

The app runs in library mode against the scripted backend, with two skills configured and
small saved-prompt limits; ``ALICE`` and ``BOB`` are two noop-authenticated users.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.postgres import postgres_block

ALICE = {"user_id": "alice"}
BOB = {"user_id": "bob"}
LIMITS = {"max_prompts_per_user": 3, "max_display_name_length": 20, "max_content_length": 100}


def write_skills(root: Path) -> Path:
    """``root/skills`` with two skills (one with a resource file)."""
    for folder, name, description in [
        ("review", "code-review", "Review code for quality and security"),
        ("ocp", "openshift-troubleshooting", "Troubleshoot OpenShift cluster issues"),
    ]:
        skill = root / "skills" / folder
        (skill / "references").mkdir(parents=True)
        (skill / "SKILL.md").write_text(
            f"---\nname: {name}\ndescription: {description}\n---\n# {name}\n"
        )
        (skill / "references" / "notes.md").write_text("notes\n")
    return root / "skills"


@pytest.fixture(
    scope="package", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def engine_app(
    request: pytest.FixtureRequest,
    scripted: BackgroundServer,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_db: str,
) -> AsyncIterator[RunningApp]:
    folder = tmp_path_factory.mktemp(f"prompts-{request.param}")
    database: dict[str, Any]
    if request.param == "postgres":
        namespace = f"t_{uuid.uuid4().hex[:10]}"
        database = {"postgres": postgres_block(postgres_db, namespace=namespace)}
    else:
        database = {"sqlite": {"db_path": str(folder / "lightspeed.db")}}
    config = stub_config(
        scripted.base_url,
        database=database,
        skills={"paths": [str(write_skills(folder))]},
        saved_prompts=LIMITS,
    )
    async with running_app(config, folder) as app:
        yield app
