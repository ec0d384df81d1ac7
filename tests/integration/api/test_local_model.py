"""Smoke test: the embedded default answers with the real local model (no stub, no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lightspeed_core.config import built_in_default_configuration
from lightspeed_core.config.redact import dump_configuration
from tests.support.app import running_app

pytestmark = [pytest.mark.slow, pytest.mark.localmodel, pytest.mark.xdist_group("localmodel")]


async def test_built_in_default_answers_with_local_model(tmp_path: Path) -> None:
    config = dump_configuration(built_in_default_configuration())
    async with running_app(config, tmp_path) as app:
        response = await app.client.post("/v1/query", json={"query": "What is Kubernetes?"})
        assert response.status_code == 200
        body = response.json()
        assert body["response"].strip()
        assert body["output_tokens"] > 0
        assert body["input_tokens"] > 0
        models = (await app.client.get("/v1/models")).json()["models"]
        assert any(m["identifier"] == "local/gemma-3-270m" for m in models)
        stream = await app.client.post("/v1/streaming_query", json={"query": "What is Linux?"})
        assert '"event": "turn_complete"' in stream.text
