"""``trusted-proxy``: a reverse proxy (oauth-proxy, kube-rbac-proxy ...) vouches for the user.

The proxy authenticates with its own service-account token (``Authorization: Bearer``),
checked by a TokenReview; the token must belong to a service account
(``system:serviceaccount:<namespace>:<name>``) and, when ``allowed_service_accounts`` is not
empty, to one of those. The user is the value of ``user_header`` (``X-Forwarded-User``).

Failures: no ``Authorization`` → 401 ``Missing Authorization header``; token not
authenticated → 401 ``Invalid or expired Kubernetes token``; not an allowed service
account → 403; user header missing or blank → 401 ``Missing required header '<h>'``; user
header with control characters or over 256 characters → 401 ``Invalid value in header
'<h>'``. Kubernetes API failures as in the ``k8s`` module.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from lightspeed_core.auth.base import Principal
from lightspeed_core.auth.bearer import bearer_token, has_authorization
from lightspeed_core.auth.k8s import reviewed_user
from lightspeed_core.auth.k8s_client import K8sApi
from lightspeed_core.config.models.auth import TrustedProxyConfiguration
from lightspeed_core.errors import ForbiddenError, UnauthorizedError

__all__ = ["MAX_USER_LENGTH", "TrustedProxyAuth", "forwarded_user"]

SA_PREFIX = "system:serviceaccount:"
MAX_USER_LENGTH = 256


def forwarded_user(value: str | None, header: str) -> str:
    """The forwarded user name, validated."""
    user = (value or "").strip()
    if not user:
        raise UnauthorizedError(f"Missing required header '{header}'")
    if len(user) > MAX_USER_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in user):
        raise UnauthorizedError(f"Invalid value in header '{header}'")
    return user


class TrustedProxyAuth:
    """Identity from a header set by an allow-listed proxy."""

    name = "trusted-proxy"

    def __init__(self, config: TrustedProxyConfiguration, api: K8sApi) -> None:
        self._api = api
        self._header = config.user_header
        self._allowed = frozenset(
            f"{SA_PREFIX}{sa.namespace}:{sa.name}" for sa in config.allowed_service_accounts or ()
        )

    async def authenticate(self, conn: HTTPConnection) -> Principal:
        if not has_authorization(conn):
            raise UnauthorizedError("Missing Authorization header")
        proxy = await reviewed_user(self._api, bearer_token(conn))
        is_sa = proxy.username.startswith(SA_PREFIX)
        if not is_sa or (self._allowed and proxy.username not in self._allowed):
            raise ForbiddenError(
                "User does not have permission to access this endpoint",
                f"{proxy.username} is not an allowed trusted proxy.",
            )
        user = forwarded_user(conn.headers.get(self._header), self._header)
        return Principal(user, user, skip_userid_check=True)

    def has_credentials(self, conn: HTTPConnection) -> bool:
        return has_authorization(conn)

    async def aclose(self) -> None:
        await self._api.aclose()
