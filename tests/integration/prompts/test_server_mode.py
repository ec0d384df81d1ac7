"""``/v1/prompts`` against a remote OGX server (``ogx run``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.api.test_backend_modes import ogx_server, server_config
from tests.support.app import running_app

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prompts-server-mode")]
__all__ = ["ogx_server"]  # the module-scoped ``ogx run`` fixture


async def test_prompts_in_server_mode(ogx_server: str, tmp_path: Path) -> None:
    async with running_app(server_config(ogx_server), tmp_path) as app:
        assert app.services.llm.mode == "server"
        client = app.client
        assert (await client.get("/v1/prompts")).json() == {"data": []}
        created = await client.post(
            "/v1/prompts", json={"prompt": "Hello {{name}}", "variables": ["name"]}
        )
        assert created.status_code == 200, created.text
        prompt_id = created.json()["prompt_id"]
        assert created.json()["is_default"] is True
        assert created.json() in (await client.get("/v1/prompts")).json()["data"]
        updated = await client.put(
            f"/v1/prompts/{prompt_id}",
            json={"prompt": "Hi {{name}}", "version": 1, "variables": ["name"]},
        )
        assert updated.json()["version"] == 2
        first = await client.get(f"/v1/prompts/{prompt_id}", params={"version": 1})
        assert first.json()["prompt"] == "Hello {{name}}"
        stale = await client.put(f"/v1/prompts/{prompt_id}", json={"prompt": "x", "version": 1})
        assert stale.status_code == 422
        undeclared = await client.post("/v1/prompts", json={"prompt": "Hi {{who}}"})
        assert undeclared.status_code == 422
        assert (await client.delete(f"/v1/prompts/{prompt_id}")).json()["deleted"] is True
        gone = await client.get(f"/v1/prompts/{prompt_id}")
        assert gone.status_code == 404
        assert gone.json()["detail"]["response"] == "Prompt not found"
        assert (await client.delete(f"/v1/prompts/{prompt_id}")).json()["deleted"] is False
