"""RBAC as pure functions: which actions a principal may perform, on what.

Semantics (contract section 5, hardened):

* rules for the same role are unioned; every caller also has the ``*`` role;
* a role granted ``admin`` may perform every action;
* **with no rules configured** (no ``authorization`` section, or an empty ``access_rules``)
  every action except ``admin`` is allowed - existing noop/k8s/api-key deployments keep
  working - but ``admin`` is never granted implicitly (the reference grants it);
* configured rules apply to every authentication module (the reference ignores them for
  noop/k8s/api-key, and for jwk-token without role rules);
* an owned resource (:class:`~lightspeed_core.authz.ownership.OwnedResource`) held by someone
  else additionally needs the matching ``*_other_conversations`` action.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lightspeed_core.auth.base import EVERYONE, Principal
from lightspeed_core.authz.ownership import OwnedResource, may_act_on
from lightspeed_core.vocabulary.actions import Action

__all__ = [
    "ALL_ACTIONS",
    "DEFAULT_ACTIONS",
    "AccessPolicy",
    "allowed_actions",
    "is_allowed",
]

ALL_ACTIONS = frozenset(Action)
DEFAULT_ACTIONS = ALL_ACTIONS - {Action.ADMIN}


@dataclass(frozen=True)
class AccessPolicy:
    """Role → granted actions; ``rules=None`` means no rules configured."""

    rules: Mapping[str, frozenset[Action]] | None = None

    @classmethod
    def from_rules(cls, rules: Iterable[tuple[str, Iterable[Action | str]]] | None) -> AccessPolicy:
        """Build from ``(role, actions)`` pairs; ``None`` or no pairs = no rules configured."""
        if rules is None:
            return cls(None)
        merged: dict[str, set[Action]] = {}
        for role, actions in rules:
            merged.setdefault(role, set()).update(Action(a) for a in actions)
        if not merged:
            return cls(None)
        return cls({role: frozenset(actions) for role, actions in merged.items()})


def allowed_actions(policy: AccessPolicy, roles: Iterable[str]) -> frozenset[Action]:
    """Every action the roles grant (``*`` is always included)."""
    if policy.rules is None:
        return DEFAULT_ACTIONS
    granted: set[Action] = set()
    for role in {*roles, EVERYONE}:
        granted |= policy.rules.get(role, frozenset())
    return ALL_ACTIONS if Action.ADMIN in granted else frozenset(granted)


def is_allowed(
    policy: AccessPolicy,
    action: Action,
    principal: Principal,
    resource: OwnedResource | None = None,
) -> bool:
    """Whether ``principal`` may perform ``action`` (on ``resource``, when given)."""
    actions = allowed_actions(policy, principal.roles)
    if action not in actions:
        return False
    return resource is None or may_act_on(actions, principal.user_id, action, resource)
