from __future__ import annotations

from typing import Any

import pytest

from lightspeed_core.auth.role_rules import compile_rules, resolve_roles
from lightspeed_core.config.models.auth import JwtRoleRule

CLAIMS: dict[str, Any] = {
    "sub": "u1",
    "email": "alice@redhat.com",
    "email_verified": True,
    "org": "acme",
    "realm_access": {"roles": ["user", "viewer"]},
    "groups": ["/team-a", "/admins"],
    "level": 3,
}


def roles(**rule: Any) -> set[str]:
    parsed = JwtRoleRule.model_validate({"roles": ["granted"], **rule})
    return set(resolve_roles(compile_rules([parsed]), CLAIMS)) - {"*"}


@pytest.mark.parametrize(
    ("rule", "granted"),
    [
        ({"jsonpath": "$.email_verified", "operator": "equals", "value": [True]}, True),
        ({"jsonpath": "$.email_verified", "operator": "equals", "value": True}, False),
        ({"jsonpath": "$.realm_access.roles[*]", "operator": "contains", "value": "user"}, True),
        ({"jsonpath": "$.realm_access.roles[*]", "operator": "contains", "value": "admin"}, False),
        ({"jsonpath": "$.org", "operator": "in", "value": ["acme", "initech"]}, True),
        ({"jsonpath": "$.org", "operator": "in", "value": [["acme"]]}, True),  # reference form
        ({"jsonpath": "$.org", "operator": "in", "value": ["initech"]}, False),
        ({"jsonpath": "$.org", "operator": "in", "value": "acme"}, False),  # not a list
        ({"jsonpath": "$.level", "operator": "in", "value": 3}, False),
        ({"jsonpath": "$.email", "operator": "match", "value": "@redhat\\.com$"}, True),
        ({"jsonpath": "$.email", "operator": "match", "value": "@ibm\\.com$"}, False),
        ({"jsonpath": "$.level", "operator": "match", "value": "3"}, False),  # not a string
        ({"jsonpath": "$.groups[*]", "operator": "match", "value": "^/admins$"}, True),
        ({"jsonpath": "$.missing", "operator": "equals", "value": []}, True),
        ({"jsonpath": "$.missing", "operator": "contains", "value": "x"}, False),
        (
            {
                "jsonpath": "$.realm_access.roles[*]",
                "operator": "contains",
                "value": "admin",
                "negate": True,
            },
            True,
        ),
        (
            {"jsonpath": "$.org", "operator": "in", "value": ["acme"], "negate": True},
            False,
        ),
    ],
)
def test_operators(rule: dict[str, Any], granted: bool) -> None:
    assert roles(**rule) == ({"granted"} if granted else set())


def test_union_of_matching_rules_plus_everyone() -> None:
    rules = compile_rules(
        [
            JwtRoleRule.model_validate(
                {
                    "jsonpath": "$.realm_access.roles[*]",
                    "operator": "contains",
                    "value": "user",
                    "roles": ["user", "reader"],
                }
            ),
            JwtRoleRule.model_validate(
                {"jsonpath": "$.org", "operator": "equals", "value": ["acme"], "roles": ["acme"]}
            ),
            JwtRoleRule.model_validate(
                {"jsonpath": "$.org", "operator": "equals", "value": ["x"], "roles": ["x"]}
            ),
        ]
    )
    assert resolve_roles(rules, CLAIMS) == {"*", "user", "reader", "acme"}
    assert resolve_roles(rules, {}) == {"*"}


def test_evaluation_errors_fail_closed_even_when_negated(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = JwtRoleRule.model_validate(
        {"jsonpath": "$.org", "operator": "equals", "value": ["x"], "negate": True, "roles": ["r"]}
    )
    (compiled,) = compile_rules([rule])
    assert compiled.holds(CLAIMS)

    def broken(_claims: object) -> list[object]:
        raise TypeError("comparison of str and int")

    monkeypatch.setattr(compiled.path, "find", broken)
    assert not compiled.holds(CLAIMS)
