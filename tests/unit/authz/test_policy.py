from __future__ import annotations

import pytest

from lightspeed_core.auth.base import Principal
from lightspeed_core.authz import (
    ALL_ACTIONS,
    AccessPolicy,
    Action,
    OwnedResource,
    ResourceKind,
    allowed_actions,
    is_allowed,
)

A = Action
RULES = AccessPolicy.from_rules(
    [
        ("*", [A.INFO]),
        ("admin", [A.ADMIN]),
        ("user", [A.QUERY, A.LIST_CONVERSATIONS]),
        ("user", ["get_conversation"]),  # same role twice: unioned
        ("auditor", [A.GET_CONVERSATION, A.READ_OTHER_CONVERSATIONS]),
        ("janitor", [A.DELETE_CONVERSATION, A.DELETE_OTHER_CONVERSATIONS]),
    ]
)
NO_RULES = AccessPolicy(None)
EMPTY_RULES = AccessPolicy.from_rules([])


def who(*roles: str, user_id: str = "u1") -> Principal:
    return Principal(user_id, user_id, roles=frozenset({"*", *roles}))


def conv(owner: str | None) -> OwnedResource:
    return OwnedResource(ResourceKind.CONVERSATION, owner)


@pytest.mark.parametrize(
    ("policy", "action", "principal", "resource", "expected"),
    [
        # no rules configured: everything but admin, for everyone
        (NO_RULES, A.QUERY, who(), None, True),
        (NO_RULES, A.MODEL_OVERRIDE, who(), None, True),
        (NO_RULES, A.ADMIN, who(), None, False),
        (NO_RULES, A.ADMIN, who("admin"), None, False),
        (EMPTY_RULES, A.GET_METRICS, who(), None, True),
        (EMPTY_RULES, A.ADMIN, who(), None, False),
        # rules: "*" for everyone, union per role, nothing else implied
        (RULES, A.INFO, who(), None, True),
        (RULES, A.QUERY, who(), None, False),
        (RULES, A.QUERY, who("user"), None, True),
        (RULES, A.GET_CONVERSATION, who("user"), None, True),
        (RULES, A.INFO, who("user"), None, True),
        (RULES, A.STREAMING_QUERY, who("user"), None, False),
        (RULES, A.QUERY, who("unknown-role"), None, False),
        # admin implies every action
        (RULES, A.ADMIN, who("admin"), None, True),
        (RULES, A.MODEL_OVERRIDE, who("admin"), None, True),
        (RULES, A.DELETE_OTHER_CONVERSATIONS, who("admin"), None, True),
        # ownership: owner, someone else, a conversation not in the database
        (RULES, A.GET_CONVERSATION, who("user"), conv("u1"), True),
        (RULES, A.GET_CONVERSATION, who("user"), conv("u2"), False),
        (RULES, A.GET_CONVERSATION, who("user"), conv(None), True),
        (RULES, A.GET_CONVERSATION, who("auditor"), conv("u2"), True),
        (RULES, A.DELETE_CONVERSATION, who("auditor"), conv("u2"), False),
        (RULES, A.DELETE_CONVERSATION, who("janitor"), conv("u2"), True),
        (RULES, A.QUERY, who("user", "auditor"), conv("u2"), True),  # continue = read other
        (RULES, A.QUERY, who("user"), conv("u2"), False),
        (RULES, A.UPDATE_CONVERSATION, who("admin"), conv("u2"), True),
        (RULES, A.FEEDBACK, who("admin"), conv("u2"), False),  # never, even for admin
        (RULES, A.FEEDBACK, who("admin"), conv("u1"), True),
        (RULES, A.STREAMING_QUERY, who("admin"), OwnedResource(ResourceKind.STREAM, "u2"), False),
        (RULES, A.STREAMING_QUERY, who("admin"), OwnedResource(ResourceKind.STREAM, "u1"), True),
        # the route's action is needed before ownership matters
        (RULES, A.DELETE_CONVERSATION, who("user"), conv("u1"), False),
        (NO_RULES, A.GET_CONVERSATION, who(), conv("u2"), True),  # no rules: read_other too
        (NO_RULES, A.FEEDBACK, who(), conv("u2"), False),
    ],
)
def test_is_allowed(
    policy: AccessPolicy,
    action: Action,
    principal: Principal,
    resource: OwnedResource | None,
    expected: bool,
) -> None:
    assert is_allowed(policy, action, principal, resource) is expected


def test_admin_grants_all_39_actions() -> None:
    assert allowed_actions(RULES, {"admin"}) == ALL_ACTIONS
    assert len(ALL_ACTIONS) == 39


def test_everyone_role_is_implicit() -> None:
    assert allowed_actions(RULES, set()) == {A.INFO}
    assert allowed_actions(RULES, {"user"}) == {
        A.INFO,
        A.QUERY,
        A.LIST_CONVERSATIONS,
        A.GET_CONVERSATION,
    }


def test_no_rules_never_grants_admin() -> None:
    assert A.ADMIN not in allowed_actions(NO_RULES, {"admin", "*"})
    assert allowed_actions(NO_RULES, set()) == ALL_ACTIONS - {A.ADMIN}
