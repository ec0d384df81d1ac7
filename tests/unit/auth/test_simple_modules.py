from __future__ import annotations

import pytest

from lightspeed_core.auth.api_key import ApiKeyAuth
from lightspeed_core.auth.base import ANONYMOUS_USER_ID, ANONYMOUS_USERNAME
from lightspeed_core.auth.bearer import bearer_token
from lightspeed_core.auth.noop import NoopAuth, NoopWithTokenAuth
from lightspeed_core.errors import PlainDetailError, UnauthorizedError

from .helpers import request


@pytest.mark.parametrize(
    ("headers", "cause"),
    [
        ({}, "No Authorization header found"),
        ({"Authorization": ""}, "No token found in Authorization header"),
        ({"Authorization": "Bearer"}, "No token found in Authorization header"),
        ({"Authorization": "Basic abc"}, "No token found in Authorization header"),
        ({"Authorization": "Bearer a b"}, "No token found in Authorization header"),
    ],
)
def test_bearer_failures(headers: dict[str, str], cause: str) -> None:
    with pytest.raises(UnauthorizedError) as info:
        bearer_token(request(headers))
    assert info.value.cause == cause
    assert info.value.response == "Missing or invalid credentials provided by client"


def test_bearer_scheme_is_case_insensitive() -> None:
    assert bearer_token(request({"Authorization": "bEaReR tok"})) == "tok"


async def test_noop_identity_and_user_id_param() -> None:
    anonymous = await NoopAuth().authenticate(request())
    assert (anonymous.user_id, anonymous.username) == (ANONYMOUS_USER_ID, ANONYMOUS_USERNAME)
    assert anonymous.skip_userid_check
    assert anonymous.roles == {"*"}
    named = await NoopAuth().authenticate(request(query="user_id=alice"))
    assert named.user_id == "alice"
    assert named.token == ""
    with pytest.raises(PlainDetailError) as info:
        await NoopAuth().authenticate(request(query="user_id="))
    assert (info.value.status_code, info.value.detail) == (400, "user_id cannot be empty")


async def test_noop_with_token_forwards_the_token() -> None:
    principal = await NoopWithTokenAuth().authenticate(
        request({"Authorization": "Bearer dev-token"}, query="user_id=bob")
    )
    assert (principal.user_id, principal.token) == ("bob", "dev-token")
    assert "dev-token" not in repr(principal)
    with pytest.raises(UnauthorizedError):
        await NoopWithTokenAuth().authenticate(request())


async def test_api_key() -> None:
    backend = ApiKeyAuth("s3cret-key")
    principal = await backend.authenticate(request({"Authorization": "Bearer s3cret-key"}))
    assert principal.user_id == ANONYMOUS_USER_ID
    assert principal.skip_userid_check
    assert principal.token == "s3cret-key"
    assert "s3cret" not in repr(backend)
    for wrong in ("s3cret-kez", "s3cret-key-longer", "x", "cl\u00e9"):
        with pytest.raises(PlainDetailError) as info:
            await backend.authenticate(request({"Authorization": f"Bearer {wrong}"}))
        assert (info.value.status_code, info.value.detail) == (401, "Invalid API Key")
    with pytest.raises(UnauthorizedError) as missing:
        await backend.authenticate(request())
    assert missing.value.cause == "No Authorization header found"
