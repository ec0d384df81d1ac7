"""``ConversationService``: history for prompts, persistence of turns, v1/v2 operations."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import UTC, datetime

from lightspeed_core.conversations.cache.base import (
    CachedConversation,
    CacheEntryData,
    ConversationCache,
)
from lightspeed_core.conversations.records import ConversationInfo, TurnRecord
from lightspeed_core.conversations.repository import ConversationRepository

log = logging.getLogger(__name__)


def timestamp(value: datetime) -> str:
    """The contract's turn timestamp: ``2026-11-22T02:27:28Z`` (UTC, whole seconds)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    # isoformat, not strftime: glibc's strftime re-reads the time zone on every call
    utc = aware.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return f"{utc.isoformat()}Z"


def cache_entry(turn: TurnRecord) -> CacheEntryData:
    """The v2 cache's view of a turn."""
    return CacheEntryData(
        query=turn.query,
        response=turn.response,
        provider=turn.provider,
        model=turn.model,
        started_at=timestamp(turn.started_at),
        completed_at=timestamp(turn.completed_at),
        referenced_documents=turn.referenced_documents,
        tool_calls=turn.tool_calls,
        tool_results=turn.tool_results,
    )


class ConversationService:
    """The database is the source of truth; the cache mirrors turns for the v2 API."""

    def __init__(self, repository: ConversationRepository, cache: ConversationCache) -> None:
        self.repository = repository
        self.cache = cache

    async def close(self) -> None:
        await self.repository.close()
        await self.cache.close()

    async def require_available(self) -> None:
        """503 when the user database is away (free while it is reachable)."""
        await self.repository.db.require_reachable()

    async def get(self, conversation_id: str) -> ConversationInfo | None:
        return await self.repository.get(conversation_id)

    async def recent_turns(self, conversation_id: str, newest: int) -> list[TurnRecord]:
        return await self.repository.turns(conversation_id, newest)

    async def turns(self, conversation_id: str) -> list[TurnRecord]:
        return await self.repository.turns(conversation_id)

    async def find_response(self, response_id: str) -> tuple[str, int] | None:
        return await self.repository.find_response(response_id)

    async def list_conversations(self, user_id: str | None) -> list[ConversationInfo]:
        return await self.repository.list_conversations(user_id)

    async def record(
        self, user_id: str, conversation_id: str, turn: TurnRecord, topic_summary: str | None
    ) -> int | None:
        """Persist a finished turn in the database and mirror it into the cache.

        Both are committed when this returns (read-your-writes for v1 and v2, on any worker
        or pod). A SQL cache is the turn's follow-up (``db/batch.py``: the same transaction or
        the same thread hand-off); another cache is written after the turn. ``None``: the
        conversation was deleted while the turn ran (the turn is discarded, not cached).
        """
        entry = cache_entry(turn)
        then = self.cache.with_turn(user_id, conversation_id, entry, topic_summary)
        number = await self.repository.append(conversation_id, user_id, turn, topic_summary, then)
        if number is None:
            log.info("turn discarded: conversation %s was deleted meanwhile", conversation_id)
            return None
        if then is None:
            await self.cache.append(user_id, conversation_id, entry, topic_summary)
        return number

    async def set_topic(self, user_id: str, conversation_id: str, topic: str) -> bool:
        found = await self.repository.set_topic(conversation_id, topic)
        cached = await self.cache.set_topic(user_id, conversation_id, topic)
        return found or cached

    async def delete(self, user_id: str, conversation_id: str) -> bool:
        """Delete from the database and the owner's cache; True if either had it."""
        deleted = await self.repository.delete(conversation_id)
        cached = await self.cache.delete(user_id, conversation_id)
        return deleted or cached

    @property
    def cache_enabled(self) -> bool:
        """Whether ``conversation_cache.type`` is set (the v2 API needs it)."""
        return self.cache.enabled

    async def cached_conversations(self, user_id: str) -> list[CachedConversation]:
        return await self.cache.list_conversations(user_id)

    async def is_cached(self, user_id: str, conversation_id: str) -> bool:
        return await self.cache.exists(user_id, conversation_id)

    async def cached_turns(self, user_id: str, conversation_id: str) -> list[CacheEntryData]:
        return await self.cache.get(user_id, conversation_id)


def turn_as_dict(turn: TurnRecord) -> dict[str, object]:
    return asdict(turn)
