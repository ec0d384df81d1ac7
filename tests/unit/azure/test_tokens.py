"""``AzureTokens``: cache until 30 s before expiry, one fetch in flight, failure policy."""

from __future__ import annotations

import asyncio
import logging

import pytest

from lightspeed_core.azure.base import AccessToken
from lightspeed_core.azure.tokens import NO_TOKEN, AzureTokens
from lightspeed_core.errors import BackendUnavailableError
from lightspeed_core.testing.azure import ScriptedTokenSource


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_first_use_fetches_then_the_cache_answers() -> None:
    source = ScriptedTokenSource([AccessToken("t1", 2000.0)])
    tokens = AzureTokens(source, clock=Clock())
    assert await tokens.token() == "t1"
    assert await tokens.token() == "t1"
    assert source.fetches == 1


async def test_refreshes_30_seconds_before_expiry() -> None:
    clock = Clock()
    source = ScriptedTokenSource([AccessToken("t1", 2000.0), AccessToken("t2", 5600.0)])
    tokens = AzureTokens(source, clock=clock)
    assert await tokens.token() == "t1"
    clock.now = 1969.0
    assert await tokens.token() == "t1"
    clock.now = 1970.0  # expires_on - 30
    assert await tokens.token() == "t2"
    assert source.fetches == 2


async def test_concurrent_requests_share_one_fetch() -> None:
    gate = asyncio.Event()
    source = ScriptedTokenSource([AccessToken("t1", 2000.0)], gate=gate)
    tokens = AzureTokens(source, clock=Clock())
    waiting = [asyncio.create_task(tokens.token()) for _ in range(10)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiting) == ["t1"] * 10
    assert source.fetches == 1


async def test_a_cancelled_caller_does_not_cancel_the_fetch_for_the_others() -> None:
    gate = asyncio.Event()
    source = ScriptedTokenSource([AccessToken("t1", 2000.0)], gate=gate)
    tokens = AzureTokens(source, clock=Clock())
    first = asyncio.create_task(tokens.token())
    second = asyncio.create_task(tokens.token())
    await asyncio.sleep(0)
    first.cancel()
    gate.set()
    assert await second == "t1"
    assert source.fetches == 1


async def test_failed_refresh_keeps_using_a_token_that_has_not_expired(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    source = ScriptedTokenSource([AccessToken("t1", 2000.0), RuntimeError("endpoint down")])
    tokens = AzureTokens(source, clock=clock)
    assert await tokens.token() == "t1"
    clock.now = 1980.0  # inside the margin, not expired
    with caplog.at_level(logging.WARNING):
        assert await tokens.token() == "t1"
    assert "refresh failed (endpoint down)" in caplog.text


async def test_failure_without_a_usable_token_is_a_503(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    source = ScriptedTokenSource(
        [AccessToken("t1", 2000.0), RuntimeError("endpoint down"), AccessToken("t2", 9000.0)]
    )
    tokens = AzureTokens(source, clock=clock)
    assert await tokens.token() == "t1"
    clock.now = 2000.0  # expired
    with caplog.at_level(logging.WARNING), pytest.raises(BackendUnavailableError) as failure:
        await tokens.token()
    assert failure.value.status_code == 503
    assert failure.value.response == NO_TOKEN
    assert "endpoint down" in failure.value.cause
    assert "token request failed: endpoint down" in caplog.text
    assert await tokens.token() == "t2"  # the next request tries again


async def test_close_cancels_a_fetch_in_flight() -> None:
    source = ScriptedTokenSource([AccessToken("t1", 2000.0)], gate=asyncio.Event())
    tokens = AzureTokens(source, clock=Clock())
    waiting = asyncio.create_task(tokens.token())
    await asyncio.sleep(0)
    await tokens.close()
    with pytest.raises(asyncio.CancelledError):
        await waiting
