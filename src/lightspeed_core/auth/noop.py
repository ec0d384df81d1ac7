"""``noop`` and ``noop-with-token``: development modules, identity from ``?user_id=``."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from lightspeed_core.auth.base import ANONYMOUS_USER_ID, ANONYMOUS_USERNAME, Principal
from lightspeed_core.auth.bearer import bearer_token, has_authorization
from lightspeed_core.errors import PlainDetailError


def _user_id(conn: HTTPConnection) -> str:
    user_id = conn.query_params.get("user_id", ANONYMOUS_USER_ID)
    if user_id == "":
        raise PlainDetailError(400, "user_id cannot be empty")
    return user_id


class NoopAuth:
    """No credentials; never answers 401."""

    name = "noop"

    async def authenticate(self, conn: HTTPConnection) -> Principal:
        return Principal(_user_id(conn), ANONYMOUS_USERNAME, skip_userid_check=True)

    def has_credentials(self, conn: HTTPConnection) -> bool:
        return has_authorization(conn)

    async def aclose(self) -> None:
        return None


class NoopWithTokenAuth:
    """Requires a bearer token (not validated) and forwards it, e.g. to MCP servers."""

    name = "noop-with-token"

    async def authenticate(self, conn: HTTPConnection) -> Principal:
        token = bearer_token(conn)
        return Principal(_user_id(conn), ANONYMOUS_USERNAME, token=token, skip_userid_check=True)

    def has_credentials(self, conn: HTTPConnection) -> bool:
        return has_authorization(conn)

    async def aclose(self) -> None:
        return None
