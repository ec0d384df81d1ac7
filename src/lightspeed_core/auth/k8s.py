"""``k8s``: Kubernetes/OpenShift bearer tokens, checked by the API server.

1. TokenReview of the caller's token: not authenticated → 401
   ``Invalid or expired Kubernetes token``; API unreachable, 429 or 5xx → 503
   ``Unable to connect to Kubernetes API``; other API answers (401/403: our service account
   may not create TokenReviews) → 500.
2. ``kube:admin`` (the OpenShift bootstrap user, no stable UID) becomes the cluster ID
   (``ClusterVersion`` ``spec.clusterID``; ``local`` outside a cluster).
3. SubjectAccessReview: may the user ``get`` the non-resource URL ``/ls-access``? No → 403
   ``User does not have permission to access this endpoint``; any API error → 503.

The caller's token is forwarded downstream (MCP ``kubernetes`` authorization headers).
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from lightspeed_core.auth.base import Principal
from lightspeed_core.auth.bearer import bearer_token, has_authorization
from lightspeed_core.auth.k8s_client import K8sApi, K8sApiError, ReviewedUser, api_failure
from lightspeed_core.errors import ForbiddenError, UnauthorizedError

__all__ = ["ACCESS_PATH", "ACCESS_VERB", "K8sAuth", "reviewed_user"]

ACCESS_PATH = "/ls-access"
ACCESS_VERB = "get"
KUBE_ADMIN = "kube:admin"


async def reviewed_user(api: K8sApi, token: str) -> ReviewedUser:
    """TokenReview with the contract's failures (shared with ``trusted-proxy``)."""
    try:
        user = await api.review_token(token)
    except K8sApiError as exc:
        raise api_failure(exc) from exc
    if user is None:
        raise UnauthorizedError("Invalid or expired Kubernetes token")
    return user


class K8sAuth:
    """TokenReview + SubjectAccessReview against the cluster's API server."""

    name = "k8s"

    def __init__(self, api: K8sApi) -> None:
        self._api = api

    async def authenticate(self, conn: HTTPConnection) -> Principal:
        token = bearer_token(conn)
        user = await reviewed_user(self._api, token)
        user_id = user.uid or user.username
        try:
            if user.username == KUBE_ADMIN:
                user_id = await self._api.cluster_id()
        except K8sApiError as exc:
            raise api_failure(exc) from exc
        try:
            allowed = await self._api.review_access(user, ACCESS_PATH, ACCESS_VERB)
        except K8sApiError as exc:
            raise api_failure(exc, always_unavailable=True) from exc
        if not allowed:
            raise ForbiddenError(
                "User does not have permission to access this endpoint",
                f"User {user_id} is not authorized to access this endpoint.",
            )
        return Principal(user_id, user.username, token=token, skip_userid_check=False)

    def has_credentials(self, conn: HTTPConnection) -> bool:
        return has_authorization(conn)

    async def aclose(self) -> None:
        await self._api.aclose()
