"""FastAPI dependencies, declared once as ``Annotated`` aliases.

* ``ServicesDep`` - the container; tests override :func:`get_services` only.
* ``CurrentUser`` - the authenticated :class:`~lightspeed_core.auth.base.Principal`.
* ``require(action)`` - authenticate, then check RBAC; yields an :class:`Authorized`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from lightspeed_core.auth.base import ANONYMOUS, Principal
from lightspeed_core.authz.actions import Action
from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.policy import allowed_actions
from lightspeed_core.container import Services
from lightspeed_core.errors import ForbiddenError

HEALTH_PATHS = frozenset({"/readiness", "/liveness"})


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def _skip_auth(request: Request, services: Services) -> bool:
    auth = services.config.authentication
    path = request.url.path.removeprefix(request.scope.get("root_path", ""))
    skip = (auth.skip_for_health_probes and path in HEALTH_PATHS) or (
        auth.skip_for_metrics and path == "/metrics"
    )
    return skip and not services.auth.has_credentials(request)


async def authenticate(request: Request, services: ServicesDep) -> Principal:
    if _skip_auth(request, services):
        return ANONYMOUS
    principal = await services.auth.authenticate(request)
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(authenticate)]


def require(action: Action) -> Callable[..., Awaitable[Authorized]]:
    """Dependency factory: 403 unless the caller's roles allow ``action``."""

    async def check(principal: CurrentUser, services: ServicesDep) -> Authorized:
        actions = allowed_actions(services.policy, principal.roles)
        if action not in actions:
            raise ForbiddenError(
                "User does not have permission to access this endpoint",
                f"User {principal.user_id} is not authorized to access this endpoint.",
            )
        return Authorized(principal, actions)

    return check
