"""A Kubernetes API double on 127.0.0.1 over HTTPS (certificates from a generated CA).

Implements what the k8s and trusted-proxy modules call: ``POST tokenreviews``,
``POST subjectaccessreviews`` and ``GET clusterversions/version``. Tests script the answers:
known tokens, who may ``get /ls-access``, forced HTTP statuses and stalls (timeouts).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.auth.crypto import TlsFiles
from tests.support.auth.rbac import Rbac
from tests.support.auth.server import ThreadedServer

TOKEN_REVIEW = "tokenreviews"
ACCESS_REVIEW = "subjectaccessreviews"
CLUSTER_VERSION = "clusterversions"
# endpoint → (API group, resource, verb, resource name) the caller needs
PERMISSIONS = {
    TOKEN_REVIEW: ("authentication.k8s.io", "tokenreviews", "create", None),
    ACCESS_REVIEW: ("authorization.k8s.io", "subjectaccessreviews", "create", None),
    CLUSTER_VERSION: ("config.openshift.io", "clusterversions", "get", "version"),
}


@dataclass(frozen=True)
class KubeUser:
    username: str
    uid: str = ""
    groups: tuple[str, ...] = ("system:authenticated",)


@dataclass
class KubeState:
    """The cluster as the tests script it."""

    users: dict[str, KubeUser] = field(default_factory=dict)  # bearer token → user
    allowed: set[str] = field(default_factory=set)  # usernames allowed GET /ls-access
    cluster_id: str = "cluster-0123"
    service_token: str | None = None  # token the service must present (None: any)
    fail: dict[str, int] = field(default_factory=dict)  # endpoint → forced status
    stall: set[str] = field(default_factory=set)  # endpoints that never answer in time
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    rbac: Rbac | None = None  # when set: enforce it for the service and for SARs

    def reset(self) -> None:
        """Back to an empty cluster that accepts any service credentials."""
        fresh = KubeState()
        for name in ("users", "allowed", "cluster_id", "service_token", "rbac"):
            setattr(self, name, getattr(fresh, name))
        self.fail.clear()
        self.stall.clear()
        self.calls.clear()


def kube_app(state: KubeState) -> Starlette:
    async def gate(request: Request, endpoint: str) -> Response | None:
        if endpoint in state.stall:
            await asyncio.sleep(3)
        if endpoint in state.fail:
            status = state.fail[endpoint]
            return JSONResponse({"kind": "Status", "code": status}, status_code=status)
        expected = state.service_token
        presented = request.headers.get("authorization", "").removeprefix("Bearer ")
        if expected is not None and presented != expected:
            return JSONResponse({"kind": "Status", "code": 401}, status_code=401)
        if state.rbac is not None:
            caller = state.users.get(presented)
            group, resource, verb, name = PERMISSIONS[endpoint]
            if caller is None or not state.rbac.allows(
                caller.username, caller.groups, verb=verb, group=group, resource=resource, name=name
            ):
                return JSONResponse({"kind": "Status", "code": 403}, status_code=403)
        return None

    async def token_review(request: Request) -> Response:
        body = await request.json()
        state.calls.append((TOKEN_REVIEW, body))
        if (answer := await gate(request, TOKEN_REVIEW)) is not None:
            return answer
        user = state.users.get(body.get("spec", {}).get("token", ""))
        status: dict[str, Any] = {"authenticated": user is not None}
        if user is not None:
            status["user"] = {
                "username": user.username,
                "uid": user.uid,
                "groups": list(user.groups),
            }
        return JSONResponse({**body, "status": status}, status_code=201)

    async def access_review(request: Request) -> Response:
        body = await request.json()
        state.calls.append((ACCESS_REVIEW, body))
        if (answer := await gate(request, ACCESS_REVIEW)) is not None:
            return answer
        spec = body.get("spec", {})
        attributes = spec.get("nonResourceAttributes", {})
        path, verb = attributes.get("path"), attributes.get("verb")
        if state.rbac is not None:
            groups = tuple(spec.get("groups", []))
            allowed = state.rbac.allows(spec.get("user", ""), groups, verb=verb, path=path)
        else:
            allowed = spec.get("user") in state.allowed and (path, verb) == ("/ls-access", "get")
        return JSONResponse({**body, "status": {"allowed": allowed}}, status_code=201)

    async def cluster_version(request: Request) -> Response:
        state.calls.append((CLUSTER_VERSION, {}))
        if (answer := await gate(request, CLUSTER_VERSION)) is not None:
            return answer
        return JSONResponse({"spec": {"clusterID": state.cluster_id}})

    return Starlette(
        routes=[
            Route("/apis/authentication.k8s.io/v1/tokenreviews", token_review, methods=["POST"]),
            Route(
                "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                access_review,
                methods=["POST"],
            ),
            Route("/apis/config.openshift.io/v1/clusterversions/version", cluster_version),
        ]
    )


class KubeApiServer:
    """The double over HTTPS; ``require_client_cert`` demands a certificate from our CA."""

    def __init__(self, tls: TlsFiles, *, require_client_cert: bool = False) -> None:
        self.state = KubeState()
        self.tls = tls
        self._server = ThreadedServer(
            kube_app(self.state),
            certfile=tls.server_cert,
            keyfile=tls.server_key,
            client_ca=tls.ca_cert if require_client_cert else None,
        )

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def ca_cert(self) -> Path:
        return self.tls.ca_cert

    def start(self) -> KubeApiServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()
