"""``/v1/prompts`` over OGX's Prompts API in library mode, on both database engines."""

from __future__ import annotations

import re

import pytest

from tests.support.app import RunningApp

pytestmark = pytest.mark.xdist_group("prompts")
MISSING = "pmpt_" + "0" * 48


async def test_create_list_get_version_delete(engine_app: RunningApp) -> None:
    client = engine_app.client
    created = await client.post(
        "/v1/prompts", json={"prompt": "Summarize: {{text}}", "variables": ["text"]}
    )
    assert created.status_code == 200, created.text
    body = created.json()
    prompt_id = body["prompt_id"]
    assert body == {
        "prompt_id": prompt_id,
        "version": 1,
        "is_default": True,
        "prompt": "Summarize: {{text}}",
        "variables": ["text"],
    }
    assert re.fullmatch(r"pmpt_[0-9a-f]{48}", prompt_id)
    listed = (await client.get("/v1/prompts")).json()["data"]
    assert body in listed

    updated = await client.put(
        f"/v1/prompts/{prompt_id}",
        json={
            "prompt": "Shorten: {{text}} in {{n}} words",
            "version": 1,
            "variables": ["text", "n"],
        },
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    latest = (await client.get(f"/v1/prompts/{prompt_id}")).json()
    assert (latest["version"], latest["is_default"]) == (2, True)
    first = (await client.get(f"/v1/prompts/{prompt_id}", params={"version": 1})).json()
    assert (first["prompt"], first["is_default"]) == ("Summarize: {{text}}", False)

    stale = await client.put(f"/v1/prompts/{prompt_id}", json={"prompt": "x", "version": 1})
    assert stale.status_code == 422
    assert stale.json()["detail"]["response"] == "Invalid attribute value"
    assert "latest" in stale.json()["detail"]["cause"]
    kept = await client.put(
        f"/v1/prompts/{prompt_id}", json={"prompt": "draft", "version": 2, "set_as_default": False}
    )
    assert kept.json()["version"] == 3
    assert (await client.get(f"/v1/prompts/{prompt_id}")).json()["version"] == 2

    deleted = await client.delete(f"/v1/prompts/{prompt_id}")
    assert deleted.json() == {
        "deleted": True,
        "prompt_id": prompt_id,
        "response": "Prompt deleted successfully",
    }
    again = await client.delete(f"/v1/prompts/{prompt_id}")
    assert again.status_code == 200
    assert again.json() == {
        "deleted": False,
        "prompt_id": prompt_id,
        "response": "Prompt not found",
    }
    assert (await client.get(f"/v1/prompts/{prompt_id}")).status_code == 404


async def test_missing_prompts_and_versions_are_404(engine_app: RunningApp) -> None:
    client = engine_app.client
    for request in (
        client.get(f"/v1/prompts/{MISSING}"),
        client.put(f"/v1/prompts/{MISSING}", json={"prompt": "p", "version": 1}),
    ):
        response = await request
        assert response.status_code == 404
        assert response.json()["detail"] == {
            "response": "Prompt not found",
            "cause": f"Prompt with ID {MISSING} does not exist",
        }
    created = (await client.post("/v1/prompts", json={"prompt": "p"})).json()
    version = await client.get(f"/v1/prompts/{created['prompt_id']}", params={"version": 9})
    assert version.status_code == 404


@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", None), ("PUT", {"prompt": "p", "version": 1}), ("DELETE", None)],
)
async def test_malformed_ids_are_400(
    engine_app: RunningApp, method: str, body: dict[str, object] | None
) -> None:
    response = await engine_app.client.request(method, "/v1/prompts/pmpt_123", json=body)
    assert response.status_code == 400
    assert response.json()["detail"] == {
        "response": "Invalid prompt ID format",
        "cause": "The prompt ID pmpt_123 has invalid format.",
    }


async def test_invalid_bodies_are_422(engine_app: RunningApp) -> None:
    client = engine_app.client
    empty = await client.post("/v1/prompts", json={"prompt": ""})
    assert empty.status_code == 422
    assert empty.json()["detail"][0]["loc"] == ["body", "prompt"]
    undeclared = await client.post("/v1/prompts", json={"prompt": "Hi {{name}}"})
    assert undeclared.status_code == 422
    assert "undeclared variables" in undeclared.json()["detail"]["cause"]
    version = await client.put(f"/v1/prompts/{MISSING}", json={"prompt": "p", "version": 0})
    assert version.status_code == 422
    assert version.json()["detail"][0]["loc"] == ["body", "version"]
