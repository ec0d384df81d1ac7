"""Shields end to end: redaction, question validity, overrides, start-up failures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.shields.factory import ShieldConfigurationError
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import running_app, stub_config

pytestmark = pytest.mark.xdist_group("shields")

REFUSAL = "I only answer questions about OpenShift."
SHIELDS: list[dict[str, Any]] = [
    {
        "name": "pii",
        "provider_id": "redaction",
        "config": {"rules": [{"pattern": r"\b\d{3}-\d{2}-\d{4}\b", "replacement": "[REDACTED]"}]},
    },
    {
        "name": "scope",
        "provider_id": "question_validity",
        "config": {"model_id": "stub/stub-model", "invalid_question_response": REFUSAL},
    },
]


def _metric(text: str, prefix: str) -> float:
    return next(
        (float(x.rsplit(" ", 1)[1]) for x in text.splitlines() if x.startswith(prefix)), 0.0
    )


async def test_redaction_rewrites_what_is_sent_and_stored(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    config = stub_config(scripted.base_url, shields=[SHIELDS[0]])
    async with running_app(config, tmp_path) as app:
        scripted.backend.requests.clear()
        reply = await app.client.post(
            "/v1/query", json={"query": "My SSN is 123-45-6789", "generate_topic_summary": False}
        )
        assert reply.status_code == 200
        sent = scripted.backend.requests[-1]["messages"][-1]["content"]
        assert sent == "My SSN is [REDACTED]"
        turns = await app.services.conversations.turns(reply.json()["conversation_id"])
        assert turns[0].query == "My SSN is [REDACTED]"


async def test_question_validity_refuses_and_stores_the_refusal(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    async with running_app(stub_config(scripted.base_url, shields=SHIELDS), tmp_path) as app:
        before = (await app.client.get("/metrics")).text
        allowed = await app.client.post("/v1/query", json={"query": "[[say:ALLOWED]] scale pods?"})
        assert allowed.json()["response"] == "ALLOWED"
        refused = await app.client.post("/v1/query", json={"query": "[[say:REJECTED]] weather?"})
        assert refused.status_code == 200
        body = refused.json()
        assert body["response"] == REFUSAL
        turns = await app.services.conversations.turns(body["conversation_id"])
        assert turns[0].response == REFUSAL
        stream = await app.client.post("/v1/streaming_query", json={"query": "[[say:nope]] x"})
        events = [json.loads(line[6:]) for line in stream.text.splitlines() if line]
        assert [e["event"] for e in events] == ["start", "turn_complete", "end"]
        assert events[1]["data"]["token"] == REFUSAL
        after = (await app.client.get("/metrics")).text
        for endpoint in ("/v1/query", "/v1/streaming_query"):
            line = f'ls_llm_validation_errors_total{{endpoint="{endpoint}"}}'
            assert _metric(after, line) - _metric(before, line) == 1


async def test_shield_ids_override(scripted: BackgroundServer, tmp_path: Path) -> None:
    async with running_app(stub_config(scripted.base_url, shields=SHIELDS), tmp_path) as app:
        none = await app.client.post(
            "/v1/query", json={"query": "[[say:REJECTED]] hi", "shield_ids": []}
        )
        assert none.json()["response"] == "REJECTED"  # no shield ran: the model answered
        only_pii = await app.client.post(
            "/v1/query", json={"query": "[[say:REJECTED]] hi", "shield_ids": ["pii"]}
        )
        assert only_pii.json()["response"] == "REJECTED"
        unknown = await app.client.post("/v1/query", json={"query": "hi", "shield_ids": ["nope"]})
        assert unknown.status_code == 404
        assert unknown.json()["detail"] == {
            "response": "Shield not found",
            "cause": "Shield with ID nope does not exist",
        }
        listed = (await app.client.get("/v1/shields")).json()["shields"]
        assert [(s["name"], s["provider_id"], s["type"]) for s in listed] == [
            ("pii", "redaction", "shield"),
            ("scope", "question_validity", "shield"),
        ]
        assert listed[1]["config"]["model_id"] == "stub/stub-model"


async def test_override_can_be_disabled(scripted: BackgroundServer, tmp_path: Path) -> None:
    config = stub_config(
        scripted.base_url, shields=SHIELDS, customization={"disable_shield_ids_override": True}
    )
    async with running_app(config, tmp_path) as app:
        reply = await app.client.post("/v1/query", json={"query": "hi", "shield_ids": []})
        assert reply.status_code == 422
        assert reply.json()["detail"]["response"] == "Shield IDs customization is disabled"


async def test_shield_with_unknown_model_stops_startup(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    broken = [{**SHIELDS[1], "config": {"model_id": "stub/missing"}}]
    with pytest.raises(ShieldConfigurationError, match="missing"):
        async with running_app(stub_config(scripted.base_url, shields=broken), tmp_path):
            pass


# An app of an earlier test (OGX's shutdown) can leave an aiosqlite connection to the garbage
# collector; this test's allocations may be what collects it. Not this test's connection.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_responses_are_shielded_like_queries(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    """``/v1/responses``: the redacted question is sent; a refusal is four synthetic events."""
    async with running_app(stub_config(scripted.base_url, shields=SHIELDS), tmp_path) as app:
        scripted.backend.requests.clear()
        line = 'ls_llm_validation_errors_total{endpoint="/v1/responses"}'
        before = _metric((await app.client.get("/metrics")).text, line)
        allowed = await app.client.post(
            "/v1/responses",
            json={"input": "[[say:ALLOWED]] SSN 123-45-6789?", "shield_ids": ["pii"]},
        )
        assert allowed.status_code == 200
        sent = [r["messages"][-1]["content"] for r in scripted.backend.requests]
        assert "[[say:ALLOWED]] SSN [REDACTED]?" in sent  # (other apps' topic calls may land)
        assert not [text for text in sent if "123-45-6789" in str(text)]
        refused = await app.client.post(
            "/v1/responses", json={"input": "[[say:REJECTED]] weather?", "stream": True}
        )
        frames = [b for b in refused.text.strip().split("\n\n") if not b.endswith("[DONE]")]
        events = [json.loads(b.split("data: ", 1)[1]) for b in frames]
        assert [e["type"] for e in events] == [
            "response.created",
            "response.output_item.added",
            "response.output_item.done",
            "response.completed",
        ]
        final = events[-1]["response"]
        assert final["output_text"] == REFUSAL
        assert final["id"].startswith("modr")
        turns = await app.services.conversations.turns(final["conversation"])
        assert turns[0].response == REFUSAL
        metrics = (await app.client.get("/metrics")).text
        assert _metric(metrics, line) - before == 1
