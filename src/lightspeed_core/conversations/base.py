"""The conversation store Protocol the pipeline and the routes talk to.

:class:`~lightspeed_core.conversations.service.ConversationService` implements it over the
user database and the conversation cache; ``lightspeed_core.testing.fakes`` has an
in-memory one.
"""

from __future__ import annotations

from typing import Protocol

from lightspeed_core.conversations.cache.base import CachedConversation, CacheEntryData
from lightspeed_core.conversations.records import ConversationInfo, TurnRecord


class ConversationStore(Protocol):
    """Conversations and their turns (database), mirrored into the v2 cache."""

    async def require_available(self) -> None:
        """Raise 503 (``DatabaseUnavailableError``) when the database is known to be away."""
        ...

    async def get(self, conversation_id: str) -> ConversationInfo | None:
        """The conversation row, or ``None``."""
        ...

    async def recent_turns(self, conversation_id: str, newest: int) -> list[TurnRecord]:
        """The ``newest`` most recent turns, oldest first."""
        ...

    async def turns(self, conversation_id: str) -> list[TurnRecord]:
        """Every turn, oldest first."""
        ...

    async def find_response(self, response_id: str) -> tuple[str, int] | None:
        """The conversation and turn number of the turn that answered ``response_id``."""
        ...

    async def list_conversations(self, user_id: str | None) -> list[ConversationInfo]:
        """The user's conversations (everyone's with ``None``), most recent first."""
        ...

    async def record(
        self, user_id: str, conversation_id: str, turn: TurnRecord, topic_summary: str | None
    ) -> int | None:
        """Persist a finished turn (creating the conversation); returns its number.

        ``None`` when the conversation was deleted meanwhile: the turn is discarded.
        """
        ...

    async def set_topic(self, user_id: str, conversation_id: str, topic: str) -> bool:
        """Replace the topic summary in the database and the cache."""
        ...

    async def delete(self, user_id: str, conversation_id: str) -> bool:
        """Delete from the database and the owner's cache; True if either had it."""
        ...

    @property
    def cache_enabled(self) -> bool:
        """Whether ``conversation_cache.type`` is set (the v2 API needs it)."""
        ...

    async def cached_conversations(self, user_id: str) -> list[CachedConversation]: ...

    async def is_cached(self, user_id: str, conversation_id: str) -> bool: ...

    async def cached_turns(self, user_id: str, conversation_id: str) -> list[CacheEntryData]: ...

    async def close(self) -> None: ...
