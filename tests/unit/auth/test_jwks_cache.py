from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from lightspeed_core.auth.jwks_cache import JwksCache, JwksError, cache_lifetime
from tests.support.auth.crypto import SigningKey

KEY_A = SigningKey.ec("a")
KEY_B = SigningKey.ec("b")


class FakeJwks:
    """An httpx transport serving a scripted JWKS, counting requests."""

    def __init__(self) -> None:
        self.keys = [KEY_A.public_jwk()]
        self.status = 200
        self.body: bytes | None = None
        self.requests = 0
        self.gate: asyncio.Event | None = None
        self.headers: dict[str, str] = {}

    async def handle(self, _request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.body is not None:
            return httpx.Response(self.status, content=self.body)
        return httpx.Response(self.status, json={"keys": self.keys}, headers=self.headers)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cache(fake: FakeJwks, clock: Clock) -> JwksCache:
    client = httpx.AsyncClient(transport=httpx.MockTransport(fake.handle))
    return JwksCache("https://idp.example/jwks", client=client, clock=clock, ttl=3600)


async def test_ttl_and_one_fetch_in_flight() -> None:
    fake, clock = FakeJwks(), Clock()
    jwks = cache(fake, clock)
    fake.gate = asyncio.Event()
    waiting = [asyncio.create_task(jwks.keys()) for _ in range(20)]
    await asyncio.sleep(0)
    fake.gate.set()
    results = await asyncio.gather(*waiting)
    assert fake.requests == 1
    assert {r.generation for r in results} == {1}
    clock.now += 3599
    await jwks.keys()
    assert fake.requests == 1
    clock.now += 2
    assert (await jwks.keys()).generation == 2
    assert fake.requests == 2
    await jwks.aclose()


async def test_refresh_is_rate_limited_and_shared() -> None:
    fake, clock = FakeJwks(), Clock()
    jwks = cache(fake, clock)
    seen = await jwks.keys()
    fake.keys = [KEY_A.public_jwk(), KEY_B.public_jwk()]
    clock.now += 31
    fresh = await jwks.refresh(seen)
    assert fresh is not None
    assert [k["kid"] for k in fresh.keys] == ["a", "b"]
    # another caller that saw the old set gets the new one without a fetch
    assert await jwks.refresh(seen) is fresh
    # an unknown kid right after a fetch does not fetch again
    assert await jwks.refresh(fresh) is None
    assert fake.requests == 2
    clock.now += 30
    assert await jwks.refresh(fresh) is not None
    assert fake.requests == 3
    await jwks.aclose()


async def test_failed_refresh_keeps_previous_keys() -> None:
    fake, clock = FakeJwks(), Clock()
    jwks = cache(fake, clock)
    first = await jwks.keys()
    fake.status = 503
    clock.now += 3601
    assert await jwks.keys() is first
    assert await jwks.keys() is first  # no second attempt within the interval
    assert fake.requests == 2
    await jwks.aclose()


@pytest.mark.parametrize(
    ("status", "body", "cause"),
    [
        (500, None, "Unable to reach authentication key server"),
        (404, None, "Unable to reach authentication key server"),
        (200, b"<html>", "Authentication key server returned invalid data"),
        (200, b"[1, 2]", "Authentication keys are malformed"),
        (200, b'{"keys": "x"}', "Authentication keys are malformed"),
        (200, b'{"keys": []}', "Authentication keys are malformed"),
        (
            200,
            json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}).encode(),
            "Authentication keys are malformed",
        ),
    ],
)
async def test_first_fetch_failures(status: int, body: bytes | None, cause: str) -> None:
    fake, clock = FakeJwks(), Clock()
    fake.status, fake.body = status, body
    jwks = cache(fake, clock)
    with pytest.raises(JwksError) as info:
        await jwks.keys()
    assert info.value.cause == cause
    await jwks.aclose()


async def test_unreachable_server() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(refuse))
    jwks = JwksCache("https://idp.example/jwks", client=client)
    with pytest.raises(JwksError) as info:
        await jwks.keys()
    assert info.value.cause == "Unable to reach authentication key server"
    await jwks.aclose()


@pytest.mark.parametrize(
    ("header", "lifetime"),
    [
        (None, 3600.0),
        ("public, max-age=300", 300.0),
        ('max-age="120"', 120.0),
        ("max-age=5", 30.0),  # never below the refetch interval
        ("no-cache", 30.0),
        ("no-store, max-age=600", 30.0),
        ("public", 3600.0),
    ],
)
def test_cache_lifetime_follows_cache_control(header: str | None, lifetime: float) -> None:
    assert cache_lifetime(header, 3600.0, 30.0) == lifetime


async def test_max_age_of_the_key_server_is_honoured() -> None:
    fake, clock = FakeJwks(), Clock()
    fake.headers = {"Cache-Control": "max-age=120"}
    jwks = cache(fake, clock)
    await jwks.keys()
    clock.now += 119
    await jwks.keys()
    assert fake.requests == 1
    clock.now += 2
    assert (await jwks.keys()).generation == 2
    assert fake.requests == 2
    await jwks.aclose()
