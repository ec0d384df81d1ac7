"""``POST /v1/infer`` (rlsapi v1) on SQLite and PostgreSQL, against real OGX and the stub.

One service per engine: rh-identity authentication, a per-user limiter charged to the
caller's ``org_id`` (``rlsapi_v1.quota_subject``), verbose answers allowed, a system prompt
template that reaches for Python internals when the client says its OS is ``evil``, and a
skill folder (the skill tools run by the pipeline are checked here too, on ``/v1/query``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.api.routes import rlsapi
from lightspeed_core.auth.rh_identity import RHIdentityAuth
from lightspeed_core.config.models.auth import RHIdentityConfiguration
from lightspeed_core.testing.scripted_backend import BackgroundServer
from lightspeed_core.vocabulary.actions import Action
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.auth import rh_identity
from tests.support.auth.harness import auth_app, base_config, client_for, route_table
from tests.support.postgres import postgres_block
from tests.support.wire import sample_json

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("infer-app")]

PROMPT = (
    "{% if os == 'evil' %}{{ ''.__class__.__mro__[1].__subclasses__() }}{% endif %}"
    "You help on {{ os }} {{ version }} ({{ arch }}); today is {{ date }}."
)
INITIAL = 100_000


def _skills(folder: Path) -> Path:
    skill = folder / "skills" / "code-review"
    (skill / "references").mkdir(parents=True)
    (skill / "SKILL.md").write_text(
        "---\nname: code-review\ndescription: Review code\n---\nCheck the tests first.\n"
    )
    (skill / "references" / "checklist.md").write_text("1. tests\n")
    (folder / "secret.txt").write_text("top secret")
    return folder / "skills"


def _config(base_url: str, block: dict[str, Any], skills: Path) -> dict[str, Any]:
    limiter = {
        "type": "user_limiter",
        "name": "per-user",
        "initial_quota": INITIAL,
        "quota_increase": 0,
        "period": "1 day",
    }
    return stub_config(
        base_url,
        database=block,
        authentication={"module": "rh-identity", "rh_identity_config": {}},
        authorization={"access_rules": [{"role": "*", "actions": ["admin"]}]},
        quota_handlers={**block, "limiters": [limiter]},
        rlsapi_v1={"allow_verbose_infer": True, "quota_subject": "org_id"},
        customization={"system_prompt": PROMPT},
        skills={"paths": [str(skills)]},
    )


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def engine_block(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """A folder and a ``database`` block for each engine (PostgreSQL: its own schema)."""
    folder = tmp_path_factory.mktemp(f"infer-{request.param}")
    if request.param == "sqlite":
        return folder, {"sqlite": {"db_path": str(folder / "lightspeed.db")}}
    name: str = request.getfixturevalue("postgres_db")
    return folder, {"postgres": postgres_block(name, namespace=f"t_{uuid.uuid4().hex[:10]}")}


@pytest.fixture(scope="module")
async def infer_app(
    engine_block: tuple[Path, dict[str, Any]], scripted: BackgroundServer
) -> AsyncIterator[RunningApp]:
    folder, block = engine_block
    async with running_app(_config(scripted.base_url, block, _skills(folder)), folder) as app:
        yield app


def _identity(org_id: str = "org-1", user_id: str = "u-123") -> dict[str, str]:
    return {"x-rh-identity": rh_identity.encode(rh_identity.user(user_id, org_id=org_id))}


async def _post(app: RunningApp, body: Any, **headers: str) -> Any:
    return await app.client.post("/v1/infer", json=body, headers=headers or _identity())


async def test_answer_matches_reference_shape(infer_app: RunningApp) -> None:
    response = await _post(infer_app, {"question": "Say hello"})
    assert response.status_code == 200, response.text
    body = response.json()
    expected = sample_json("06-infer.txt")
    assert list(body) == list(expected) == ["data"]
    assert list(body["data"]) == list(expected["data"])  # text, request_id: nulls left out
    assert body["data"]["text"] == "Hello from stub"
    uuid.UUID(body["data"]["request_id"])


async def test_context_and_rendered_prompt_reach_the_model(
    infer_app: RunningApp, clear_requests: BackgroundServer
) -> None:
    body = {
        "question": "Why does this fail?",
        "context": {
            "stdin": "piped input",
            "attachments": {"contents": "key=value", "mimetype": "text/plain"},
            "terminal": {"output": "bash: foo: command not found"},
            "systeminfo": {"os": "RHEL", "version": "9.3", "arch": "x86_64", "id": "m-1"},
            "cla": {"nevra": "command-line-assistant-0:0.2.0-1.el9.noarch", "version": "0.2.0"},
        },
    }
    response = await _post(infer_app, body)
    assert response.status_code == 200, response.text
    (sent,) = clear_requests.backend.requests
    system, *_, user = sent["messages"]
    assert system["role"] == "system"
    assert system["content"].startswith("You help on RHEL 9.3 (x86_64); today is 20")
    assert user["content"] == (
        "Why does this fail?\n\npiped input\n\nkey=value\n\nbash: foo: command not found"
    )
    assert len(sent["messages"]) == 2  # stateless: no history


async def test_template_reaching_python_internals_is_refused(
    infer_app: RunningApp, clear_requests: BackgroundServer
) -> None:
    body = {"question": "hi", "context": {"systeminfo": {"os": "evil"}}}
    response = await _post(infer_app, body)
    assert response.status_code == 500
    detail = response.json()["detail"]
    assert detail["response"] == "System prompt template refused"
    assert "__subclasses__" not in response.text
    assert clear_requests.backend.requests == []  # the model was never called


async def test_quota_is_charged_to_the_org(infer_app: RunningApp) -> None:
    org = f"org-{uuid.uuid4().hex[:8]}"
    response = await _post(infer_app, {"question": "Say hello"}, **_identity(org_id=org))
    assert response.status_code == 200, response.text
    (view,) = await infer_app.services.quota.admin.quotas(org)
    assert 0 < INITIAL - view.state.available < 1000
    (user_view,) = await infer_app.services.quota.admin.quotas("u-123")
    assert user_view.state.available == INITIAL  # the user's own bucket is untouched


async def test_verbose_metadata_and_nothing_stored(infer_app: RunningApp) -> None:
    body = {"question": "Say hello", "include_metadata": True}
    response = await _post(infer_app, body)
    data = response.json()["data"]
    assert data["text"] == "Hello from stub"
    assert data["output_tokens"] == 3
    assert data["input_tokens"] > 0
    for key in ("tool_calls", "tool_results", "rag_chunks", "referenced_documents"):
        assert data[key] == []
    listed = await infer_app.client.get("/v1/conversations", headers=_identity())
    assert listed.json()["conversations"] == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "question"),
        ({"question": ""}, "question"),
        ({"question": "x", "unknown": 1}, "unknown"),
        ({"question": "x", "context": {"systeminfo": {"os": "RHEL; rm -rf /"}}}, "os"),
        ({"question": "x", "context": {"stdin": "x" * 65_537}}, "stdin"),
    ],
)
async def test_bad_requests_are_422(infer_app: RunningApp, body: Any, fragment: str) -> None:
    response = await _post(infer_app, body)
    assert response.status_code == 422
    assert fragment in json.dumps(response.json()["detail"])


@pytest.mark.parametrize(
    ("directive", "status", "summary"),
    [
        ("[[error:context]]", 413, "Prompt is too long"),
        ("[[error:429]]", 429, "The model quota has been exceeded"),
        ("[[error:500]]", 500, "Internal server error"),
    ],
)
async def test_backend_failures_map_to_contract(
    infer_app: RunningApp, directive: str, status: int, summary: str
) -> None:
    response = await _post(infer_app, {"question": directive})
    assert response.status_code == status
    assert response.json()["detail"]["response"] == summary


async def test_unauthenticated_is_401(infer_app: RunningApp) -> None:
    response = await infer_app.client.post("/v1/infer", json={"question": "x"})
    assert response.status_code == 401
    assert response.json()["detail"]  # rh-identity's plain-string detail, as the reference


async def test_skill_tool_called_by_the_model_runs_here(
    infer_app: RunningApp, clear_requests: BackgroundServer
) -> None:
    call = '[[tool:load_skill {"skill_name": "code-review"}]]'
    body = {"query": call, "generate_topic_summary": False}
    response = await infer_app.client.post("/v1/query", json=body, headers=_identity())
    assert response.status_code == 200, response.text
    answer = response.json()
    (tool_call,) = answer["tool_calls"]
    assert tool_call["name"] == "load_skill"
    assert tool_call["args"] == {"skill_name": "code-review"}
    (result,) = answer["tool_results"]
    assert result["status"] == "success"
    assert "Check the tests first." in result["content"]
    assert answer["response"].startswith("Tool said: Check the tests first.")
    offered = {t["function"]["name"] for t in clear_requests.backend.requests[0]["tools"]}
    assert {"list_skills", "load_skill", "read_skill_resource"} <= offered


async def test_skill_resource_outside_the_skill_is_refused(infer_app: RunningApp) -> None:
    args = {"skill_name": "code-review", "resource_name": "../../secret.txt"}
    body = {"query": f"[[tool:read_skill_resource {json.dumps(args)}]]"}
    response = await infer_app.client.post(
        "/v1/streaming_query", json={**body, "generate_topic_summary": False}, headers=_identity()
    )
    events = [json.loads(line[6:]) for line in response.text.splitlines() if line]
    results = [e["data"] for e in events if e["event"] == "tool_result"]
    assert [r["status"] for r in results] == ["failure"]
    assert "top secret" not in response.text


async def test_rbac_without_rlsapi_v1_infer_is_403() -> None:
    """Through the real route's guard (the auth harness: no model needed)."""
    config = base_config(
        authentication={"module": "rh-identity", "rh_identity_config": {}},
        authorization={"access_rules": [{"role": "*", "actions": ["query"]}]},
    )
    backend = RHIdentityAuth(RHIdentityConfiguration())
    routes = [r for r in route_table([rlsapi.router]) if r.path == "/v1/infer"]
    assert [r.action for r in routes] == [Action.RLSAPI_V1_INFER]
    async with client_for(auth_app(config, backend, routes)) as client:
        denied = await client.post("/v1/infer", json={"question": "x"}, headers=_identity())
    assert denied.status_code == 403
    assert denied.json()["detail"] == {
        "response": "User does not have permission to access this endpoint",
        "cause": "User u-123 is not authorized to access this endpoint.",
    }
