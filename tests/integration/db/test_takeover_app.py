"""The service started on a lightspeed-stack database answers from its data, through the API.

The same database (SQLite file or PostgreSQL schema) holds the user tables, the
conversation cache and the quota tables, as a reference deployment configured with one
database does. After start-up every user sees their conversations (v1 with the turns'
text, v2 from the cache), a follow-up question carries the old turns as history, and the
quota counter goes on from the reference's value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.config.models.databases import DatabaseConfiguration
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import running_app, stub_config
from tests.support.reference_db import ALICE, BOB, CONV_A, create_reference

pytestmark = pytest.mark.xdist_group("postgres")


def _config(scripted: BackgroundServer, block: dict[str, Any]) -> dict[str, Any]:
    engine = "sqlite" if "sqlite" in block else "postgres"
    limiter = {
        "type": "user_limiter",
        "name": "user_limiter",
        "initial_quota": 1000,
        "quota_increase": 100,
        "period": "1 day",
    }
    return stub_config(
        scripted.base_url,
        database=block,
        conversation_cache={"type": engine, **block},
        quota_handlers={**block, "limiters": [limiter], "default_output_tokens": 16},
    )


async def test_a_taken_over_database_is_served(
    database_block: dict[str, Any], scripted: BackgroundServer, tmp_path: Path
) -> None:
    parsed = DatabaseConfiguration.model_validate(database_block)
    block = parsed.sqlite or parsed.postgres
    assert block is not None
    await create_reference(block)
    alice = {"user_id": ALICE}
    async with running_app(_config(scripted, database_block), tmp_path) as app:
        listed = (await app.client.get("/v1/conversations", params=alice)).json()
        # noop authentication may list everyone's conversations (no authorization rules)
        conversation = next(c for c in listed["conversations"] if c["conversation_id"] == CONV_A)
        assert conversation["topic_summary"] == "Alice's topic"
        assert conversation["message_count"] == 2
        assert conversation["last_used_model"] == "gpt-4o-mini"
        shown = await app.client.get(f"/v1/conversations/{CONV_A}", params=alice)
        assert shown.status_code == 200, shown.text
        history = json.dumps(shown.json()["chat_history"])
        for text in ("first question", "first answer", "second question", "second answer"):
            assert text in history
        v2 = (await app.client.get("/v2/conversations", params=alice)).json()
        assert [c["conversation_id"] for c in v2["conversations"]] == [CONV_A]
        v2_bob = await app.client.get("/v2/conversations", params={"user_id": BOB})
        assert len(v2_bob.json()["conversations"]) == 1

        scripted.backend.requests.clear()
        body = {"query": "and a third? [[say:third answer]]", "conversation_id": CONV_A}
        answered = await app.client.post("/v1/query", json=body, params=alice)
        assert answered.status_code == 200, answered.text
        sent = json.dumps(scripted.backend.requests[-1]["messages"])
        assert "first question" in sent
        assert "second answer" in sent
        quota = answered.json()["available_quotas"]
        # went on from the reference's 640 (plus one refill of 100 if the scheduler ran)
        assert 0 < quota["user_limiter"] < 740
        turns = await app.client.get(f"/v1/conversations/{CONV_A}", params=alice)
        assert len(turns.json()["chat_history"]) == 3


async def test_a_cache_in_its_own_database_gives_the_turns_their_text(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    main = {"sqlite": {"db_path": str(tmp_path / "lightspeed-stack.db")}}
    cache = {"sqlite": {"db_path": str(tmp_path / "conversation-cache.db")}}
    for block, parts in ((main, {"user", "quota"}), (cache, {"cache"})):
        parsed = DatabaseConfiguration.model_validate(block).sqlite
        assert parsed is not None
        await create_reference(parsed, frozenset(parts))
    config = stub_config(
        scripted.base_url, database=main, conversation_cache={"type": "sqlite", **cache}
    )
    async with running_app(config, tmp_path) as app:
        shown = await app.client.get(f"/v1/conversations/{CONV_A}", params={"user_id": ALICE})
    assert shown.status_code == 200, shown.text
    assert "second answer" in json.dumps(shown.json()["chat_history"])
