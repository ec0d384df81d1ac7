"""``load_conversation``: the one place that loads a conversation and checks ownership."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lightspeed_core.auth.base import Principal
from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.policy import DEFAULT_ACTIONS
from lightspeed_core.conversations.access import load_conversation, require_conversation
from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.errors import ForbiddenError, NotFoundError
from lightspeed_core.testing.fakes import InMemoryConversations
from lightspeed_core.vocabulary.actions import Action

NOW = datetime.now(UTC)
ALICE = Authorized(Principal("alice", "alice"), DEFAULT_ACTIONS)
ADMIN = Authorized(Principal("root", "root"), DEFAULT_ACTIONS)
BOB = Authorized(Principal("bob", "bob"), frozenset({Action.GET_CONVERSATION}))


async def _store() -> InMemoryConversations:
    store = InMemoryConversations()
    await store.record("alice", "c1", TurnRecord("q", "a", NOW, NOW), None)
    return store


async def test_owner_and_privileged_callers_get_the_row() -> None:
    store = await _store()
    info = await load_conversation(store, ALICE, "c1", Action.DELETE_CONVERSATION)
    assert info is not None
    assert info.user_id == "alice"
    other = await load_conversation(store, ADMIN, "c1", Action.GET_CONVERSATION)
    assert other is not None


async def test_others_are_refused_and_missing_is_none_or_404() -> None:
    store = await _store()
    with pytest.raises(ForbiddenError) as raised:
        await load_conversation(store, BOB, "c1", Action.GET_CONVERSATION)
    assert raised.value.cause == "User bob does not have permission to read conversation with ID c1"
    with pytest.raises(ForbiddenError):  # v2: only the owner, whatever the roles
        await load_conversation(store, ADMIN, "c1", Action.GET_CONVERSATION, cross_user=False)
    assert await load_conversation(store, BOB, "nope", Action.GET_CONVERSATION) is None
    with pytest.raises(NotFoundError):
        await require_conversation(store, BOB, "nope", Action.FEEDBACK)
