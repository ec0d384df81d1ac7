"""``/v1`` and ``/v2`` conversations on SQLite and PostgreSQL (database and SQL cache)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.conversations.support import (
    ALICE,
    BOB,
    OWN_ONLY,
    converse,
    listed_topic,
)
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.wire import sample

pytestmark = pytest.mark.xdist_group("conversations")
_TIMESTAMP = re.compile(r'"(started_at|completed_at)":"[^"]+"')


def sql_cache(database: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A conversation cache on the same engine as ``database``."""
    if "postgres" in database:
        return {"type": "postgres", "postgres": database["postgres"]}
    return {"type": "sqlite", "sqlite": {"db_path": str(folder / "cache.db")}}


@pytest.fixture
async def app(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> AsyncIterator[RunningApp]:
    config = stub_config(
        scripted.base_url,
        database=database_block,
        conversation_cache=sql_cache(database_block, tmp_path),
        authorization=OWN_ONLY,
    )
    async with running_app(config, tmp_path) as running:
        yield running


def _comparable(text: str, conversation_id: str) -> str:
    text = _TIMESTAMP.sub(lambda m: f'"{m.group(1)}":"<t>"', text)
    return text.replace(conversation_id, "<id>")


async def test_get_conversation_matches_reference_bytes(app: RunningApp) -> None:
    cid = await converse(app, "Say hello", "And again")
    response = await app.client.get(f"/v1/conversations/{cid}", params=ALICE)
    assert response.status_code == 200
    body = response.json()
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", turn[key])
        for turn in body["chat_history"]
        for key in ("started_at", "completed_at")
    )
    expected = sample("08-conversation.txt")[2].strip()
    reference_id = json.loads(expected)["conversation_id"]
    ours = response.text.replace('"provider":"stub","model":"stub-model"', "")
    theirs = expected.replace('"provider":"openai","model":"gpt-4o-mini"', "")
    assert _comparable(ours, cid) == _comparable(theirs, reference_id)
    v2 = await app.client.get(f"/v2/conversations/{cid}", params=ALICE)
    assert v2.status_code == 200
    assert v2.json() == body  # one store, two views: the same history


async def test_listings_show_turns_and_topic(app: RunningApp) -> None:
    cid = await converse(app, "Say hello", "And again")
    listing = (await app.client.get("/v1/conversations", params=ALICE)).json()["conversations"]
    reference = json.loads(sample("09-conversations.txt")[2])["conversations"][0]
    assert [list(c) for c in listing] == [list(reference)]  # same fields, same order
    entry = listing[0]
    assert entry["conversation_id"] == cid
    assert entry["message_count"] == 2
    assert (entry["last_used_model"], entry["last_used_provider"]) == ("stub-model", "stub")
    assert await listed_topic(app, "/v1/conversations", cid) == "Hello from stub"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", entry["created_at"])
    v2 = (await app.client.get("/v2/conversations", params=ALICE)).json()["conversations"]
    assert [list(c) for c in v2] == [["conversation_id", "topic_summary", "last_message_timestamp"]]
    assert v2[0]["conversation_id"] == cid
    assert await listed_topic(app, "/v2/conversations", cid) == "Hello from stub"
    assert isinstance(v2[0]["last_message_timestamp"], float)


async def test_listing_order(app: RunningApp) -> None:
    first = await converse(app, "one")
    second = await converse(app, "two")
    await converse(app, "three", user=BOB)
    await app.client.post(
        "/v1/query", json={"query": "again", "conversation_id": first}, params=ALICE
    )
    v1 = (await app.client.get("/v1/conversations", params=ALICE)).json()["conversations"]
    assert [c["conversation_id"] for c in v1] == [first, second]  # oldest first, own only
    v2 = (await app.client.get("/v2/conversations", params=ALICE)).json()["conversations"]
    assert [c["conversation_id"] for c in v2] == [first, second]  # most recent message first


@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_update_topic_shows_in_both_listings(app: RunningApp, version: str) -> None:
    cid = await converse(app, "Say hello")
    await listed_topic(app, "/v2/conversations", cid)  # generated (db, then cache): replaced
    url = f"/{version}/conversations/{cid}"
    response = await app.client.put(url, json={"topic_summary": "Greetings"}, params=ALICE)
    assert response.status_code == 200
    assert response.json() == {
        "conversation_id": cid,
        "success": True,
        "message": "Topic summary updated successfully",
    }
    for listing in ("/v1/conversations", "/v2/conversations"):
        found = (await app.client.get(listing, params=ALICE)).json()["conversations"]
        assert [c["topic_summary"] for c in found] == ["Greetings"]


@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_delete_removes_everywhere(app: RunningApp, version: str) -> None:
    cid = await converse(app, "Say hello")
    response = await app.client.delete(f"/{version}/conversations/conv_{cid}", params=ALICE)
    assert response.status_code == 200
    assert response.text == (
        f'{{"deleted":true,"conversation_id":"{cid}",'
        '"response":"Conversation deleted successfully","success":true}'
    )
    assert await app.services.conversations.get(cid) is None
    assert await app.services.conversations.turns(cid) == []
    assert await app.services.conversations.cached_turns("alice", cid) == []
    for other in ("v1", "v2"):
        missing = await app.client.get(f"/{other}/conversations/{cid}", params=ALICE)
        assert missing.status_code == 404
    again = await app.client.delete(f"/{version}/conversations/{cid}", params=ALICE)
    assert again.json() == {
        "deleted": False,
        "conversation_id": cid,
        "response": "Conversation not found",
        "success": True,
    }
    follow_up = await app.client.post(
        "/v1/query", json={"query": "hi", "conversation_id": cid}, params=ALICE
    )
    assert follow_up.status_code == 404


@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_other_users_conversation(app: RunningApp, version: str) -> None:
    cid = await converse(app, "Say hello")
    url = f"/{version}/conversations/{cid}"
    got = await app.client.get(url, params=BOB)
    updated = await app.client.put(url, json={"topic_summary": "mine"}, params=BOB)
    deleted = await app.client.delete(url, params=BOB)
    if version == "v2":  # v2 only sees the caller's own cache: bob has no such conversation
        assert (got.status_code, updated.status_code) == (404, 404)
    else:
        for response, verb in ((got, "read"), (updated, "update")):
            assert response.status_code == 403
            assert response.json()["detail"] == {
                "response": "User does not have permission to perform this action",
                "cause": f"User bob does not have permission to {verb} conversation with ID {cid}",
            }
    if version == "v2":  # answered like a conversation that does not exist, nothing deleted
        assert (deleted.status_code, deleted.json()) == (
            200,
            {
                "deleted": False,
                "conversation_id": cid,
                "response": "Conversation not found",
                "success": True,
            },
        )
    else:
        assert deleted.status_code == 403
        assert deleted.json()["detail"]["cause"] == (
            f"User bob does not have permission to delete conversation with ID {cid}"
        )
    assert (await app.client.get(url, params=ALICE)).status_code == 200
    assert (await app.client.get(f"/{version}/conversations", params=BOB)).json() == {
        "conversations": []
    }
