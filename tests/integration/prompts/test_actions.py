"""The RBAC action of each prompts, saved-prompts and skills route (contract 1.2)."""

from __future__ import annotations

from lightspeed_core.vocabulary.actions import Action
from tests.support.auth.harness import route_table

EXPECTED = {
    ("GET", "/v1/prompts"): Action.READ_PROMPTS,
    ("POST", "/v1/prompts"): Action.MANAGE_PROMPTS,
    ("GET", "/v1/prompts/{prompt_id}"): Action.READ_PROMPTS,
    ("PUT", "/v1/prompts/{prompt_id}"): Action.MANAGE_PROMPTS,
    ("DELETE", "/v1/prompts/{prompt_id}"): Action.MANAGE_PROMPTS,
    ("GET", "/v1/saved-prompts/config"): Action.GET_CONFIG,
    ("GET", "/v1/saved-prompts"): Action.MANAGE_SAVED_PROMPTS,
    ("POST", "/v1/saved-prompts"): Action.MANAGE_SAVED_PROMPTS,
    ("DELETE", "/v1/saved-prompts/{prompt_id}"): Action.MANAGE_SAVED_PROMPTS,
    ("GET", "/v1/skills"): Action.GET_SKILLS,
}


def test_routes_require_the_reference_actions() -> None:
    actions = {(r.method, r.path): r.action for r in route_table()}
    assert {route: actions.get(route) for route in EXPECTED} == EXPECTED
