"""Helpers shared by the conversations API tests."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.support.app import RunningApp

# every caller may use their own conversations, nobody may touch anyone else's
OWN_ONLY = {
    "access_rules": [
        {
            "role": "*",
            "actions": [
                "query",
                "streaming_query",
                "get_conversation",
                "list_conversations",
                "delete_conversation",
                "update_conversation",
                "feedback",
            ],
        }
    ]
}
ALICE = {"user_id": "alice"}
BOB = {"user_id": "bob"}


def with_actions(*extra: str) -> dict[str, Any]:
    """:data:`OWN_ONLY` plus ``extra`` actions for everyone."""
    rule = OWN_ONLY["access_rules"][0]
    return {"access_rules": [{"role": "*", "actions": [*rule["actions"], *extra]}]}


async def converse(app: RunningApp, *questions: str, user: dict[str, str] = ALICE) -> str:
    """Ask ``questions`` in one new conversation; returns its id."""
    conversation_id: str | None = None
    for question in questions:
        body: dict[str, Any] = {"query": question}
        if conversation_id is not None:
            body["conversation_id"] = conversation_id
        reply = await app.client.post("/v1/query", json=body, params=user)
        assert reply.status_code == 200, reply.text
        conversation_id = reply.json()["conversation_id"]
    assert conversation_id is not None
    return conversation_id


async def listed_topic(
    app: RunningApp, listing: str, conversation_id: str, user: dict[str, str] = ALICE
) -> str:
    """The topic ``listing`` shows for the conversation once the background summary ran."""
    for _ in range(600):  # summaries are generated when the worker is quiet
        found = (await app.client.get(listing, params=user)).json()["conversations"]
        topic = next(c["topic_summary"] for c in found if c["conversation_id"] == conversation_id)
        if topic:
            return str(topic)
        await asyncio.sleep(0.05)
    raise AssertionError(f"no topic summary in {listing}")
