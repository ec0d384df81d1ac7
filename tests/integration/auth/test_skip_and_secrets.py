"""skip_for_health_probes / skip_for_metrics for every module; tokens never leak."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from lightspeed_core.auth.base import Principal
from lightspeed_core.auth.factory import build_auth_backend
from lightspeed_core.config.redact import dump_configuration
from lightspeed_core.vocabulary.actions import Action
from tests.support.auth.crypto import SigningKey
from tests.support.auth.harness import RouteAction, auth_app, base_config, client_for
from tests.support.auth.jwks_server import JwksServer
from tests.support.auth.kube_api import KubeApiServer, KubeUser

ROUTES = [
    RouteAction("GET", "/readiness", Action.INFO, True),
    RouteAction("GET", "/liveness", Action.INFO, True),
    RouteAction("GET", "/metrics", Action.GET_METRICS, True),
    RouteAction("GET", "/v1/models", Action.GET_MODELS, True),
]
KEY = SigningKey.rsa("skip")
SECRET_KEY = "api-key-d41d8cd98f00b204"


def authentication(module: str, jwks: JwksServer, kube: KubeApiServer) -> dict[str, Any]:
    block: dict[str, Any] = {"module": module}
    match module:
        case "api-key-token":
            block["api_key_config"] = {"api_key": SECRET_KEY}
        case "jwk-token":
            block["jwk_config"] = {"url": jwks.url}
        case "rh-identity":
            block["rh_identity_config"] = {}
        case "trusted-proxy":
            block["trusted_proxy_config"] = {}
    if module in ("k8s", "trusted-proxy"):
        block |= {"k8s_cluster_api": kube.url, "k8s_ca_cert_path": str(kube.ca_cert)}
    return block


# module → header carrying a (bad) credential
CREDENTIAL = {
    "noop-with-token": ("Authorization", "Basic x"),
    "api-key-token": ("Authorization", "Bearer wrong"),
    "jwk-token": ("Authorization", "Bearer not-a-jwt"),
    "k8s": ("Authorization", "Bearer forged"),
    "rh-identity": ("x-rh-identity", "!!!"),
    "trusted-proxy": ("Authorization", "Bearer forged"),
}


@pytest.mark.parametrize("module", list(CREDENTIAL))
@pytest.mark.parametrize("rules", [False, True], ids=["no rules", "info for everyone"])
async def test_skip_flags(
    module: str, rules: bool, jwks_server: JwksServer, kube: KubeApiServer
) -> None:
    jwks_server.state.publish(KEY)
    section = authentication(module, jwks_server, kube)
    header, bad = CREDENTIAL[module]
    authorization = {"access_rules": [{"role": "*", "actions": ["info"]}]} if rules else None
    for skip in (False, True):
        config = base_config(
            authentication={**section, "skip_for_health_probes": skip, "skip_for_metrics": skip},
            authorization=authorization,
        )
        backend = build_auth_backend(config.authentication)
        try:
            async with client_for(auth_app(config, backend, ROUTES)) as client:
                statuses = {r.path: (await client.get(r.path)).status_code for r in ROUTES}
                with_bad = (await client.get("/liveness", headers={header: bad})).status_code
        finally:
            await backend.aclose()
        if not skip:
            assert set(statuses.values()) == {401}, statuses
        else:
            metrics = 403 if rules else 200
            assert statuses == {
                "/readiness": 200,
                "/liveness": 200,
                "/metrics": metrics,
                "/v1/models": 401,
            }
        # a credential header present: the module checks it even on probes
        assert with_bad in (400, 401)


async def test_tokens_never_in_logs_bodies_or_config(
    jwks_server: JwksServer, kube: KubeApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    jwks_server.state.publish(KEY)
    kube.state.users = {"k8s-secret-token": KubeUser("alice", "uid-a")}
    kube.state.allowed = {"alice"}
    kube.state.service_token = None
    jwt_token = KEY.token({"user_id": "u", "username": "u"})
    cases = {
        "noop-with-token": ["noop-secret-token"],
        "api-key-token": [SECRET_KEY, SECRET_KEY + "x"],
        "jwk-token": [jwt_token, jwt_token[:-4] + "AAAA", KEY.token({"x": 1})],
        "k8s": ["k8s-secret-token", "k8s-other-secret"],
    }
    seen: list[str] = []
    for module, tokens in cases.items():
        config = base_config(authentication=authentication(module, jwks_server, kube))
        backend = build_auth_backend(config.authentication)
        try:
            async with client_for(auth_app(config, backend)) as client:
                for token in tokens:
                    response = await client.post(
                        "/authorized", headers={"Authorization": f"Bearer {token}"}
                    )
                    seen.append(f"{module}:{response.status_code}")
                    assert token not in response.text
        finally:
            await backend.aclose()
        dumped = str(dump_configuration(config))
        assert SECRET_KEY not in dumped
    assert seen == [
        "noop-with-token:200",
        "api-key-token:200",
        "api-key-token:401",
        "jwk-token:200",
        "jwk-token:401",
        "jwk-token:401",
        "k8s:200",
        "k8s:401",
    ]
    for tokens in cases.values():
        for token in tokens:
            assert token not in caplog.text


def test_principal_repr_hides_token() -> None:
    principal = Principal("u", "n", token="very-secret")
    assert "very-secret" not in repr(principal)
    assert "very-secret" not in str(principal)
