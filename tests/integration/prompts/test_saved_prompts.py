"""``/v1/saved-prompts``: per user, in our database, with the configured limits."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.integration.prompts.conftest import ALICE, BOB, LIMITS
from tests.support.app import RunningApp

pytestmark = pytest.mark.xdist_group("prompts")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


async def test_config_reports_the_limits(engine_app: RunningApp) -> None:
    response = await engine_app.client.get("/v1/saved-prompts/config")
    assert response.json() == LIMITS


async def test_create_list_delete_per_user(engine_app: RunningApp) -> None:
    client = engine_app.client
    user = {"user_id": f"carol-{uuid.uuid4().hex[:6]}"}
    created = await client.post(
        "/v1/saved-prompts", params=user, json={"name": "  Deploy  ", "content": "Checklist"}
    )
    assert created.status_code == 201, created.text
    prompt = created.json()
    assert uuid.UUID(prompt["id"])
    assert (prompt["name"], prompt["content"]) == ("Deploy", "Checklist")
    assert TIMESTAMP.fullmatch(prompt["created_at"])
    assert prompt["updated_at"] == prompt["created_at"]
    assert (await client.get("/v1/saved-prompts", params=user)).json() == {"prompts": [prompt]}
    assert prompt not in (await client.get("/v1/saved-prompts", params=BOB)).json()["prompts"]

    duplicate = await client.post(
        "/v1/saved-prompts", params=user, json={"name": "Deploy", "content": "other"}
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["detail"] == {
        "response": "Saved Prompt already exists",
        "cause": "Saved Prompt with name 'Deploy' is already registered",
    }
    other_user = await client.post(
        "/v1/saved-prompts", params=BOB, json={"name": "Deploy", "content": "mine"}
    )
    assert other_user.status_code == 201

    foreign = await client.delete(f"/v1/saved-prompts/{prompt['id']}", params=BOB)
    assert foreign.status_code == 403
    assert foreign.json()["detail"] == {
        "response": "User does not have permission to perform this action",
        "cause": f"User bob does not have permission to delete saved prompt with ID {prompt['id']}",
    }
    deleted = await client.delete(f"/v1/saved-prompts/{prompt['id']}", params=user)
    assert deleted.json() == {
        "deleted": True,
        "prompt_id": prompt["id"],
        "response": "Saved prompt deleted successfully",
    }
    missing = await client.delete(f"/v1/saved-prompts/{prompt['id']}", params=user)
    assert missing.json() == {
        "deleted": False,
        "prompt_id": prompt["id"],
        "response": "Saved prompt not found",
    }
    assert (await client.get("/v1/saved-prompts", params=user)).json() == {"prompts": []}


async def test_limit_per_user(engine_app: RunningApp) -> None:
    client = engine_app.client
    user = {"user_id": f"dave-{uuid.uuid4().hex[:6]}"}
    for number in range(3):
        created = await client.post(
            "/v1/saved-prompts", params=user, json={"name": f"p{number}", "content": "c"}
        )
        assert created.status_code == 201
    over = await client.post("/v1/saved-prompts", params=user, json={"name": "p3", "content": "c"})
    assert over.status_code == 422
    assert over.json()["detail"] == {
        "response": "Saved prompt limit exceeded",
        "cause": "Saved prompt limit exceeded: 3 existing prompts, maximum is 3",
    }
    assert len((await client.get("/v1/saved-prompts", params=user)).json()["prompts"]) == 3
    assert (
        await client.post("/v1/saved-prompts", params=ALICE, json={"name": "p3", "content": "c"})
    ).status_code in (201, 409)  # another user's limit is separate


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ({"name": " ", "content": "c"}, "Saved prompt name must not be empty"),
        ({"name": "n" * 21, "content": "c"}, "Saved prompt name must be at most 20 characters"),
        ({"name": "n", "content": "  "}, "Saved prompt content must not be empty"),
        (
            {"name": "n", "content": "c" * 101},
            "Saved prompt content must be at most 100 characters",
        ),
    ],
)
async def test_invalid_values_are_422(
    engine_app: RunningApp, body: dict[str, str], cause: str
) -> None:
    response = await engine_app.client.post("/v1/saved-prompts", params=ALICE, json=body)
    assert response.status_code == 422
    assert response.json()["detail"] == {"response": "Invalid attribute value", "cause": cause}


async def test_schema_errors_and_bad_ids(engine_app: RunningApp) -> None:
    client = engine_app.client
    extra = await client.post("/v1/saved-prompts", json={"name": "n", "content": "c", "x": 1})
    assert extra.status_code == 422
    assert extra.json()["detail"][0]["type"] == "extra_forbidden"
    bad = await client.delete("/v1/saved-prompts/abc123")
    assert bad.status_code == 400
    assert bad.json()["detail"] == {
        "response": "Invalid saved prompt ID format",
        "cause": "The saved prompt ID abc123 has invalid format.",
    }
