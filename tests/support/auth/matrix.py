"""The RBAC matrix: example rules, expected answers, and its rendering for ``docs/auth.md``.

``uv run --no-sync python -m tests.support.auth.matrix`` rewrites the generated part of
``docs/auth.md`` (between the ``route-matrix`` markers); a test fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from lightspeed_core.vocabulary.actions import Action
from tests.support.auth.harness import RouteAction, route_table

DOC = Path(__file__).parents[3] / "docs" / "auth.md"
BEGIN = "<!-- BEGIN route-matrix (generated: python -m tests.support.auth.matrix) -->"
END = "<!-- END route-matrix -->"

# The access rules of examples/lightspeed-stack-jwk-auth.yaml (a test keeps them equal).
ACCESS_RULES: list[dict[str, Any]] = [
    {"role": "*", "actions": ["info"]},
    {"role": "admin", "actions": ["admin"]},
    {
        "role": "user",
        "actions": [
            "query",
            "streaming_query",
            "responses",
            "list_conversations",
            "get_conversation",
            "delete_conversation",
            "update_conversation",
            "feedback",
            "get_models",
            "get_tools",
            "get_shields",
            "list_providers",
            "get_provider",
            "list_rags",
            "get_rag",
            "read_prompts",
            "manage_saved_prompts",
            "read_vector_stores",
            "rlsapi_v1_infer",
        ],
    },
    {
        "role": "viewer",
        "actions": [
            "list_conversations",
            "get_conversation",
            "read_other_conversations",
            "list_other_conversations",
            "get_models",
            "list_providers",
            "get_provider",
            "get_config",
            "get_metrics",
        ],
    },
    {"role": "query-only", "actions": ["query", "streaming_query"]},
]

# Role rules of the same example: which claims give which role.
ROLE_RULES: list[dict[str, Any]] = [
    {"jsonpath": "$.roles[*]", "operator": "contains", "value": "admin", "roles": ["admin"]},
    {"jsonpath": "$.roles[*]", "operator": "contains", "value": "user", "roles": ["user"]},
    {"jsonpath": "$.groups[*]", "operator": "match", "value": "^viewers?$", "roles": ["viewer"]},
    {"jsonpath": "$.scope", "operator": "in", "value": ["query"], "roles": ["query-only"]},
]
ROLES = ("admin", "user", "viewer", "query-only")


def granted(roles: set[str], *, rules: bool) -> set[Action]:
    """What the roles may do, written independently of ``authz.policy``."""
    if not rules:
        return set(Action) - {Action.ADMIN}
    actions = {
        Action(a) for rule in ACCESS_RULES if rule["role"] in roles | {"*"} for a in rule["actions"]
    }
    return set(Action) if Action.ADMIN in actions else actions


def expected_status(route: RouteAction, roles: set[str], *, rules: bool) -> int:
    if route.action is None:
        return 200
    return 200 if route.action in granted(roles, rules=rules) else 403


def _cell(route: RouteAction, roles: set[str], *, rules: bool) -> str:
    return "✓" if expected_status(route, roles, rules=rules) == 200 else "403"


def render() -> str:
    lines = [
        BEGIN,
        "",
        "| Method | Path | Action | no rules | `*` only | query-only | viewer | user | admin |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for route in route_table():
        if route.action is None:
            guard = "*none: authentication only*" if route.authenticated else "*none: open*"
            cells = ["✓" if route.authenticated else "open"] * 6
        else:
            guard = f"`{route.action.value}`"
            cells = [_cell(route, set(), rules=False), _cell(route, set(), rules=True)]
            cells += [_cell(route, {role}, rules=True) for role in reversed(ROLES)]
        lines.append(f"| {route.method} | `{route.path}` | {guard} | {' | '.join(cells)} |")
    lines += ["", END]
    return "\n".join(lines)


def current_section(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[start:end]


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    DOC.write_text(text.replace(current_section(text), render()), encoding="utf-8")
    sys.stdout.write(f"updated {DOC}\n")


if __name__ == "__main__":
    main()
