"""The ``authorization`` section: role-based access rules."""

from __future__ import annotations

from pydantic import Field, model_validator

from lightspeed_core.config.models.base import ConfigModel, raise_issues
from lightspeed_core.vocabulary.actions import Action

__all__ = ["AccessRule", "AuthorizationConfiguration"]


class AccessRule(ConfigModel):
    """Rule defining what actions a role can perform."""

    role: str = Field(
        title="Role name",
        description="Name of the role ('*' applies to every user).",
    )
    actions: list[Action] = Field(
        title="Allowed actions",
        description="Allowed actions for this role ('admin' grants every action).",
    )

    @model_validator(mode="after")
    def _check_admin_alone(self) -> AccessRule:
        if Action.ADMIN in self.actions and len(set(self.actions)) > 1:
            raise_issues(
                [
                    (
                        "actions",
                        "'admin' must be the only action in its list (it already grants "
                        "every other action)",
                    )
                ]
            )
        return self


class AuthorizationConfiguration(ConfigModel):
    """Authorization configuration: the list of access rules."""

    access_rules: list[AccessRule] = Field(
        default_factory=list,
        title="Access rules",
        description="Rules for role-based access control",
    )
