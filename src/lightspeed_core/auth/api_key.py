"""``api-key-token``: one shared key, sent as ``Authorization: Bearer <key>``."""

from __future__ import annotations

import hmac

from starlette.requests import HTTPConnection

from lightspeed_core.auth.base import ANONYMOUS_USER_ID, ANONYMOUS_USERNAME, Principal
from lightspeed_core.auth.bearer import bearer_token, has_authorization
from lightspeed_core.errors import PlainDetailError


class ApiKeyAuth:
    """Constant-time comparison with the configured key; every caller is the anonymous user."""

    name = "api-key-token"

    def __init__(self, api_key: str) -> None:
        self._key = api_key.encode()

    def __repr__(self) -> str:
        return "ApiKeyAuth()"

    async def authenticate(self, conn: HTTPConnection) -> Principal:
        token = bearer_token(conn)
        if not hmac.compare_digest(token.encode(), self._key):
            raise PlainDetailError(401, "Invalid API Key")
        return Principal(ANONYMOUS_USER_ID, ANONYMOUS_USERNAME, token=token, skip_userid_check=True)

    def has_credentials(self, conn: HTTPConnection) -> bool:
        return has_authorization(conn)

    async def aclose(self) -> None:
        return None
