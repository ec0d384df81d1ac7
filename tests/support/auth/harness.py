"""A small FastAPI app exercising the real auth dependencies, without OGX.

``route_table()`` reads the real application's routes (``lightspeed_core.app.ROUTERS``) and
the action each one's ``require(...)`` declares; ``auth_app()`` mounts a stub endpoint per
route behind the same dependency, plus the real ``POST /authorized`` handler, with a
stand-in for the services container (only ``config``, ``auth`` and ``policy`` are read).

No ``from __future__ import annotations``: the stub endpoints close over their action, and
FastAPI must see real annotation objects.
"""

import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, cast

import httpx
from fastapi import APIRouter, Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from lightspeed_core.api.deps import CurrentUser, RequireAction, authenticate, get_services
from lightspeed_core.api.errors import install_exception_handlers
from lightspeed_core.api.routes.info import authorized
from lightspeed_core.auth.base import AuthBackend
from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.policy import AccessPolicy
from lightspeed_core.config import Configuration, configuration_from_data
from lightspeed_core.container import Services
from lightspeed_core.vocabulary.actions import Action

# Routes with no require(): (method, path) → why.
UNGUARDED: dict[tuple[str, str], str] = {
    ("POST", "/authorized"): "authentication only: tells who the credentials identify",
    ("GET", "/v1/feedback/status"): "no authentication at all (reference contract)",
    ("GET", "/a2a/health"): "no authentication at all (reference contract)",
    ("GET", "/.well-known/agent.json"): "authentication only (reference contract)",
    ("GET", "/.well-known/agent-card.json"): "authentication only (reference contract)",
}


@dataclass(frozen=True)
class RouteAction:
    """One method+path of the real application and what guards it."""

    method: str
    path: str
    action: Action | None
    authenticated: bool


def _walk(dependant: Dependant) -> Iterable[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _walk(dependency)


def route_table(routers: Sequence[APIRouter] | None = None) -> list[RouteAction]:
    """Every (method, path) of ``routers`` (default: the application's) and its action."""
    if routers is None:
        from lightspeed_core.app import ROUTERS

        routers = ROUTERS
    table: list[RouteAction] = []
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            calls = list(_walk(route.dependant))
            actions = {call.action for call in calls if isinstance(call, RequireAction)}
            assert len(actions) <= 1, f"{route.path} declares several actions: {actions}"
            action = next(iter(actions), None)
            authenticated = action is not None or authenticate in calls
            for method in sorted(route.methods or ()):
                table.append(RouteAction(method, route.path, action, authenticated))
    return sorted(table, key=lambda r: (r.path, r.method))


@dataclass(frozen=True)
class AuthServices:
    """The part of :class:`Services` the auth dependencies read."""

    config: Configuration
    auth: AuthBackend
    policy: AccessPolicy


def base_config(**sections: Any) -> Configuration:
    document: dict[str, Any] = {
        "name": "auth test",
        "service": {},
        "llama_stack": {"url": "http://localhost:8321"},
        "user_data_collection": {},
    }
    document.update(sections)
    return configuration_from_data(document, environ={})


def policy_of(config: Configuration) -> AccessPolicy:
    if config.authorization is None:
        return AccessPolicy(None)
    return AccessPolicy.from_rules((r.role, r.actions) for r in config.authorization.access_rules)


def _stub(route: RouteAction) -> Any:
    if route.action is not None:
        guard = route.action

        async def guarded(
            auth: Annotated[Authorized, Depends(RequireAction(guard))],
        ) -> dict[str, Any]:
            return {"user_id": auth.principal.user_id, "action": guard.value}

        return guarded
    if route.authenticated:

        async def authenticated(principal: CurrentUser) -> dict[str, Any]:
            return {"user_id": principal.user_id}

        return authenticated

    async def open_route() -> dict[str, Any]:
        return {}

    return open_route


def auth_app(
    config: Configuration, backend: AuthBackend, routes: Iterable[RouteAction] = ()
) -> FastAPI:
    """An app answering 200 on every route the caller may use, the real errors otherwise."""
    app = FastAPI()
    install_exception_handlers(app)
    services = cast(Services, AuthServices(config, backend, policy_of(config)))
    app.dependency_overrides[get_services] = lambda: services
    app.add_api_route("/authorized", authorized, methods=["POST"])
    for route in routes:
        if (route.method, route.path) == ("POST", "/authorized"):
            continue
        app.add_api_route(route.path, _stub(route), methods=[route.method])
    return app


@contextlib.asynccontextmanager
async def client_for(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
