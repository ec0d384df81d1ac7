"""``ConversationService``: history for prompts, persistence of turns, v1/v2 operations."""

from __future__ import annotations

import logging
from dataclasses import asdict

from lightspeed_core.conversations.cache.base import CacheEntryData, ConversationCache
from lightspeed_core.conversations.records import ConversationInfo, TurnRecord
from lightspeed_core.conversations.repository import ConversationRepository

log = logging.getLogger(__name__)


def cache_entry(turn: TurnRecord) -> CacheEntryData:
    """The v2 cache's view of a turn."""
    return CacheEntryData(
        query=turn.query,
        response=turn.response,
        provider=turn.provider,
        model=turn.model,
        started_at=turn.started_at.isoformat(),
        completed_at=turn.completed_at.isoformat(),
        referenced_documents=turn.referenced_documents,
        tool_calls=turn.tool_calls,
        tool_results=turn.tool_results,
    )


class ConversationService:
    """The database is the source of truth; the cache mirrors turns for the v2 API."""

    def __init__(self, repository: ConversationRepository, cache: ConversationCache) -> None:
        self.repository = repository
        self.cache = cache

    async def get(self, conversation_id: str) -> ConversationInfo | None:
        return await self.repository.get(conversation_id)

    async def recent_turns(self, conversation_id: str, newest: int) -> list[TurnRecord]:
        return await self.repository.turns(conversation_id, newest)

    async def turns(self, conversation_id: str) -> list[TurnRecord]:
        return await self.repository.turns(conversation_id)

    async def list_conversations(self, user_id: str | None) -> list[ConversationInfo]:
        return await self.repository.list_conversations(user_id)

    async def record(
        self, user_id: str, conversation_id: str, turn: TurnRecord, topic_summary: str | None
    ) -> int:
        """Persist a finished turn in the database, then mirror it into the cache."""
        number = await self.repository.append(conversation_id, user_id, turn, topic_summary)
        await self.cache.append(user_id, conversation_id, cache_entry(turn), topic_summary)
        return number

    async def set_topic(self, user_id: str, conversation_id: str, topic: str) -> bool:
        found = await self.repository.set_topic(conversation_id, topic)
        cached = await self.cache.set_topic(user_id, conversation_id, topic)
        return found or cached

    async def delete(self, user_id: str, conversation_id: str) -> bool:
        """Delete everywhere we keep the conversation; True if the database had it."""
        deleted = await self.repository.delete(conversation_id)
        await self.cache.delete(user_id, conversation_id)
        return deleted


def turn_as_dict(turn: TurnRecord) -> dict[str, object]:
    return asdict(turn)
