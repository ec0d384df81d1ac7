"""k8s and trusted-proxy against an HTTPS Kubernetes API double on 127.0.0.1."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from lightspeed_core.auth.base import AuthBackend
from lightspeed_core.auth.k8s import K8sAuth
from lightspeed_core.auth.k8s_client import K8sApi, K8sConnection, discover_connection
from lightspeed_core.auth.trusted_proxy import TrustedProxyAuth
from lightspeed_core.config.models.auth import (
    AuthenticationConfiguration,
    TrustedProxyConfiguration,
)
from tests.support.auth.crypto import TlsFiles, make_tls_files
from tests.support.auth.harness import auth_app, base_config, client_for
from tests.support.auth.kube_api import (
    ACCESS_REVIEW,
    CLUSTER_VERSION,
    TOKEN_REVIEW,
    KubeApiServer,
    KubeUser,
)

ALICE = KubeUser("alice", "uid-alice", ("system:authenticated", "devs"))
BOB = KubeUser("bob", "uid-bob")
ADMIN = KubeUser("kube:admin")
PROXY = KubeUser("system:serviceaccount:gateway:oauth-proxy", "uid-proxy")
OTHER_SA = KubeUser("system:serviceaccount:default:default", "uid-default")


def populate(kube: KubeApiServer) -> None:
    kube.state.users = {
        "alice-token": ALICE,
        "bob-token": BOB,
        "admin-token": ADMIN,
        "proxy-token": PROXY,
        "other-sa-token": OTHER_SA,
        "user-token": KubeUser("carol"),
    }
    kube.state.allowed = {"alice", "kube:admin"}
    kube.state.service_token = "lightspeed-sa-token"


def connection(kube: KubeApiServer, **changes: Any) -> K8sConnection:
    values: dict[str, Any] = {
        "server": kube.url,
        "ca_file": kube.ca_cert,
        "token": "lightspeed-sa-token",
    }
    values.update(changes)
    return K8sConnection(**values)


@pytest.fixture
async def k8s(kube: KubeApiServer) -> AsyncIterator[httpx.AsyncClient]:
    populate(kube)
    async with serve(K8sAuth(K8sApi(connection(kube), timeout=0.5))) as client:
        yield client


@pytest.fixture
async def proxy(kube: KubeApiServer) -> AsyncIterator[httpx.AsyncClient]:
    populate(kube)
    config = TrustedProxyConfiguration.model_validate(
        {"allowed_service_accounts": [{"namespace": "gateway", "name": "oauth-proxy"}]}
    )
    async with serve(TrustedProxyAuth(config, K8sApi(connection(kube)))) as client:
        yield client


@contextlib.asynccontextmanager
async def serve(backend: AuthBackend) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the harness app for ``backend``; the backend is closed afterwards."""
    try:
        async with client_for(auth_app(base_config(), backend)) as client:
            yield client
    finally:
        await backend.aclose()


async def who(client: httpx.AsyncClient, token: str | None, **headers: str) -> httpx.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return await client.post("/authorized", headers=headers)


def detail(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["detail"]
    return body


async def test_allowed_user(k8s: httpx.AsyncClient, kube: KubeApiServer) -> None:
    response = await who(k8s, "alice-token")
    assert response.json() == {
        "user_id": "uid-alice",
        "username": "alice",
        "skip_userid_check": False,
    }
    (_, review), (_, access) = kube.state.calls
    assert review["spec"] == {"token": "alice-token"}
    assert access["spec"] == {
        "user": "alice",
        "uid": "uid-alice",
        "groups": ["system:authenticated", "devs"],
        "nonResourceAttributes": {"path": "/ls-access", "verb": "get"},
    }


async def test_kube_admin_outside_cluster_is_local(k8s: httpx.AsyncClient) -> None:
    response = await who(k8s, "admin-token")
    assert response.json()["user_id"] == "local"
    assert response.json()["username"] == "kube:admin"


async def test_kube_admin_in_cluster_gets_cluster_id(kube: KubeApiServer) -> None:
    populate(kube)
    api = K8sApi(connection(kube, in_cluster=True))
    async with serve(K8sAuth(api)) as client:
        assert (await who(client, "admin-token")).json()["user_id"] == "cluster-0123"
        assert (await who(client, "admin-token")).json()["user_id"] == "cluster-0123"
    assert [c for c, _ in kube.state.calls].count(CLUSTER_VERSION) == 1  # cached


async def test_credential_failures(k8s: httpx.AsyncClient) -> None:
    assert detail(await who(k8s, None), 401)["cause"] == "No Authorization header found"
    assert detail(await who(k8s, "forged"), 401)["cause"] == "Invalid or expired Kubernetes token"
    denied = detail(await who(k8s, "bob-token"), 403)
    assert denied == {
        "response": "User does not have permission to access this endpoint",
        "cause": "User uid-bob is not authorized to access this endpoint.",
    }


@pytest.mark.parametrize(
    ("endpoint", "status", "expected"),
    [
        (TOKEN_REVIEW, 401, 500),
        (TOKEN_REVIEW, 403, 500),
        (TOKEN_REVIEW, 404, 500),
        (TOKEN_REVIEW, 429, 503),
        (TOKEN_REVIEW, 500, 503),
        (TOKEN_REVIEW, 503, 503),
        (ACCESS_REVIEW, 403, 503),
        (ACCESS_REVIEW, 429, 503),
        (ACCESS_REVIEW, 500, 503),
    ],
)
async def test_api_errors(
    k8s: httpx.AsyncClient, kube: KubeApiServer, endpoint: str, status: int, expected: int
) -> None:
    kube.state.fail[endpoint] = status
    body = detail(await who(k8s, "alice-token"), expected)
    if expected == 503:
        assert body["response"] == "Unable to connect to Kubernetes API"
        assert body["cause"].startswith("Failed to connect to Kubernetes API: ")
    else:
        assert body["response"] == "Internal server error"
    assert "alice-token" not in str(body)


async def test_cluster_id_failure(kube: KubeApiServer) -> None:
    populate(kube)
    kube.state.fail[CLUSTER_VERSION] = 500
    async with serve(K8sAuth(K8sApi(connection(kube, in_cluster=True)))) as client:
        assert detail(await who(client, "admin-token"), 503)["response"] == (
            "Unable to connect to Kubernetes API"
        )


@pytest.mark.parametrize("endpoint", [TOKEN_REVIEW, ACCESS_REVIEW])
async def test_timeouts(k8s: httpx.AsyncClient, kube: KubeApiServer, endpoint: str) -> None:
    kube.state.stall.add(endpoint)
    body = detail(await who(k8s, "alice-token"), 503)
    assert body["cause"] == "Failed to connect to Kubernetes API: ReadTimeout"


async def test_unreachable_and_untrusted_server(kube: KubeApiServer, tmp_path: Path) -> None:
    populate(kube)
    async with serve(K8sAuth(K8sApi(connection(kube, server="https://127.0.0.1:9")))) as c:
        assert detail(await who(c, "alice-token"), 503)["cause"] == (
            "Failed to connect to Kubernetes API: ConnectError"
        )
    other_ca = make_tls_files(tmp_path / "other").ca_cert
    async with serve(K8sAuth(K8sApi(connection(kube, ca_file=other_ca)))) as c:
        assert detail(await who(c, "alice-token"), 503)["cause"] == (
            "Failed to connect to Kubernetes API: ConnectError"
        )
    async with serve(K8sAuth(K8sApi(connection(kube, ca_file=other_ca, verify=False)))) as c:
        assert (await who(c, "alice-token")).status_code == 200


async def test_wrong_service_credentials_are_a_server_error(kube: KubeApiServer) -> None:
    populate(kube)
    async with serve(K8sAuth(K8sApi(connection(kube, token="stale")))) as client:
        assert detail(await who(client, "alice-token"), 500)["response"] == (
            "Internal server error"
        )


async def test_kubeconfig_with_client_certificate(tls: TlsFiles, tmp_path: Path) -> None:
    server = KubeApiServer(tls, require_client_cert=True).start()
    try:
        populate(server)
        server.state.service_token = None  # the certificate authenticates us
        kubeconfig = tmp_path / "config"
        kubeconfig.write_text(
            yaml.safe_dump(
                {
                    "current-context": "test",
                    "contexts": [{"name": "test", "context": {"cluster": "c", "user": "u"}}],
                    "clusters": [
                        {
                            "name": "c",
                            "cluster": {
                                "server": server.url,
                                "certificate-authority": str(tls.ca_cert),
                            },
                        }
                    ],
                    "users": [
                        {
                            "name": "u",
                            "user": {
                                "client-certificate": str(tls.client_cert),
                                "client-key": str(tls.client_key),
                            },
                        }
                    ],
                }
            )
        )
        config = AuthenticationConfiguration(module="k8s")
        found = discover_connection(config, environ={"KUBECONFIG": str(kubeconfig)}, home=tmp_path)
        async with serve(K8sAuth(K8sApi(found))) as client:
            assert (await who(client, "alice-token")).status_code == 200
        no_cert = K8sConnection(server=server.url, ca_file=tls.ca_cert)
        async with serve(K8sAuth(K8sApi(no_cert))) as client:
            assert (await who(client, "alice-token")).status_code == 503
    finally:
        server.stop()


async def test_in_cluster_token_file(kube: KubeApiServer, tmp_path: Path) -> None:
    populate(kube)
    token_file = tmp_path / "token"
    token_file.write_text("lightspeed-sa-token\n")
    api = K8sApi(connection(kube, token=None, token_file=token_file))
    async with serve(K8sAuth(api)) as client:
        assert (await who(client, "alice-token")).status_code == 200


# --- trusted-proxy -------------------------------------------------------------------


async def test_proxy_forwards_user(proxy: httpx.AsyncClient) -> None:
    response = await who(proxy, "proxy-token", **{"X-Forwarded-User": "dana@example.com"})
    assert response.json() == {
        "user_id": "dana@example.com",
        "username": "dana@example.com",
        "skip_userid_check": True,
    }


async def test_proxy_failures(proxy: httpx.AsyncClient) -> None:
    user = {"X-Forwarded-User": "dana"}
    assert detail(await who(proxy, None, **user), 401)["cause"] == "Missing Authorization header"
    assert detail(await who(proxy, "forged", **user), 401)["cause"] == (
        "Invalid or expired Kubernetes token"
    )
    assert detail(await who(proxy, "other-sa-token", **user), 403)["cause"] == (
        "system:serviceaccount:default:default is not an allowed trusted proxy."
    )
    assert detail(await who(proxy, "alice-token", **user), 403)["cause"] == (
        "alice is not an allowed trusted proxy."
    )
    assert detail(await who(proxy, "proxy-token"), 401)["cause"] == (
        "Missing required header 'X-Forwarded-User'"
    )
    blank = await who(proxy, "proxy-token", **{"X-Forwarded-User": "  "})
    assert detail(blank, 401)["cause"] == "Missing required header 'X-Forwarded-User'"


async def test_proxy_without_allowlist_accepts_any_service_account(kube: KubeApiServer) -> None:
    populate(kube)
    backend = TrustedProxyAuth(TrustedProxyConfiguration(), K8sApi(connection(kube)))
    async with serve(backend) as client:
        ok = await who(client, "other-sa-token", **{"X-Forwarded-User": "erin"})
        assert ok.json()["user_id"] == "erin"
        person = await who(client, "alice-token", **{"X-Forwarded-User": "erin"})
        assert person.status_code == 403


async def test_proxy_api_errors(proxy: httpx.AsyncClient, kube: KubeApiServer) -> None:
    kube.state.fail[TOKEN_REVIEW] = 503
    response = await who(proxy, "proxy-token", **{"X-Forwarded-User": "dana"})
    assert detail(response, 503)["response"] == "Unable to connect to Kubernetes API"
