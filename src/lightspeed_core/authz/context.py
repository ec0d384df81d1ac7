"""The result of an authorization check, handed to handlers for secondary checks."""

from __future__ import annotations

from dataclasses import dataclass

from lightspeed_core.auth.base import Principal
from lightspeed_core.vocabulary.actions import Action


@dataclass(frozen=True, slots=True)
class Authorized:
    """The caller and every action their roles allow."""

    principal: Principal
    actions: frozenset[Action]

    def may(self, action: Action) -> bool:
        return action in self.actions
