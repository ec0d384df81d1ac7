"""``GET /v1/skills`` and the skill tools in ``GET /v1/tools``."""

from __future__ import annotations

import pytest

from lightspeed_core.llm.builtin_tools import builtin_tools
from tests.support.app import RunningApp

pytestmark = pytest.mark.xdist_group("prompts")


async def test_skills_from_front_matter(engine_app: RunningApp) -> None:
    response = await engine_app.client.get("/v1/skills")
    assert response.status_code == 200
    assert response.json() == {
        "skills": [
            {
                "name": "openshift-troubleshooting",
                "description": "Troubleshoot OpenShift cluster issues",
            },
            {"name": "code-review", "description": "Review code for quality and security"},
        ]
    }


async def test_skill_tools_are_listed(engine_app: RunningApp) -> None:
    tools = (await engine_app.client.get("/v1/tools")).json()["tools"]
    skill_tools = [t for t in tools if t["server_source"] == "skills"]
    assert [t["identifier"] for t in skill_tools] == [
        "list_skills",
        "load_skill",
        "read_skill_resource",
    ]
    assert skill_tools[1] == {
        "identifier": "load_skill",
        "description": skill_tools[1]["description"],
        "parameters": [
            {
                "name": "skill_name",
                "description": "Name of the skill, as list_skills reports it.",
                "parameter_type": "string",
                "required": True,
                "default": None,
            }
        ],
        "provider_id": "skills",
        "toolgroup_id": "skills",
        "server_source": "skills",
        "type": "tool",
    }


async def test_builtin_tools_table_matches_library_mode(engine_app: RunningApp) -> None:
    """Server mode derives OGX's built-in tools from a table; library mode lists the real ones."""
    listed = [
        t
        for t in (await engine_app.client.get("/v1/tools")).json()["tools"]
        if t["server_source"] == "builtin"
    ]
    derived = builtin_tools(await engine_app.services.llm.list_providers())
    assert [
        (t["identifier"], t["description"], t["provider_id"], t["toolgroup_id"]) for t in listed
    ] == [(d.name, d.description, d.provider_id, d.toolgroup_id) for d in derived]
    file_search = next(t for t in listed if t["identifier"] == "file_search")
    assert [(p["name"], p["required"]) for p in file_search["parameters"]] == [("query", True)]
