"""RBAC as pure functions: which actions a set of roles may perform.

Semantics (contract section 5, hardened): rules for the same role are unioned, every caller
also has the ``*`` role, and ``admin`` implies every action. **With no rules configured every
action except ``admin`` is allowed** - existing noop/k8s/api-key deployments keep working,
but ``admin`` is never granted implicitly (the reference grants it; see docs/auth.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lightspeed_core.auth.base import EVERYONE
from lightspeed_core.authz.actions import Action

ALL_ACTIONS = frozenset(Action)
DEFAULT_ACTIONS = ALL_ACTIONS - {Action.ADMIN}


@dataclass(frozen=True)
class AccessPolicy:
    """Role → granted actions; ``rules=None`` means no ``authorization`` configured."""

    rules: Mapping[str, frozenset[Action]] | None = None

    @classmethod
    def from_rules(cls, rules: Iterable[tuple[str, Iterable[Action | str]]] | None) -> AccessPolicy:
        """Build from ``(role, actions)`` pairs; ``None`` = no rules configured."""
        if rules is None:
            return cls(None)
        merged: dict[str, set[Action]] = {}
        for role, actions in rules:
            merged.setdefault(role, set()).update(Action(a) for a in actions)
        return cls({role: frozenset(actions) for role, actions in merged.items()})


def allowed_actions(policy: AccessPolicy, roles: Iterable[str]) -> frozenset[Action]:
    """Every action the roles grant (``*`` is always included)."""
    if policy.rules is None:
        return DEFAULT_ACTIONS
    granted: set[Action] = set()
    for role in {*roles, EVERYONE}:
        granted |= policy.rules.get(role, frozenset())
    return ALL_ACTIONS if Action.ADMIN in granted else frozenset(granted)


def is_allowed(policy: AccessPolicy, action: Action, roles: Iterable[str]) -> bool:
    """Whether ``roles`` may perform ``action``."""
    return action in allowed_actions(policy, roles)
