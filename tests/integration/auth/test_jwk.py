"""jwk-token against a real JWKS endpoint on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from lightspeed_core.auth.jwk_token import JwkTokenAuth
from lightspeed_core.auth.jwks_cache import JwksCache
from lightspeed_core.config.models.auth import JwkConfiguration
from tests.support.auth.crypto import SigningKey, unsigned_token
from tests.support.auth.harness import auth_app, base_config, client_for
from tests.support.auth.jwks_server import JwksServer

RSA = SigningKey.rsa("rsa-1")
EC = SigningKey.ec("ec-1")
ROTATED = SigningKey.rsa("rsa-2")
FOREIGN = SigningKey.rsa("rsa-1")  # another issuer using the same kid
CLAIMS = {"user_id": "6a0b1c2d-0000-4000-8000-000000000001", "username": "alice"}


class Clock:
    """A monotonic clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def backend(url: str, clock: Clock | None = None) -> JwkTokenAuth:
    config = JwkConfiguration.model_validate({"url": url})
    jwks = JwksCache(url, min_refetch_interval=60, clock=clock or Clock())
    return JwkTokenAuth(config, jwks=jwks)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client(jwks_server: JwksServer, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    jwks_server.state.publish(RSA, EC)
    auth = backend(jwks_server.url, clock)
    config = base_config(
        authentication={"module": "jwk-token", "jwk_config": {"url": jwks_server.url}}
    )
    async with client_for(auth_app(config, auth)) as http:
        yield http
    await auth.aclose()


async def who(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/authorized", headers={"Authorization": f"Bearer {token}"})


def cause(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    detail: dict[str, Any] = response.json()["detail"]
    assert detail["response"] == "Missing or invalid credentials provided by client"
    return str(detail["cause"])


@pytest.mark.parametrize("key", [RSA, EC], ids=["RS256", "ES256"])
async def test_valid_tokens(client: httpx.AsyncClient, key: SigningKey) -> None:
    response = await who(client, key.token(CLAIMS))
    assert response.status_code == 200
    assert response.json() == {
        "user_id": CLAIMS["user_id"],
        "username": "alice",
        "skip_userid_check": False,
    }
    without_kid = await who(client, key.token(CLAIMS, kid=False))
    assert without_kid.status_code == 200


async def test_key_rotation_refetches_once(
    client: httpx.AsyncClient, jwks_server: JwksServer, clock: Clock
) -> None:
    assert (await who(client, RSA.token(CLAIMS))).status_code == 200
    before = jwks_server.state.requests
    jwks_server.state.publish(RSA, EC, ROTATED)
    # a new kid within the refetch interval of the last fetch: not fetched yet
    assert cause(await who(client, ROTATED.token(CLAIMS))) == "Token signed by unknown key"
    assert jwks_server.state.requests == before
    clock.now += 61
    assert (await who(client, ROTATED.token(CLAIMS))).status_code == 200
    assert jwks_server.state.requests == before + 1
    # more unknown kids right after: no new fetch (rate limited), 401
    for kid in ("random-1", "random-2", "random-3"):
        assert cause(await who(client, ROTATED.token(CLAIMS, kid=kid))) == (
            "Token signed by unknown key"
        )
    assert jwks_server.state.requests == before + 1


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: RSA.token(CLAIMS, expires_in=-60), "Token has expired"),
        (lambda: FOREIGN.token({**CLAIMS, "iss": "https://evil"}), "Invalid token signature"),
        (lambda: SigningKey.rsa("evil").token(CLAIMS), "Token signed by unknown key"),
        (lambda: _tampered(RSA.token(CLAIMS)), "Invalid token signature"),
        (lambda: RSA.token({"username": "alice"}), "Token missing claim: user_id"),
        (lambda: RSA.token({"user_id": "u1"}), "Token missing claim: username"),
        (lambda: RSA.token({"user_id": "", "username": "a"}), "Token missing claim: user_id"),
        (lambda: unsigned_token(CLAIMS), "Token signed by unknown key"),
        (lambda: unsigned_token(CLAIMS, kid="rsa-1"), "Token signed by unknown key"),
        (lambda: _hmac_with_public_key(), "Token signed by unknown key"),
        (
            lambda: _with_header(RSA.token(CLAIMS), b'{"alg":"ES256","kid":"rsa-1"}'),
            "Token signed by unknown key",
        ),
        (lambda: RSA.token({**CLAIMS, "nbf": int(time.time()) + 3600}), "Token validation failed"),
        (lambda: "not-a-jwt", "Invalid token format"),
        (lambda: "e30.e30.e30", "Token signed by unknown key"),
    ],
    ids=[
        "expired",
        "wrong-issuer-same-kid",
        "wrong-issuer-own-kid",
        "wrong-signature",
        "missing-user-id",
        "missing-username",
        "empty-user-id",
        "alg-none",
        "alg-none-known-kid",
        "hs256-with-public-key",
        "alg-key-mismatch",
        "not-yet-valid",
        "garbage",
        "no-alg",
    ],
)
async def test_rejected_tokens(client: httpx.AsyncClient, make: Any, expected: str) -> None:
    token = make()
    response = await who(client, token)
    assert cause(response) == expected
    assert token not in response.text


async def test_missing_and_malformed_header(client: httpx.AsyncClient) -> None:
    assert cause(await client.post("/authorized")) == "No Authorization header found"
    response = await client.post("/authorized", headers={"Authorization": "Token x"})
    assert cause(response) == "No token found in Authorization header"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (500, b"{}", "Unable to reach authentication key server"),
        (200, b"<html>", "Authentication key server returned invalid data"),
        (200, b'{"keys": 1}', "Authentication keys are malformed"),
    ],
)
async def test_key_server_failures(
    jwks_server: JwksServer, status: int, body: bytes, expected: str
) -> None:
    jwks_server.state.status, jwks_server.state.body = status, body
    auth = backend(jwks_server.url)
    config = base_config()
    try:
        async with client_for(auth_app(config, auth)) as http:
            assert cause(await who(http, RSA.token(CLAIMS))) == expected
    finally:
        jwks_server.state.publish(RSA, EC)
        await auth.aclose()


async def test_key_server_unreachable() -> None:
    auth = backend("http://127.0.0.1:9/jwks.json")
    async with client_for(auth_app(base_config(), auth)) as http:
        assert cause(await who(http, RSA.token(CLAIMS))) == (
            "Unable to reach authentication key server"
        )
    await auth.aclose()


def _tampered(token: str) -> str:
    header, _payload, signature = token.split(".")
    other = jwt.utils.base64url_encode(b'{"user_id":"admin","username":"root","exp":9999999999}')
    return f"{header}.{other.decode()}.{signature}"


def _with_header(token: str, header: bytes) -> str:
    _header, payload, signature = token.split(".")
    return f"{jwt.utils.base64url_encode(header).decode()}.{payload}.{signature}"


def _hmac_with_public_key() -> str:
    public = RSA.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = jwt.utils.base64url_encode(b'{"alg":"HS256","kid":"rsa-1","typ":"JWT"}').decode()
    payload = jwt.utils.base64url_encode(b'{"user_id":"u","username":"u"}').decode()
    mac = hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{jwt.utils.base64url_encode(mac).decode()}"


async def test_key_replaced_under_the_same_kid_is_refetched(
    client: httpx.AsyncClient, jwks_server: JwksServer, clock: Clock
) -> None:
    assert (await who(client, RSA.token(CLAIMS))).status_code == 200
    replacement = SigningKey.rsa("rsa-1")
    jwks_server.state.publish(replacement, EC)
    before = jwks_server.state.requests
    # within the refetch interval the cached key decides: not verified, no fetch
    assert cause(await who(client, replacement.token(CLAIMS))) == "Invalid token signature"
    assert jwks_server.state.requests == before
    clock.now += 61
    assert (await who(client, replacement.token(CLAIMS))).status_code == 200
    assert jwks_server.state.requests == before + 1
    # the replaced key is no longer trusted, and bad signatures do not refetch again
    for _ in range(3):
        assert cause(await who(client, RSA.token(CLAIMS))) == "Invalid token signature"
    assert jwks_server.state.requests == before + 1


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
async def test_time_claims_must_be_numbers(client: httpx.AsyncClient, claim: str) -> None:
    value = str(int(time.time()) + (3600 if claim == "exp" else -60))
    token = RSA.token({**CLAIMS, claim: value})
    assert cause(await who(client, token)) == f"Token claim {claim} must be a number"
