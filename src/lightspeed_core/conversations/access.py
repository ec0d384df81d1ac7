"""The one place that loads a conversation and checks the caller may act on it.

Every caller - the pipeline continuing a conversation, the conversation routes (v1 and v2),
feedback - goes through :func:`load_conversation`: it reads the row, applies the ownership
rule (:func:`~lightspeed_core.authz.ownership.check_conversation_access`, 403) and returns
the row, or ``None`` when the conversation is not in the database (the caller then answers
404 or ``deleted: false``; it must not look for the id anywhere else).
"""

from __future__ import annotations

from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.ownership import check_conversation_access
from lightspeed_core.conversations.base import ConversationStore
from lightspeed_core.conversations.records import ConversationInfo
from lightspeed_core.errors import NotFoundError
from lightspeed_core.vocabulary.actions import Action


async def load_conversation(
    store: ConversationStore,
    auth: Authorized,
    conversation_id: str,
    action: Action,
    *,
    cross_user: bool = True,
) -> ConversationInfo | None:
    """The stored conversation if ``auth`` may perform ``action`` on it (403 otherwise).

    ``None`` when it does not exist. ``cross_user=False`` lets only the owner through,
    whatever the roles (``/v2/conversations``).
    """
    info = await store.get(conversation_id)
    owner = info.user_id if info is not None else None
    check_conversation_access(auth, owner, action, conversation_id, cross_user=cross_user)
    return info


async def require_conversation(
    store: ConversationStore, auth: Authorized, conversation_id: str, action: Action
) -> ConversationInfo:
    """:func:`load_conversation`, answering 404 ``Conversation not found`` when missing."""
    info = await load_conversation(store, auth, conversation_id, action)
    if info is None:
        raise NotFoundError("Conversation", conversation_id)
    return info
