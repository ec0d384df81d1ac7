"""For each module, each route of the real application and each caller: the expected status.

Routes come from ``lightspeed_core.app.ROUTERS``: a new route joins the matrix by itself,
and a route without ``require(...)`` fails ``test_every_route_declares_an_action``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from lightspeed_core.auth.api_key import ApiKeyAuth
from lightspeed_core.auth.base import AuthBackend
from lightspeed_core.auth.jwk_token import JwkTokenAuth
from lightspeed_core.auth.k8s import K8sAuth
from lightspeed_core.auth.k8s_client import K8sApi, K8sConnection
from lightspeed_core.auth.noop import NoopAuth, NoopWithTokenAuth
from lightspeed_core.auth.rh_identity import RHIdentityAuth
from lightspeed_core.auth.trusted_proxy import TrustedProxyAuth
from lightspeed_core.config.models.auth import (
    JwkConfiguration,
    RHIdentityConfiguration,
    TrustedProxyConfiguration,
)
from tests.support.auth import rh_identity
from tests.support.auth.crypto import SigningKey
from tests.support.auth.harness import (
    UNGUARDED,
    RouteAction,
    auth_app,
    base_config,
    client_for,
    route_table,
)
from tests.support.auth.jwks_server import JwksServer
from tests.support.auth.kube_api import KubeApiServer, KubeUser
from tests.support.auth.matrix import (
    ACCESS_RULES,
    DOC,
    ROLE_RULES,
    current_section,
    expected_status,
    render,
)

ROUTES = route_table()
KEY = SigningKey.ec("matrix")


@dataclass(frozen=True)
class Caller:
    """Credentials and what the module answers to them on an authenticated route."""

    name: str
    headers: dict[str, str] = field(default_factory=dict)
    roles: frozenset[str] = frozenset()
    failure: int | None = None  # 401/403 from authentication itself


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def jwt_for(name: str, **claims: Any) -> dict[str, str]:
    return bearer(KEY.token({"user_id": f"id-{name}", "username": name, **claims}))


NO_CREDENTIALS = Caller("no credentials", failure=401)
MODULES: dict[str, list[Caller]] = {
    "noop": [Caller("anonymous")],
    "noop-with-token": [Caller("any bearer", bearer("whatever")), NO_CREDENTIALS],
    "api-key-token": [
        Caller("key", bearer("the-key")),
        Caller("wrong key", bearer("not-the-key"), failure=401),
        NO_CREDENTIALS,
    ],
    "jwk-token": [
        Caller("admin", jwt_for("admin", roles=["admin"]), frozenset({"admin"})),
        Caller("user", jwt_for("user", roles=["user"]), frozenset({"user"})),
        Caller("viewer", jwt_for("viewer", groups=["viewers"]), frozenset({"viewer"})),
        Caller("query-only", jwt_for("query", scope="query"), frozenset({"query-only"})),
        Caller("no role", jwt_for("nobody", roles=["guest"])),
        Caller(
            "expired",
            bearer(KEY.token({"user_id": "u", "username": "u"}, expires_in=-9)),
            failure=401,
        ),
        NO_CREDENTIALS,
    ],
    "k8s": [
        Caller("allowed", bearer("alice-token")),
        Caller("not allowed /ls-access", bearer("bob-token"), failure=403),
        Caller("invalid token", bearer("forged"), failure=401),
        NO_CREDENTIALS,
    ],
    "rh-identity": [
        Caller("User", {"x-rh-identity": rh_identity.encode(rh_identity.user())}),
        Caller("System", {"x-rh-identity": rh_identity.encode(rh_identity.system())}),
        Caller("bad header", {"x-rh-identity": "!!"}, failure=400),
        NO_CREDENTIALS,
    ],
    "trusted-proxy": [
        Caller("proxied", {**bearer("proxy-token"), "X-Forwarded-User": "dana"}),
        Caller("proxy without user", bearer("proxy-token"), failure=401),
        Caller("not a proxy", {**bearer("alice-token"), "X-Forwarded-User": "x"}, failure=403),
        NO_CREDENTIALS,
    ],
}


def build_backend(module: str, jwks: JwksServer, kube: KubeApiServer) -> AuthBackend:
    api: Callable[[], K8sApi] = lambda: K8sApi(  # noqa: E731
        K8sConnection(server=kube.url, ca_file=kube.ca_cert, token="svc")
    )
    match module:
        case "noop":
            return NoopAuth()
        case "noop-with-token":
            return NoopWithTokenAuth()
        case "api-key-token":
            return ApiKeyAuth("the-key")
        case "jwk-token":
            config = JwkConfiguration.model_validate(
                {"url": jwks.url, "jwt_configuration": {"role_rules": ROLE_RULES}}
            )
            return JwkTokenAuth(config)
        case "k8s":
            return K8sAuth(api())
        case "rh-identity":
            return RHIdentityAuth(RHIdentityConfiguration())
        case "trusted-proxy":
            return TrustedProxyAuth(TrustedProxyConfiguration(), api())
    raise AssertionError(module)


@contextlib.asynccontextmanager
async def matrix_client(
    module: str, rules: bool, jwks: JwksServer, kube: KubeApiServer
) -> AsyncIterator[httpx.AsyncClient]:
    jwks.state.publish(KEY)
    kube.state.users = {
        "alice-token": KubeUser("alice", "uid-alice"),
        "bob-token": KubeUser("bob", "uid-bob"),
        "proxy-token": KubeUser("system:serviceaccount:gw:proxy", "uid-proxy"),
    }
    kube.state.allowed = {"alice"}
    kube.state.service_token = "svc"
    config = base_config(authorization={"access_rules": ACCESS_RULES} if rules else None)
    backend = build_backend(module, jwks, kube)
    try:
        async with client_for(auth_app(config, backend, ROUTES)) as client:
            yield client
    finally:
        await backend.aclose()


def expected(route: RouteAction, caller: Caller, rules: bool) -> int:
    if not route.authenticated:
        return 200
    if caller.failure is not None:
        return caller.failure
    return expected_status(route, set(caller.roles), rules=rules)


@pytest.mark.parametrize("rules", [True, False], ids=["access_rules", "no rules"])
@pytest.mark.parametrize("module", list(MODULES))
async def test_matrix(
    module: str, rules: bool, jwks_server: JwksServer, kube: KubeApiServer
) -> None:
    mismatches: list[str] = []
    async with matrix_client(module, rules, jwks_server, kube) as client:
        for route in ROUTES:
            for caller in MODULES[module]:
                path = route.path.replace("{", "").replace("}", "")
                response = await client.request(route.method, path, headers=caller.headers)
                want = expected(route, caller, rules)
                if response.status_code != want:
                    mismatches.append(
                        f"{route.method} {route.path} as {caller.name}: "
                        f"{response.status_code} (expected {want})"
                    )
    assert mismatches == []


def test_every_route_declares_an_action() -> None:
    unguarded = {(r.method, r.path): r for r in ROUTES if r.action is None}
    assert set(unguarded) <= set(UNGUARDED), "routes without require(...)"
    assert unguarded[("POST", "/authorized")].authenticated
    feedback_status = unguarded.get(("GET", "/v1/feedback/status"))
    assert feedback_status is None or not feedback_status.authenticated


def test_admin_only_routes() -> None:
    admin_routes = {
        (r.method, r.path) for r in ROUTES if r.action is not None and r.action.value == "admin"
    }
    assert ("PUT", "/v1/feedback/status") in admin_routes


def test_docs_matrix_is_current() -> None:
    assert current_section(DOC.read_text(encoding="utf-8")) == render(), (
        "docs/auth.md is stale: run `uv run --no-sync python -m tests.support.auth.matrix`"
    )
