"""A small async client for the Kubernetes API calls authentication needs.

TokenReview (``authentication.k8s.io/v1``), SubjectAccessReview (``authorization.k8s.io/v1``)
and the OpenShift cluster ID (``config.openshift.io/v1`` ``ClusterVersion``), over httpx.

Where the API server is and how we authenticate to it (:func:`discover_connection`):

1. in a pod (``KUBERNETES_SERVICE_HOST``/``_PORT`` set and a service-account token mounted):
   ``https://$HOST:$PORT``, the mounted token (re-read every minute: it rotates) and CA;
2. otherwise the kubeconfig (``$KUBECONFIG``, first existing path, else ``~/.kube/config``),
   current context: ``server``, ``certificate-authority[-data]``,
   ``insecure-skip-tls-verify``, and ``token`` / ``tokenFile`` / ``client-certificate[-data]``
   + ``client-key[-data]`` (exec and auth-provider plugins are not supported);
3. ``k8s_cluster_api``, ``k8s_ca_cert_path`` and ``skip_tls_verification`` override.
"""

from __future__ import annotations

import asyncio
import base64
import http
import os
import ssl
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import yaml

from lightspeed_core.config.models.auth import AuthenticationConfiguration
from lightspeed_core.errors import BackendUnavailableError, InternalError, LightspeedError

__all__ = [
    "SERVICE_ACCOUNT_DIR",
    "K8sApi",
    "K8sApiError",
    "K8sConfigError",
    "K8sConnection",
    "ReviewedUser",
    "api_failure",
    "discover_connection",
]

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")
AUTHN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews"
AUTHZ_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
CLUSTER_VERSION = "/apis/config.openshift.io/v1/clusterversions/version"
TOKEN_REFRESH_SECONDS = 60.0


class K8sConfigError(RuntimeError):
    """No usable Kubernetes API configuration (raised at start-up)."""


class K8sApiError(Exception):
    """A failed API call: ``status`` is the HTTP status, ``None`` when there was no answer."""

    def __init__(self, status: int | None, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class K8sConnection:
    """Where the API server is and which credentials we present to it."""

    server: str
    in_cluster: bool = False
    ca_file: Path | None = None
    ca_data: bytes | None = None
    verify: bool = True
    token: str | None = field(default=None, repr=False)
    token_file: Path | None = None
    client_cert: bytes | None = None  # PEM
    client_key: bytes | None = field(default=None, repr=False)  # PEM

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(
            cafile=str(self.ca_file) if self.ca_file else None,
            cadata=self.ca_data.decode() if self.ca_data else None,
        )
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if self.client_cert is not None and self.client_key is not None:
            with tempfile.TemporaryDirectory() as folder:
                cert, key = Path(folder, "tls.crt"), Path(folder, "tls.key")
                cert.write_bytes(self.client_cert)
                key.write_bytes(self.client_key)
                context.load_cert_chain(cert, key)
        return context


@dataclass(frozen=True)
class ReviewedUser:
    """What a successful TokenReview says about the token's owner."""

    username: str
    uid: str
    groups: tuple[str, ...] = ()


def _in_cluster(environ: Mapping[str, str], sa_dir: Path) -> K8sConnection | None:
    host, port = environ.get("KUBERNETES_SERVICE_HOST"), environ.get("KUBERNETES_SERVICE_PORT")
    token_file = sa_dir / "token"
    if not host or not port or not token_file.is_file():
        return None
    host = f"[{host}]" if ":" in host else host
    ca = sa_dir / "ca.crt"
    return K8sConnection(
        f"https://{host}:{port}",
        in_cluster=True,
        ca_file=ca if ca.is_file() else None,
        token_file=token_file,
    )


def _file_or_data(entry: Mapping[str, Any], name: str, base: Path) -> bytes | None:
    data = entry.get(f"{name}-data")
    if isinstance(data, str) and data:
        return base64.b64decode(data)
    path = entry.get(name)
    if isinstance(path, str) and path:
        return (base / path).expanduser().read_bytes()
    return None


def _named(document: Mapping[str, Any], kind: str, name: object) -> Mapping[str, Any]:
    for item in document.get(kind) or []:
        if isinstance(item, dict) and item.get("name") == name:
            body = item.get(kind.removesuffix("s")) or {}
            return body if isinstance(body, dict) else {}
    raise K8sConfigError(f"kubeconfig has no {kind.removesuffix('s')} named {name!r}")


def _from_kubeconfig(path: Path) -> K8sConnection:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        current = document["current-context"]
        context = _named(document, "contexts", current)
        cluster = _named(document, "clusters", context.get("cluster"))
        user = _named(document, "users", context.get("user"))
        base = path.parent
        token_file = user.get("tokenFile")
        return K8sConnection(
            server=str(cluster["server"]),
            ca_data=_file_or_data(cluster, "certificate-authority", base),
            verify=not cluster.get("insecure-skip-tls-verify", False),
            token=user.get("token"),
            token_file=(base / token_file) if token_file else None,
            client_cert=_file_or_data(user, "client-certificate", base),
            client_key=_file_or_data(user, "client-key", base),
        )
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
        raise K8sConfigError(f"cannot use kubeconfig {path}: {exc}") from exc


def _kubeconfig_path(environ: Mapping[str, str], home: Path) -> Path | None:
    candidates = [Path(p) for p in environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    candidates.append(home / ".kube" / "config")
    return next((p for p in candidates if p.is_file()), None)


def discover_connection(
    config: AuthenticationConfiguration,
    *,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
    sa_dir: Path = SERVICE_ACCOUNT_DIR,
) -> K8sConnection:
    """The API server and credentials to use (see the module docstring)."""
    environ = os.environ if environ is None else environ
    home = Path.home() if home is None else home
    connection = _in_cluster(environ, sa_dir)
    if connection is None and (kubeconfig := _kubeconfig_path(environ, home)) is not None:
        connection = _from_kubeconfig(kubeconfig)
    if connection is None:
        if config.k8s_cluster_api is None:
            raise K8sConfigError(
                "k8s authentication needs the Kubernetes API: run in a pod, provide a "
                "kubeconfig ($KUBECONFIG or ~/.kube/config) or set k8s_cluster_api"
            )
        connection = K8sConnection(server=str(config.k8s_cluster_api))
    changes: dict[str, Any] = {}
    if config.k8s_cluster_api is not None:
        changes["server"] = str(config.k8s_cluster_api)
    if config.k8s_ca_cert_path is not None:
        changes |= {"ca_file": config.k8s_ca_cert_path, "ca_data": None}
    if config.skip_tls_verification:
        changes["verify"] = False
    return replace(connection, **changes)


class _Token:
    """The bearer token we present; a token file is re-read once a minute (it rotates)."""

    def __init__(self, connection: K8sConnection) -> None:
        self._static = connection.token
        self._file = connection.token_file
        self._value: str | None = None
        self._read_at = float("-inf")

    async def value(self) -> str | None:
        if self._file is None:
            return self._static
        if time.monotonic() - self._read_at >= TOKEN_REFRESH_SECONDS:
            try:
                text = await asyncio.to_thread(self._file.read_text, encoding="utf-8")
            except OSError as exc:
                raise K8sApiError(None, f"cannot read the service-account token: {exc}") from exc
            self._value, self._read_at = text.strip(), time.monotonic()
        return self._value


def _status_reason(status: int) -> str:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown status"
    return f"{phrase} (status {status})"


class K8sApi:
    """The three calls; every failure is a :class:`K8sApiError`."""

    def __init__(
        self,
        connection: K8sConnection,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.connection = connection
        self._token = _Token(connection)
        self._client = httpx.AsyncClient(
            base_url=connection.server.rstrip("/"),
            verify=connection.ssl_context(),
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )
        self._cluster_id: str | None = None

    async def _call(self, method: str, path: str, body: object | None = None) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if (token := await self._token.value()) is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = await self._client.request(method, path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise K8sApiError(None, type(exc).__name__) from exc
        if response.status_code >= 300:
            raise K8sApiError(response.status_code, _status_reason(response.status_code))
        try:
            document = response.json()
        except ValueError as exc:
            raise K8sApiError(response.status_code, "invalid JSON in the answer") from exc
        if not isinstance(document, dict):
            raise K8sApiError(response.status_code, "unexpected answer")
        return document

    async def review_token(self, token: str) -> ReviewedUser | None:
        """TokenReview: the token's user, or ``None`` if the token is not authenticated."""
        body = {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenReview",
            "spec": {"token": token},
        }
        status = (await self._call("POST", AUTHN_REVIEWS, body)).get("status") or {}
        user = status.get("user") or {}
        username = user.get("username")
        if status.get("authenticated") is not True or not isinstance(username, str):
            return None
        groups = user.get("groups") or []
        return ReviewedUser(
            username=username,
            uid=str(user.get("uid") or ""),
            groups=tuple(g for g in groups if isinstance(g, str)),
        )

    async def review_access(self, user: ReviewedUser, path: str, verb: str) -> bool:
        """SubjectAccessReview of a non-resource URL for ``user``."""
        spec: dict[str, Any] = {
            "user": user.username,
            "groups": list(user.groups),
            "nonResourceAttributes": {"path": path, "verb": verb},
        }
        if user.uid:
            spec["uid"] = user.uid
        body = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": spec,
        }
        status = (await self._call("POST", AUTHZ_REVIEWS, body)).get("status") or {}
        return status.get("allowed") is True

    async def cluster_id(self) -> str:
        """The OpenShift cluster ID (``local`` outside a cluster); cached once known."""
        if not self.connection.in_cluster:
            return "local"
        if self._cluster_id is None:
            document = await self._call("GET", CLUSTER_VERSION)
            cluster_id = (document.get("spec") or {}).get("clusterID")
            if not isinstance(cluster_id, str) or not cluster_id:
                raise K8sApiError(200, "ClusterVersion has no spec.clusterID")
            self._cluster_id = cluster_id
        return self._cluster_id

    async def aclose(self) -> None:
        await self._client.aclose()


def api_failure(exc: K8sApiError, *, always_unavailable: bool = False) -> LightspeedError:
    """The contract's answer to a failed call: 503 if unreachable/429/5xx, else 500.

    ``always_unavailable`` turns every failure into 503 (SubjectAccessReview errors).
    """
    status = exc.status
    if always_unavailable or status is None or status == 429 or status >= 500:
        return BackendUnavailableError(
            f"Failed to connect to Kubernetes API: {exc.reason}",
            response="Unable to connect to Kubernetes API",
        )
    return InternalError(
        "Internal server error", f"Unexpected answer from the Kubernetes API: {exc.reason}"
    )
