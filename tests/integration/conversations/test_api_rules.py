"""Conversations API error bodies and the ``conversation_cache`` types as v2 clients see them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.conversations.support import ALICE, BOB, OWN_ONLY, converse, with_actions
from tests.support.app import running_app, stub_config
from tests.support.processes import free_port

pytestmark = pytest.mark.xdist_group("conversations")
HEX48 = "a" * 48
ROUTES = [("get", None), ("delete", None), ("put", {"topic_summary": "x"})]
NO_CACHE = {
    "detail": {
        "response": "Conversation cache not configured",
        "cause": "Conversation cache is not configured or unavailable.",
    }
}


async def call(client: Any, method: str, url: str, body: Any, user: dict[str, str]) -> Any:
    if body is None:
        return await client.request(method.upper(), url, params=user)
    return await client.request(method.upper(), url, json=body, params=user)


async def test_errors(scripted: BackgroundServer, tmp_path: Path) -> None:
    config = stub_config(
        scripted.base_url, conversation_cache={"type": "memory", "memory": {"max_entries": 10}}
    )
    async with running_app(config, tmp_path) as app:
        for version in ("v1", "v2"):
            for method, body in ROUTES:
                bad = await call(app.client, method, f"/{version}/conversations/nope", body, ALICE)
                assert bad.status_code == 400
                assert bad.json()["detail"] == {
                    "response": "Invalid conversation ID format",
                    "cause": "The conversation ID nope has invalid format.",
                }
            for method, body in (ROUTES[0], ROUTES[2]):
                url = f"/{version}/conversations/conv_{HEX48}"
                missing = await call(app.client, method, url, body, ALICE)
                assert missing.status_code == 404
                assert missing.json()["detail"] == {
                    "response": "Conversation not found",
                    "cause": f"Conversation with ID {HEX48} does not exist",
                }
            for topic in ("", "x" * 1001):
                url = f"/{version}/conversations/{HEX48}"
                invalid = await app.client.put(url, json={"topic_summary": topic})
                assert invalid.status_code == 422
            extra = {"topic_summary": "x", "other": 1}
            invalid = await app.client.put(f"/{version}/conversations/{HEX48}", json=extra)
            assert invalid.json()["detail"][0]["type"] == "extra_forbidden"


async def test_v2_needs_a_cache_but_v1_does_not(scripted: BackgroundServer, tmp_path: Path) -> None:
    async with running_app(stub_config(scripted.base_url), tmp_path) as app:
        cid = await converse(app, "Say hello")
        assert (await app.client.get("/v2/conversations")).json() == NO_CACHE
        for method, body in ROUTES:
            response = await call(app.client, method, f"/v2/conversations/{cid}", body, ALICE)
            assert (response.status_code, response.json()) == (500, NO_CACHE)
        assert (await app.client.get(f"/v1/conversations/{cid}", params=ALICE)).status_code == 200


async def test_noop_cache(scripted: BackgroundServer, tmp_path: Path) -> None:
    config = stub_config(scripted.base_url, conversation_cache={"type": "noop"})
    async with running_app(config, tmp_path) as app:
        cid = await converse(app, "Say hello")
        assert (await app.client.get("/v2/conversations", params=ALICE)).json() == {
            "conversations": []
        }
        assert (await app.client.get(f"/v2/conversations/{cid}", params=ALICE)).status_code == 404
        deleted = await app.client.delete(f"/v2/conversations/{cid}", params=ALICE)
        assert deleted.json()["deleted"] is True  # still removed from the database
        assert await app.services.conversations.get(cid) is None


async def test_memory_cache_stores_and_is_bounded(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    config = stub_config(
        scripted.base_url, conversation_cache={"type": "memory", "memory": {"max_entries": 2}}
    )
    async with running_app(config, tmp_path) as app:
        first = await converse(app, "Say hello")
        second = await converse(app, "one", "two")
        v2 = (await app.client.get("/v2/conversations", params=ALICE)).json()["conversations"]
        assert [c["conversation_id"] for c in v2] == [second]  # the oldest turn was evicted
        history = (await app.client.get(f"/v2/conversations/{second}", params=ALICE)).json()
        assert [t["messages"][0]["content"] for t in history["chat_history"]] == ["one", "two"]
        assert (await app.client.get(f"/v2/conversations/{first}", params=ALICE)).status_code == 404
        v1 = (await app.client.get("/v1/conversations", params=ALICE)).json()["conversations"]
        assert {c["conversation_id"] for c in v1} == {first, second}  # the database keeps all


async def test_list_and_read_other_users_conversations(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    rules = with_actions("list_other_conversations", "read_other_conversations")
    config = stub_config(scripted.base_url, authorization=rules)
    async with running_app(config, tmp_path) as app:
        mine = await converse(app, "Say hello", user=ALICE)
        theirs = await converse(app, "Say hello", user=BOB)
        listing = (await app.client.get("/v1/conversations", params=BOB)).json()["conversations"]
        assert [c["conversation_id"] for c in listing] == [mine, theirs]
        assert (await app.client.get(f"/v1/conversations/{mine}", params=BOB)).status_code == 200
        deleted = await app.client.delete(f"/v1/conversations/{mine}", params=BOB)
        assert deleted.status_code == 403  # reading others' is not deleting them


async def test_endpoint_permissions(scripted: BackgroundServer, tmp_path: Path) -> None:
    rules = {"access_rules": [{"role": "*", "actions": ["query"]}]}
    async with running_app(stub_config(scripted.base_url, authorization=rules), tmp_path) as app:
        for url in ("/v1/conversations", "/v2/conversations", f"/v1/conversations/{HEX48}"):
            response = await app.client.get(url, params=ALICE)
            assert response.status_code == 403
            assert response.json()["detail"] == {
                "response": "User does not have permission to access this endpoint",
                "cause": "User alice is not authorized to access this endpoint.",
            }


async def test_v2_keeps_working_while_ogx_is_down(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    cache = {"type": "sqlite", "sqlite": {"db_path": str(tmp_path / "cache.db")}}
    async with running_app(
        stub_config(scripted.base_url, conversation_cache=cache, authorization=OWN_ONLY), tmp_path
    ) as app:
        cid = await converse(app, "Say hello")
    unreachable = f"http://127.0.0.1:{free_port()}"
    degraded = {
        "name": "degraded",
        "service": {"host": "127.0.0.1"},
        "llama_stack": {
            "url": unreachable,
            "max_retries": 1,
            "retry_delay": 1,
            "allow_degraded_mode": True,
        },
        "user_data_collection": {},
        "conversation_cache": cache,
        "authorization": OWN_ONLY,
    }
    async with running_app(degraded, tmp_path) as app:
        assert (await app.client.post("/v1/query", json={"query": "hi"})).status_code == 503
        listing = (await app.client.get("/v2/conversations", params=ALICE)).json()
        assert [c["conversation_id"] for c in listing["conversations"]] == [cid]
        history = await app.client.get(f"/v2/conversations/{cid}", params=ALICE)
        assert history.json()["chat_history"][0]["messages"][1]["content"] == "Hello from stub"
        renamed = await app.client.put(
            f"/v2/conversations/{cid}", json={"topic_summary": "Offline"}, params=ALICE
        )
        assert renamed.status_code == 200
        deleted = await app.client.delete(f"/v2/conversations/{cid}", params=ALICE)
        assert deleted.json()["deleted"] is True
        assert (await app.client.get("/v2/conversations", params=ALICE)).json() == {
            "conversations": []
        }
