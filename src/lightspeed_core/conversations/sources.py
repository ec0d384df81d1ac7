"""The conversations API over one store: what differs between ``/v1`` and ``/v2``.

Both versions share the routes (``api/routes/conversations.py``), the ownership rule and
:meth:`ConversationStore.delete` / :meth:`~ConversationStore.set_topic`, which always act
on the database *and* the cache. A version only decides where listings and histories are
read from and how they are shaped:

* ``v1`` (:class:`DatabaseSource`) reads the user database (``user_conversation`` /
  ``user_turn``); callers with ``list_other_conversations`` see everyone's conversations,
  ``read_other_conversations`` lets them read others'.
* ``v2`` (:class:`CacheSource`) reads the conversation cache only, so it keeps working while
  OGX is down; a conversation exists for the caller when it is in the caller's cache, and
  nobody acts on another user's conversation whatever their roles (as the reference).
  Without ``conversation_cache.type`` every v2 route answers 500.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel

from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.ownership import may_list_all_conversations
from lightspeed_core.conversations.access import load_conversation
from lightspeed_core.conversations.base import ConversationStore
from lightspeed_core.conversations.cache.base import CacheEntryData
from lightspeed_core.conversations.records import ConversationInfo, TurnRecord
from lightspeed_core.conversations.service import timestamp
from lightspeed_core.errors import BadRequestError, InternalError, NotFoundError
from lightspeed_core.ids import is_valid_conversation_id, normalize_conversation_id
from lightspeed_core.schemas.conversations import (
    ConversationData,
    ConversationDetails,
    ConversationResponse,
    ConversationsListResponse,
    ConversationsListResponseV2,
    ConversationTurn,
    Message,
)
from lightspeed_core.schemas.query import ReferencedDocument, ToolCallSummary, ToolResultSummary
from lightspeed_core.vocabulary.actions import Action


def conversation_id_from_path(raw: str) -> str:
    """The normalised ID, or the contract's 400 for a malformed one."""
    if not is_valid_conversation_id(raw):
        raise BadRequestError(
            "Invalid conversation ID format", f"The conversation ID {raw} has invalid format."
        )
    return normalize_conversation_id(raw)


def _naive(value: datetime, *, seconds: bool = False) -> str:
    """The reference's listing timestamps: naive UTC ISO 8601 (``2026-11-22T01:44:56.265``)."""
    plain = value.astimezone(UTC).replace(tzinfo=None)
    return plain.isoformat(timespec="seconds") if seconds else plain.isoformat()


def turn_body(
    query: str,
    response: str,
    provider: str | None,
    model: str | None,
    times: tuple[str, str],
    extras: tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]],
) -> ConversationTurn:
    """One ``chat_history`` entry; ``extras`` = (documents, tool calls, tool results)."""
    documents, calls, results = extras
    return ConversationTurn(
        messages=[
            Message(content=query, type="user"),
            Message(
                content=response,
                type="assistant",
                referenced_documents=[ReferencedDocument.model_validate(d) for d in documents]
                or None,
            ),
        ],
        tool_calls=[ToolCallSummary.model_validate(c) for c in calls],
        tool_results=[ToolResultSummary.model_validate(r) for r in results],
        provider=provider or "",
        model=model or "",
        started_at=times[0],
        completed_at=times[1],
    )


def _stored_turn(turn: TurnRecord) -> ConversationTurn:
    return turn_body(
        turn.query,
        turn.response,
        turn.provider,
        turn.model,
        (timestamp(turn.started_at), timestamp(turn.completed_at)),
        (turn.referenced_documents, turn.tool_calls, turn.tool_results),
    )


def _cached_turn(entry: CacheEntryData) -> ConversationTurn:
    return turn_body(
        entry.query,
        entry.response,
        entry.provider,
        entry.model,
        (entry.started_at, entry.completed_at),
        (entry.referenced_documents, entry.tool_calls, entry.tool_results),
    )


def _details(info: ConversationInfo) -> ConversationDetails:
    return ConversationDetails(
        conversation_id=info.id,
        created_at=_naive(info.created_at, seconds=True),
        last_message_at=_naive(info.last_message_at),
        message_count=info.message_count,
        last_used_model=info.last_used_model,
        last_used_provider=info.last_used_provider,
        topic_summary=info.topic_summary,
    )


class ConversationSource(Protocol):
    """Where one API version reads conversations from."""

    async def listing(self, auth: Authorized) -> BaseModel:
        """The caller's conversations (the version's list body)."""
        ...

    async def owner(self, auth: Authorized, conversation_id: str, action: Action) -> str:
        """Owner of an existing conversation the caller may act on; 404/403/500 otherwise."""
        ...

    async def history(self, owner: str, conversation_id: str) -> ConversationResponse:
        """The conversation's turns, oldest first."""
        ...

    async def deletable(self, auth: Authorized, conversation_id: str) -> str | None:
        """Whose conversation a DELETE removes (403 if the caller may not).

        ``None``: answer as for a conversation that does not exist, deleting nothing.
        """
        ...


async def _database_owner(
    store: ConversationStore,
    auth: Authorized,
    conversation_id: str,
    action: Action,
    *,
    cross_user: bool = True,
) -> str | None:
    info = await load_conversation(store, auth, conversation_id, action, cross_user=cross_user)
    return info.user_id if info is not None else None


class DatabaseSource:
    """``/v1``: the user database."""

    def __init__(self, service: ConversationStore) -> None:
        self.service = service

    async def listing(self, auth: Authorized) -> ConversationsListResponse:
        everyone = may_list_all_conversations(auth)
        found = await self.service.list_conversations(None if everyone else auth.principal.user_id)
        found.sort(key=lambda c: (c.created_at, c.id))  # oldest first, as the reference
        return ConversationsListResponse(conversations=[_details(c) for c in found])

    async def owner(self, auth: Authorized, conversation_id: str, action: Action) -> str:
        owner = await _database_owner(self.service, auth, conversation_id, action)
        if owner is None:
            raise NotFoundError("Conversation", conversation_id)
        return owner

    async def history(self, owner: str, conversation_id: str) -> ConversationResponse:
        turns = await self.service.turns(conversation_id)
        if not turns:
            raise NotFoundError("Conversation", conversation_id)
        return ConversationResponse(
            conversation_id=conversation_id, chat_history=[_stored_turn(t) for t in turns]
        )

    async def deletable(self, auth: Authorized, conversation_id: str) -> str | None:
        owner = await _database_owner(
            self.service, auth, conversation_id, Action.DELETE_CONVERSATION
        )
        return owner or auth.principal.user_id


class CacheSource:
    """``/v2``: the conversation cache (works while OGX is down)."""

    def __init__(self, service: ConversationStore) -> None:
        self.service = service

    def _require_cache(self) -> None:
        if not self.service.cache_enabled:
            raise InternalError(
                "Conversation cache not configured",
                "Conversation cache is not configured or unavailable.",
            )

    async def listing(self, auth: Authorized) -> ConversationsListResponseV2:
        self._require_cache()
        found = await self.service.cached_conversations(auth.principal.user_id)
        return ConversationsListResponseV2(
            conversations=[
                ConversationData(
                    conversation_id=c.conversation_id,
                    topic_summary=c.topic_summary,
                    last_message_timestamp=c.last_message_timestamp,
                )
                for c in found
            ]
        )

    async def owner(self, auth: Authorized, conversation_id: str, action: Action) -> str:
        self._require_cache()
        user_id = auth.principal.user_id
        if not await self.service.is_cached(user_id, conversation_id):
            raise NotFoundError("Conversation", conversation_id)
        if action is not Action.GET_CONVERSATION:  # a write also changes the database row
            await _database_owner(self.service, auth, conversation_id, action, cross_user=False)
        return user_id

    async def history(self, owner: str, conversation_id: str) -> ConversationResponse:
        entries = await self.service.cached_turns(owner, conversation_id)
        return ConversationResponse(
            conversation_id=conversation_id, chat_history=[_cached_turn(e) for e in entries]
        )

    async def deletable(self, auth: Authorized, conversation_id: str) -> str | None:
        self._require_cache()
        user_id = auth.principal.user_id
        info = await self.service.get(conversation_id)
        if info is not None and info.user_id != user_id:
            # v2 sees only the caller's own conversations: another user's is answered like
            # one that does not exist (as GET does), so a DELETE cannot probe for ids
            return None
        return user_id
