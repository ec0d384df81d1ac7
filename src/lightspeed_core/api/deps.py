"""FastAPI dependencies, declared once as ``Annotated`` aliases.

* ``ServicesDep`` - the container; tests override :func:`get_services` only.
* ``CurrentUser`` - the authenticated :class:`~lightspeed_core.auth.base.Principal`; the only
  way identity reaches a route.
* ``require(action)`` - authenticate, then check RBAC; yields an :class:`Authorized`. Every
  route declares exactly one (``/authorized`` and a few unauthenticated routes excepted); the
  returned :class:`RequireAction` records its ``action`` so the route→action matrix can be
  read off the route table (tests and ``docs/auth.md``).

No ``from __future__ import annotations`` here: FastAPI reads the signature of
``RequireAction.__call__`` and needs real annotation objects.
"""

from typing import Annotated

from fastapi import Depends, Request

from lightspeed_core.api.body_guard import unstorable
from lightspeed_core.auth.base import ANONYMOUS, Principal
from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.policy import allowed_actions
from lightspeed_core.container import Services
from lightspeed_core.errors import ForbiddenError, UnprocessableError
from lightspeed_core.vocabulary.actions import Action

HEALTH_PATHS = frozenset({"/readiness", "/liveness"})
METRICS_PATH = "/metrics"
MAX_USER_ID_LENGTH = 256
"""The user-id columns are ``VARCHAR(256)``; PostgreSQL refuses longer values."""


async def get_services(request: Request) -> Services:
    # async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool - a thread
    # hand-off on every request for a single attribute read
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def _skip_auth(request: Request, services: Services) -> bool:
    """``skip_for_health_probes`` / ``skip_for_metrics`` for a request without credentials."""
    auth = services.config.authentication
    if not (auth.skip_for_health_probes or auth.skip_for_metrics):
        return False  # the common case: no URL work per request
    path = request.url.path
    root_path = request.scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :]
    skip = (auth.skip_for_health_probes and path in HEALTH_PATHS) or (
        auth.skip_for_metrics and path == METRICS_PATH
    )
    return skip and not services.auth.has_credentials(request)


async def authenticate(request: Request, services: ServicesDep) -> Principal:
    if _skip_auth(request, services):
        return ANONYMOUS
    principal = await services.auth.authenticate(request)
    check_identity(principal)
    request.state.principal = principal
    return principal


def check_identity(principal: Principal) -> None:
    """422 for a user id or name that cannot be stored (same answer on both engines)."""
    user_id = principal.user_id
    if len(user_id) > MAX_USER_ID_LENGTH or unstorable(user_id) or unstorable(principal.username):
        raise UnprocessableError(
            "Invalid user identity",
            f"The user ID must have at most {MAX_USER_ID_LENGTH} characters, and the user ID "
            "and name must not contain NUL or unpaired surrogate characters.",
        )


CurrentUser = Annotated[Principal, Depends(authenticate)]


class RequireAction:
    """The dependency ``require(action)`` returns: 403 unless the roles allow ``action``."""

    def __init__(self, action: Action) -> None:
        self.action = action

    def __repr__(self) -> str:
        return f"require({self.action.value!r})"

    async def __call__(self, principal: CurrentUser, services: ServicesDep) -> Authorized:
        actions = allowed_actions(services.policy, principal.roles)
        if self.action not in actions:
            raise ForbiddenError(
                "User does not have permission to access this endpoint",
                f"User {principal.user_id} is not authorized to access this endpoint.",
            )
        return Authorized(principal, actions)


def require(action: Action) -> RequireAction:
    """Dependency factory: ``Depends(require(Action.QUERY))``."""
    return RequireAction(action)
