"""The shipped examples and Kubernetes RBAC manifests, exercised against the doubles."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from lightspeed_core.auth.base import AuthBackend
from lightspeed_core.auth.factory import build_auth_backend
from lightspeed_core.auth.k8s import K8sAuth
from lightspeed_core.auth.k8s_client import K8sApi, K8sConnection
from lightspeed_core.auth.trusted_proxy import TrustedProxyAuth
from lightspeed_core.config import Configuration, load_configuration
from lightspeed_core.config.models.auth import TrustedProxyConfiguration
from tests.support.auth import rh_identity
from tests.support.auth.crypto import SigningKey
from tests.support.auth.harness import auth_app, base_config, client_for, policy_of
from tests.support.auth.jwks_server import JwksServer
from tests.support.auth.kube_api import KubeApiServer, KubeUser
from tests.support.auth.matrix import ACCESS_RULES, ROLE_RULES
from tests.support.auth.rbac import Rbac

ROOT = Path(__file__).resolve().parents[3]
RBAC = ROOT / "deploy" / "kubernetes" / "rbac.yaml"
EXAMPLES = ROOT / "examples"
SERVICE_SA = KubeUser(
    "system:serviceaccount:default:lightspeed-core",
    "uid-svc",
    ("system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"),
)


def rbac_cluster(kube: KubeApiServer, rbac: Rbac) -> None:
    kube.state.rbac = rbac
    kube.state.service_token = "svc-token"
    kube.state.users = {
        "svc-token": SERVICE_SA,
        "alice-token": KubeUser("alice", "uid-alice"),
        "admin-token": KubeUser(
            "kube:admin", "", ("system:cluster-admins", "system:authenticated")
        ),
        "lonely-token": KubeUser("lonely", "uid-l", ()),  # not even system:authenticated
        "proxy-token": KubeUser("system:serviceaccount:lightspeed:oauth-proxy", "uid-p"),
    }


@contextlib.asynccontextmanager
async def serve(
    backend: AuthBackend, config: Configuration | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    try:
        async with client_for(auth_app(config or base_config(), backend)) as client:
            yield client
    finally:
        await backend.aclose()


async def who(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    return await client.post("/authorized", headers=headers)


def in_cluster_api(kube: KubeApiServer) -> K8sApi:
    return K8sApi(K8sConnection(kube.url, in_cluster=True, ca_file=kube.ca_cert, token="svc-token"))


async def test_service_account_rbac_is_sufficient(kube: KubeApiServer) -> None:
    rbac_cluster(kube, Rbac.load(RBAC))
    async with serve(K8sAuth(in_cluster_api(kube))) as client:
        alice = await who(client, Authorization="Bearer alice-token")
        assert alice.json()["user_id"] == "uid-alice"
        admin = await who(client, Authorization="Bearer admin-token")
        assert admin.json()["user_id"] == kube.state.cluster_id
        lonely = await who(client, Authorization="Bearer lonely-token")
        assert lonely.status_code == 403  # not bound to lightspeed-core-user


@pytest.mark.parametrize(
    ("resource", "token", "status"),
    [
        ("tokenreviews", "alice-token", 500),
        ("subjectaccessreviews", "alice-token", 503),
        ("clusterversions", "admin-token", 500),
    ],
)
async def test_each_service_account_rule_is_needed(
    kube: KubeApiServer, resource: str, token: str, status: int
) -> None:
    full = Rbac.load(RBAC)
    roles = {
        name: [r for r in rules if resource not in r.get("resources", [])]
        for name, rules in full.roles.items()
    }
    rbac_cluster(kube, dataclasses.replace(full, roles=roles))
    async with serve(K8sAuth(in_cluster_api(kube))) as client:
        assert (await who(client, Authorization=f"Bearer {token}")).status_code == status


async def test_trusted_proxy_needs_only_token_reviews(kube: KubeApiServer) -> None:
    full = Rbac.load(RBAC)
    only_reviews = {
        name: [r for r in rules if "tokenreviews" in r.get("resources", [])]
        for name, rules in full.roles.items()
    }
    rbac_cluster(kube, dataclasses.replace(full, roles=only_reviews))
    config = TrustedProxyConfiguration.model_validate(
        {"allowed_service_accounts": [{"namespace": "lightspeed", "name": "oauth-proxy"}]}
    )
    async with serve(TrustedProxyAuth(config, in_cluster_api(kube))) as client:
        response = await who(
            client, Authorization="Bearer proxy-token", **{"X-Forwarded-User": "dana"}
        )
        assert response.json()["user_id"] == "dana"


# --- examples/lightspeed-stack-*-auth.yaml ------------------------------------------------


def example(name: str, **environ: str) -> Configuration:
    return load_configuration(EXAMPLES / f"lightspeed-stack-{name}-auth.yaml", environ=environ)


def test_examples_load() -> None:
    modules = {
        name: example(
            name, JWKS_URL="https://sso.example/certs", LIGHTSPEED_API_KEY="k"
        ).authentication.module
        for name in ("k8s", "jwk", "api-key", "rh-identity", "trusted-proxy")
    }
    assert modules == {
        "k8s": "k8s",
        "jwk": "jwk-token",
        "api-key": "api-key-token",
        "rh-identity": "rh-identity",
        "trusted-proxy": "trusted-proxy",
    }


def test_jwk_example_holds_the_documented_rules() -> None:
    config = example("jwk", JWKS_URL="https://sso.example/certs")
    assert config.authorization is not None
    rules = [r.model_dump(mode="json") for r in config.authorization.access_rules]
    assert rules == ACCESS_RULES
    assert config.authentication.jwk_config is not None
    role_rules = config.authentication.jwk_config.jwt_configuration.role_rules
    dumped = [r.model_dump(mode="json", exclude_defaults=True) for r in role_rules]
    assert dumped == ROLE_RULES


async def test_jwk_example(jwks_server: JwksServer) -> None:
    key = SigningKey.rsa("example")
    jwks_server.state.publish(key)
    config = example("jwk", JWKS_URL=jwks_server.url)
    token = key.token({"user_id": "u-1", "username": "ursula", "groups": ["viewer"]})
    async with serve(build_auth_backend(config.authentication), config) as client:
        assert (await who(client, Authorization=f"Bearer {token}")).json()["username"] == "ursula"


async def test_api_key_example() -> None:
    config = example("api-key", LIGHTSPEED_API_KEY="example-key")
    async with serve(build_auth_backend(config.authentication), config) as client:
        assert (await who(client, Authorization="Bearer example-key")).status_code == 200
        assert (await who(client, Authorization="Bearer other")).status_code == 401
    assert policy_of(config).rules is not None


async def test_rh_identity_example() -> None:
    config = example("rh-identity")
    entitled = rh_identity.encode(rh_identity.user(**rh_identity.entitled("rhel")))
    plain = rh_identity.encode(rh_identity.user())
    async with serve(build_auth_backend(config.authentication), config) as client:
        assert (await who(client, **{"x-rh-identity": entitled})).status_code == 200
        assert (await who(client, **{"x-rh-identity": plain})).status_code == 403


def _kubeconfig(path: Path, kube: KubeApiServer) -> Path:
    document: dict[str, Any] = {
        "current-context": "c",
        "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}],
        "clusters": [
            {
                "name": "k",
                "cluster": {"server": kube.url, "certificate-authority": str(kube.ca_cert)},
            }
        ],
        "users": [{"name": "u", "user": {"token": "svc-token"}}],
    }
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.mark.parametrize("name", ["k8s", "trusted-proxy"])
async def test_kubernetes_examples_with_kubeconfig(
    name: str, kube: KubeApiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rbac_cluster(kube, Rbac.load(RBAC))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path / "kubeconfig", kube)))
    config = example(name)
    headers = {"Authorization": "Bearer alice-token"}
    if name == "trusted-proxy":
        headers = {"Authorization": "Bearer proxy-token", "X-Forwarded-User": "dana"}
    async with serve(build_auth_backend(config.authentication), config) as client:
        assert (await who(client, **headers)).status_code == 200
