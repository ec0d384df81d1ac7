"""The conversation cache Protocol (what the v2 API reads and every turn writes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from lightspeed_core.db.batch import FollowUp


@dataclass(frozen=True, slots=True)
class CacheEntryData:
    """One cached turn (the reference's ``CacheEntry``)."""

    query: str
    response: str
    provider: str | None
    model: str | None
    started_at: str
    completed_at: str
    referenced_documents: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tool_results: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CachedConversation:
    """A cached conversation in a listing."""

    conversation_id: str
    topic_summary: str
    last_message_timestamp: float


class ConversationCache(Protocol):
    """Per-user conversation cache keyed by ``(user_id, conversation_id)``."""

    @property
    def enabled(self) -> bool:
        """False when ``conversation_cache.type`` is unset (v2 answers 500)."""
        ...

    async def append(
        self, user_id: str, conversation_id: str, entry: CacheEntryData, topic_summary: str | None
    ) -> None:
        """Store a turn; returns once it is readable by every worker and pod."""
        ...

    def with_turn(
        self, user_id: str, conversation_id: str, entry: CacheEntryData, topic_summary: str | None
    ) -> FollowUp | None:
        """The append as a write to commit together with the turn's (``db/batch.py``).

        ``None``: this cache is not in a database; the turn is stored, then :meth:`append`.
        """
        ...

    async def close(self) -> None: ...

    async def list_conversations(self, user_id: str) -> list[CachedConversation]:
        """The user's conversations, most recent message first."""
        ...

    async def exists(self, user_id: str, conversation_id: str) -> bool:
        """Whether the conversation is in the user's cache (the v2 existence check)."""
        ...

    async def get(self, user_id: str, conversation_id: str) -> list[CacheEntryData]:
        """The cached turns, oldest first."""
        ...

    async def delete(self, user_id: str, conversation_id: str) -> bool: ...

    async def set_topic(self, user_id: str, conversation_id: str, topic: str) -> bool: ...
