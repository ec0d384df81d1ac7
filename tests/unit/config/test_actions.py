from __future__ import annotations

from lightspeed_core.vocabulary.actions import Action

from .helpers import load, minimal


def test_action_values() -> None:
    assert len(Action) == 39
    assert Action("list_other_conversations") is Action.LIST_OTHER_CONVERSATIONS
    assert Action.MANAGE_SAVED_PROMPTS.value == "manage_saved_prompts"
    assert all(action.name == action.value.upper() for action in Action)


def test_access_rules_parse_into_actions() -> None:
    cfg = load(
        minimal(
            authorization={
                "access_rules": [
                    {"role": "*", "actions": ["info"]},
                    {"role": "admin", "actions": ["admin"]},
                    {"role": "user", "actions": ["query", "streaming_query"]},
                ]
            }
        )
    )
    assert cfg.authorization is not None
    rules = cfg.authorization.access_rules
    assert rules[2].actions == [Action.QUERY, Action.STREAMING_QUERY]
