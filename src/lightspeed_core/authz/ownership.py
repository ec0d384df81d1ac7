"""Ownership: the one place that decides who may touch whose conversation.

The owner may always act on their own conversation (given the route's action). Anyone else
needs the matching ``*_other_conversations`` action:

* ``get_conversation``, and continuing it with ``query`` / ``streaming_query`` /
  ``responses`` / ``rlsapi_v1_infer`` → ``read_other_conversations`` (cause verb "read");
* ``delete_conversation`` → ``delete_other_conversations`` ("delete");
* ``update_conversation`` → ``query_other_conversations`` ("update"; the reference's name);
* ``list_conversations`` → ``list_other_conversations`` (see :func:`may_list_all_conversations`);
* ``feedback`` and anything else → never ("submit feedback for" / "read");
* a running stream (:attr:`ResourceKind.STREAM`) → only the user who started it;
* ``cross_user=False`` (``/v2/conversations``, as in the reference) → only the owner.

A conversation that is not in the database (``owner_id is None``) passes the check: the
caller then answers 404 (or ``deleted: false``) - it never reads anything, so nobody learns
whether someone else's conversation exists. Callers must not fall back to another store
(OGX, cache) for an ID this check passed with ``owner_id=None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lightspeed_core.authz.context import Authorized
from lightspeed_core.errors import ForbiddenError
from lightspeed_core.vocabulary.actions import Action

__all__ = [
    "OwnedResource",
    "ResourceKind",
    "check_conversation_access",
    "may_act_on",
    "may_list_all_conversations",
]


class ResourceKind(StrEnum):
    """Kinds of owned resources."""

    CONVERSATION = "conversation"
    STREAM = "stream"  # a running streaming request: only the user who started it
    OWNER_ONLY = "owner-only"  # e.g. /v2/conversations: nobody else, whatever the roles


@dataclass(frozen=True, slots=True)
class OwnedResource:
    """A resource belonging to one user; ``owner_id=None`` = does not exist (yet)."""

    kind: ResourceKind
    owner_id: str | None


_READ = (Action.READ_OTHER_CONVERSATIONS, "read")
_CONVERSATION_RULES: dict[Action, tuple[Action | None, str]] = {
    Action.GET_CONVERSATION: _READ,
    Action.QUERY: _READ,
    Action.STREAMING_QUERY: _READ,
    Action.RESPONSES: _READ,
    Action.RLSAPI_V1_INFER: _READ,
    Action.LIST_CONVERSATIONS: (Action.LIST_OTHER_CONVERSATIONS, "list"),
    Action.DELETE_CONVERSATION: (Action.DELETE_OTHER_CONVERSATIONS, "delete"),
    Action.UPDATE_CONVERSATION: (Action.QUERY_OTHER_CONVERSATIONS, "update"),
    Action.FEEDBACK: (None, "submit feedback for"),
}


def _rule(kind: ResourceKind, action: Action) -> tuple[Action | None, str]:
    if kind is ResourceKind.CONVERSATION:
        return _CONVERSATION_RULES.get(action, (None, "read"))
    return None, "read"


def may_act_on(
    actions: frozenset[Action], user_id: str, action: Action, resource: OwnedResource
) -> bool:
    """The ownership rule (pure): owner, missing resource, or the matching ``*_other`` action."""
    if resource.owner_id is None or resource.owner_id == user_id:
        return True
    other, _verb = _rule(resource.kind, action)
    return other is not None and other in actions


def check_conversation_access(
    auth: Authorized,
    owner_id: str | None,
    action: Action,
    conversation_id: str,
    *,
    cross_user: bool = True,
) -> None:
    """Raise the contract's 403 unless ``auth`` may perform ``action`` on the conversation.

    Args:
        auth: what ``require(...)`` returned for the route.
        owner_id: ``user_id`` of the stored conversation, ``None`` if it is not in the
            database (the check passes; answer 404 afterwards, never read it elsewhere).
        action: the route's action (``get_conversation``, ``query``, ``feedback`` ...).
        conversation_id: normalised ID, used in the error text.
        cross_user: ``False`` where the reference never allows another user's conversation,
            whatever the roles (``/v2/conversations``): only the owner passes.
    """
    kind = ResourceKind.CONVERSATION if cross_user else ResourceKind.OWNER_ONLY
    if may_act_on(auth.actions, auth.principal.user_id, action, OwnedResource(kind, owner_id)):
        return
    _other, verb = _rule(ResourceKind.CONVERSATION, action)
    raise ForbiddenError(
        "User does not have permission to perform this action",
        f"User {auth.principal.user_id} does not have permission to {verb} conversation "
        f"with ID {conversation_id}",
    )


def may_list_all_conversations(auth: Authorized) -> bool:
    """``GET /v1/conversations``: whether the listing includes every user's conversations."""
    return auth.may(Action.LIST_OTHER_CONVERSATIONS)
