"""Service endpoints: probes, info, models, providers, config, authorized, metrics, docs."""

from __future__ import annotations

import gc
import sys

import httpx
import pytest

from lightspeed_core.app import GC_THRESHOLDS, SWITCH_INTERVAL
from tests.support.wire import sample_json

pytestmark = pytest.mark.xdist_group("app")


async def test_liveness(client: httpx.AsyncClient) -> None:
    response = await client.get("/liveness")
    assert response.status_code == 200
    assert response.json() == sample_json("13-liveness.txt")


async def test_a_started_service_tunes_the_collector_and_the_gil(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/liveness")).status_code == 200
    assert gc.isenabled()
    assert gc.get_threshold() == GC_THRESHOLDS
    assert sys.getswitchinterval() == SWITCH_INTERVAL  # threads get the GIL back sooner


async def test_readiness_healthy(client: httpx.AsyncClient) -> None:
    response = await client.get("/readiness")
    assert response.status_code == 200
    assert response.json() == sample_json("12-readiness.txt")


async def test_info(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/info")).json()
    assert set(body) == set(sample_json("10-info.txt"))
    assert body["name"] == "Lightspeed Core test"
    assert body["llama_stack_version"].startswith("1.5")


async def test_models_and_filter(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/models")).json()
    reference = sample_json("11-models.txt")["models"][0]
    stub = next(m for m in body["models"] if m["identifier"] == "stub/stub-model")
    assert list(stub) == list(reference)
    assert stub["model_type"] == stub["api_model_type"] == "llm"
    only_embeddings = (await client.get("/v1/models", params={"model_type": "embedding"})).json()
    assert all(m["model_type"] == "embedding" for m in only_embeddings["models"])
    assert stub not in only_embeddings["models"]


async def test_providers(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/providers")).json()
    assert {"provider_id": "stub", "provider_type": "remote::openai"} in body["providers"][
        "inference"
    ]
    one = await client.get("/v1/providers/stub")
    assert one.status_code == 200
    assert set(one.json()) == {"api", "config", "health", "provider_id", "provider_type"}
    assert "scripted-key" not in one.text
    missing = await client.get("/v1/providers/nope")
    assert missing.status_code == 404
    assert missing.json() == {
        "detail": {
            "response": "Provider not found",
            "cause": "Provider with ID nope does not exist",
        }
    }


async def test_config_masks_secrets(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/config")).json()
    assert body["configuration"]["name"] == "Lightspeed Core test"
    assert body["configuration"]["inference"]["default_model"] == "stub-model"


async def test_authorized_noop(client: httpx.AsyncClient) -> None:
    response = await client.post("/authorized", params={"user_id": "alice"})
    assert response.json() == {
        "user_id": "alice",
        "username": "lightspeed-user",
        "skip_userid_check": True,
    }
    empty = await client.post("/authorized", params={"user_id": ""})
    assert empty.status_code == 400
    assert empty.json() == {"detail": "user_id cannot be empty"}


async def test_root_and_docs(client: httpx.AsyncClient) -> None:
    root = await client.get("/")
    assert root.status_code == 200
    assert "docs" in root.text
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    assert "/v1/query" in spec["paths"]


async def test_metrics_count_each_call_once(client: httpx.AsyncClient) -> None:
    def value(text: str, line_prefix: str) -> float:
        for line in text.splitlines():
            if line.startswith(line_prefix):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = (await client.get("/metrics")).text
    await client.post("/v1/streaming_query", json={"query": "Say hello"})
    after = (await client.get("/metrics")).text
    rest = 'ls_rest_api_calls_total{path="/v1/streaming_query",status_code="200"}'
    calls = 'ls_llm_calls_total{endpoint="/v1/streaming_query",model="stub-model",provider="stub"}'
    assert value(after, rest) - value(before, rest) == 1
    assert value(after, calls) - value(before, calls) == 1
    assert "ls_provider_model_configuration" in after
