"""History is ours: turns stored in SQLite/PostgreSQL and replayed to the model."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.llm.prompts import DEFAULT_TOPIC_SUMMARY_PROMPT
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import running_app, stub_config

pytestmark = pytest.mark.xdist_group("conversations")


def _chat_requests(backend: BackgroundServer) -> list[dict[str, Any]]:
    return [
        r
        for r in backend.backend.requests
        if r["messages"][0].get("content") != DEFAULT_TOPIC_SUMMARY_PROMPT
    ]


async def test_follow_up_sends_history_and_stores_turns(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> None:
    async with running_app(
        stub_config(scripted.base_url, database=database_block), tmp_path
    ) as app:
        first = await app.client.post(
            "/v1/query", json={"query": "[[say:Paris]] Capital of France?"}
        )
        cid = first.json()["conversation_id"]
        scripted.backend.requests.clear()
        second = await app.client.post(
            "/v1/query", json={"query": "And of Spain?", "conversation_id": f"conv_{cid}"}
        )
        assert second.status_code == 200
        assert second.json()["conversation_id"] == cid
        messages = _chat_requests(scripted)[0]["messages"]
        assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
        assert messages[1]["content"] == "[[say:Paris]] Capital of France?"
        assert messages[2]["content"] == "Paris"
        turns = await app.services.conversations.turns(cid)
        assert [t.turn_number for t in turns] == [1, 2]
        assert turns[1].query == "And of Spain?"
        assert turns[1].response == "Hello from stub"
        info = await app.services.conversations.get(cid)
        assert info is not None
        assert info.message_count == 2
        assert info.last_used_model == "stub-model"


async def test_unknown_conversation_is_404(client: Any) -> None:
    response = await client.post("/v1/query", json={"query": "hi", "conversation_id": "a" * 48})
    assert response.status_code == 404
    assert response.json()["detail"]["response"] == "Conversation not found"


async def test_parallel_turns_into_one_conversation_keep_order(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> None:
    async with running_app(
        stub_config(scripted.base_url, database=database_block), tmp_path
    ) as app:
        first = await app.client.post("/v1/query", json={"query": "start"})
        cid = first.json()["conversation_id"]
        replies = await asyncio.gather(
            *(
                app.client.post("/v1/query", json={"query": f"q{i}", "conversation_id": cid})
                for i in range(50)
            )
        )
        assert all(r.status_code == 200 for r in replies)
        turns = await app.services.conversations.turns(cid)
        assert [t.turn_number for t in turns] == list(range(1, 52))
        assert sorted(t.query for t in turns[1:]) == sorted(f"q{i}" for i in range(50))
        assert (await app.services.conversations.get(cid)).message_count == 51  # type: ignore[union-attr]


async def test_parallel_new_conversations(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> None:
    async with running_app(
        stub_config(scripted.base_url, database=database_block), tmp_path
    ) as app:
        replies = await asyncio.gather(
            *(app.client.post("/v1/query", json={"query": f"n{i}"}) for i in range(50))
        )
        ids = {r.json()["conversation_id"] for r in replies}
        assert len(ids) == 50
        stored = await app.services.conversations.list_conversations(None)
        assert {c.id for c in stored} == ids
        assert all(c.message_count == 1 for c in stored)
