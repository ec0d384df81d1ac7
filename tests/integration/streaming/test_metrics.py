"""Every LLM and REST metric is recorded exactly once per call, for both query endpoints.

The reference counts ``ls_llm_calls_total`` twice per streaming call and records failures
only for ``/v1/responses`` and ``/v1/infer``; here each call counts once, failures included.
"""

from __future__ import annotations

import pytest

from lightspeed_core.metrics import names
from tests.support.app import RunningApp

pytestmark = pytest.mark.xdist_group("app")
LLM = {"provider": "stub", "model": "stub-model"}


def snapshot(app: RunningApp, endpoint: str) -> dict[str, float]:
    registry = app.services.metrics.registry
    labels = {**LLM, "endpoint": endpoint}

    def value(name: str, extra: dict[str, str] | None = None) -> float:
        return registry.get_sample_value(name, {**labels, **(extra or {})}) or 0.0

    def rest(name: str, extra: dict[str, str]) -> float:
        return registry.get_sample_value(name, {"path": endpoint, **extra}) or 0.0

    return {
        "calls": value(names.LLM_CALLS),
        "failures": value(names.LLM_CALL_FAILURES),
        "sent": value(names.LLM_TOKENS_SENT),
        "received": value(names.LLM_TOKENS_RECEIVED),
        "ok_durations": value(f"{names.LLM_INFERENCE_DURATION}_count", {"result": "success"}),
        "failed_durations": value(f"{names.LLM_INFERENCE_DURATION}_count", {"result": "failure"}),
        "rest_200": rest(names.REST_API_CALLS, {"status_code": "200"}),
        "rest_500": rest(names.REST_API_CALLS, {"status_code": "500"}),
        "rest_durations": rest(f"{names.RESPONSE_DURATION}_count", {}),
    }


def delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {key: after[key] - before[key] for key in before}


@pytest.mark.parametrize("endpoint", ["/v1/query", "/v1/streaming_query"])
async def test_a_successful_call_counts_once(app: RunningApp, endpoint: str) -> None:
    before = snapshot(app, endpoint)
    body = {"query": "Say hello", "generate_topic_summary": False}
    response = await app.client.post(endpoint, json=body)
    assert response.status_code == 200
    input_tokens = 0.0
    if endpoint == "/v1/query":
        input_tokens = response.json()["input_tokens"]
    else:
        input_tokens = float(response.text.split('"input_tokens": ')[1].split(",")[0])
    assert delta(before, snapshot(app, endpoint)) == {
        "calls": 1,
        "failures": 0,
        "sent": input_tokens,
        "received": 3,
        "ok_durations": 1,
        "failed_durations": 0,
        "rest_200": 1,
        "rest_500": 0,
        "rest_durations": 1,
    }


@pytest.mark.parametrize("endpoint", ["/v1/query", "/v1/streaming_query"])
async def test_a_failed_call_counts_once(app: RunningApp, endpoint: str) -> None:
    before = snapshot(app, endpoint)
    response = await app.client.post(endpoint, json={"query": "[[error:500]]"})
    streaming = endpoint == "/v1/streaming_query"
    assert response.status_code == (200 if streaming else 500)
    assert delta(before, snapshot(app, endpoint)) == {
        "calls": 1,
        "failures": 1,
        "sent": 0,
        "received": 0,
        "ok_durations": 0,
        "failed_durations": 1,
        "rest_200": 1 if streaming else 0,
        "rest_500": 0 if streaming else 1,
        "rest_durations": 1,
    }


async def test_a_request_refused_before_the_call_counts_no_llm_call(app: RunningApp) -> None:
    before = snapshot(app, "/v1/query")
    response = await app.client.post("/v1/query", json={"query": "q", "conversation_id": "bad"})
    assert response.status_code == 422
    changes = delta(before, snapshot(app, "/v1/query"))
    assert changes["calls"] == changes["sent"] == changes["received"] == 0
    assert changes["rest_durations"] == 1
