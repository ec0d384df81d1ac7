from __future__ import annotations

import pytest

from lightspeed_core.auth.base import Principal
from lightspeed_core.authz import (
    Action,
    Authorized,
    check_conversation_access,
    check_model_override,
    may_list_all_conversations,
)
from lightspeed_core.errors import ForbiddenError

ME = Principal("me", "me")


def auth(*actions: Action) -> Authorized:
    return Authorized(ME, frozenset(actions))


@pytest.mark.parametrize(
    ("action", "verb"),
    [
        (Action.GET_CONVERSATION, "read"),
        (Action.QUERY, "read"),
        (Action.STREAMING_QUERY, "read"),
        (Action.RESPONSES, "read"),
        (Action.DELETE_CONVERSATION, "delete"),
        (Action.UPDATE_CONVERSATION, "update"),
        (Action.FEEDBACK, "submit feedback for"),
    ],
)
def test_others_conversation_is_refused_with_contract_text(action: Action, verb: str) -> None:
    with pytest.raises(ForbiddenError) as info:
        check_conversation_access(auth(action), "other", action, "c0ffee")
    assert info.value.status_code == 403
    assert info.value.response == "User does not have permission to perform this action"
    assert info.value.cause == (
        f"User me does not have permission to {verb} conversation with ID c0ffee"
    )


@pytest.mark.parametrize(
    ("action", "other"),
    [
        (Action.GET_CONVERSATION, Action.READ_OTHER_CONVERSATIONS),
        (Action.QUERY, Action.READ_OTHER_CONVERSATIONS),
        (Action.DELETE_CONVERSATION, Action.DELETE_OTHER_CONVERSATIONS),
        (Action.UPDATE_CONVERSATION, Action.QUERY_OTHER_CONVERSATIONS),
    ],
)
def test_matching_other_action_allows(action: Action, other: Action) -> None:
    check_conversation_access(auth(action, other), "other", action, "c1")


def test_wrong_other_action_does_not_allow() -> None:
    with pytest.raises(ForbiddenError):
        check_conversation_access(
            auth(Action.DELETE_CONVERSATION, Action.READ_OTHER_CONVERSATIONS),
            "other",
            Action.DELETE_CONVERSATION,
            "c1",
        )


def test_owner_and_missing_conversation_pass() -> None:
    check_conversation_access(auth(), "me", Action.GET_CONVERSATION, "c1")
    check_conversation_access(auth(), None, Action.GET_CONVERSATION, "c1")


def test_owner_only_routes_refuse_everyone_else() -> None:
    everything = auth(*Action)
    with pytest.raises(ForbiddenError):
        check_conversation_access(
            everything, "other", Action.GET_CONVERSATION, "c1", cross_user=False
        )
    check_conversation_access(everything, "me", Action.GET_CONVERSATION, "c1", cross_user=False)


def test_list_all_and_model_override() -> None:
    assert may_list_all_conversations(auth(Action.LIST_OTHER_CONVERSATIONS))
    assert not may_list_all_conversations(auth(Action.LIST_CONVERSATIONS))
    check_model_override(auth(Action.MODEL_OVERRIDE))
    with pytest.raises(ForbiddenError) as info:
        check_model_override(auth(Action.QUERY))
    assert info.value.cause == (
        "User lacks model_override permission required to override model/provider."
    )
