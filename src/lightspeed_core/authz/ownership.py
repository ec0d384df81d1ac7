"""Ownership of conversations: the one place that decides who may touch whose conversation.

The owner may always act on their conversation; anyone else needs the matching
``*_other_conversations`` action. A conversation that does not exist (``owner_id is None``)
passes this check, so the caller answers 404 rather than leaking whether it exists.
"""

from __future__ import annotations

from lightspeed_core.authz.actions import Action
from lightspeed_core.authz.context import Authorized
from lightspeed_core.errors import ForbiddenError

# what the caller wants to do → (action allowing it on others' conversations, verb in the text)
_OTHERS: dict[Action, tuple[Action, str]] = {
    Action.GET_CONVERSATION: (Action.READ_OTHER_CONVERSATIONS, "read"),
    Action.QUERY: (Action.READ_OTHER_CONVERSATIONS, "read"),
    Action.STREAMING_QUERY: (Action.READ_OTHER_CONVERSATIONS, "read"),
    Action.RESPONSES: (Action.READ_OTHER_CONVERSATIONS, "read"),
    Action.DELETE_CONVERSATION: (Action.DELETE_OTHER_CONVERSATIONS, "delete"),
    Action.UPDATE_CONVERSATION: (Action.QUERY_OTHER_CONVERSATIONS, "update"),
    Action.FEEDBACK: (Action.ADMIN, "submit feedback for"),
}


def check_conversation_access(
    auth: Authorized, owner_id: str | None, action: Action, conversation_id: str
) -> None:
    """Raise the contract's 403 unless ``auth`` may perform ``action`` on the conversation."""
    if owner_id is None or owner_id == auth.principal.user_id:
        return
    other, verb = _OTHERS.get(action, (Action.ADMIN, "read"))
    if other is not Action.ADMIN and auth.may(other):
        return
    raise ForbiddenError(
        "User does not have permission to perform this action",
        f"User {auth.principal.user_id} does not have permission to {verb} conversation "
        f"with ID {conversation_id}",
    )
