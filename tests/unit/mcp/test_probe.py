"""The OAuth probe: 401 relay, unreachable servers, the result cache (httpx MockTransport)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from lightspeed_core.errors import UnauthorizedError
from lightspeed_core.mcp.probe import McpProbe, ProbeResult, fingerprint

URL = "http://mcp.test/mcp"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _transport(
    status: int, headers: dict[str, str] | None = None
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, headers=headers)

    return httpx.MockTransport(handle), seen


async def test_401_with_challenge_is_relayed() -> None:
    challenge = 'Bearer resource_metadata="http://mcp.test/.well-known/oauth-protected-resource"'
    transport, seen = _transport(401, {"WWW-Authenticate": challenge})
    result = await McpProbe(transport).check(URL, {"Authorization": "Bearer x"})
    assert result == ProbeResult("unauthorized", challenge)
    assert seen[0].method == "GET"
    assert seen[0].headers["authorization"] == "Bearer x"
    with pytest.raises(UnauthorizedError) as raised:
        result.raise_for_oauth(URL)
    assert raised.value.status_code == 401
    assert raised.value.response == "Missing or invalid credentials provided by client"
    assert raised.value.cause == f"MCP server at {URL} requires OAuth"
    assert raised.value.headers == {"WWW-Authenticate": challenge}


async def test_401_without_challenge() -> None:
    transport, _ = _transport(401)
    result = await McpProbe(transport).check(URL, {})
    with pytest.raises(UnauthorizedError) as raised:
        result.raise_for_oauth(URL)
    assert raised.value.headers == {}


@pytest.mark.parametrize("status", [200, 400, 405, 406, 500])
async def test_other_statuses_are_fine(status: int) -> None:
    transport, _ = _transport(status)
    result = await McpProbe(transport).check(URL, {})
    assert result.status == "ok"
    result.raise_for_oauth(URL)


async def test_connection_failure_is_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    result = await McpProbe(httpx.MockTransport(refuse)).check(URL, {})
    assert result.status == "unreachable"
    result.raise_for_oauth(URL)  # not a 401


async def test_timeout_is_unreachable() -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200)  # pragma: no cover

    result = await McpProbe(httpx.MockTransport(hang)).check(URL, {}, 0.05)
    assert result.status == "unreachable"


async def test_results_are_cached_per_header_set() -> None:
    clock = Clock()
    transport, seen = _transport(200)
    probe = McpProbe(transport, ok_ttl=30, failure_ttl=5, clock=clock)
    for _ in range(3):
        await probe.check(URL, {"Authorization": "Bearer a"})
    assert len(seen) == 1
    await probe.check(URL, {"Authorization": "Bearer b"})  # another caller's token
    assert len(seen) == 2
    clock.now = 31
    await probe.check(URL, {"Authorization": "Bearer a"})
    assert len(seen) == 3


async def test_failures_are_cached_briefly() -> None:
    clock = Clock()
    transport, seen = _transport(401)
    probe = McpProbe(transport, ok_ttl=30, failure_ttl=5, clock=clock)
    await probe.check(URL, {})
    await probe.check(URL, {})
    assert len(seen) == 1
    clock.now = 6
    await probe.check(URL, {})
    assert len(seen) == 2
    probe.forget()
    await probe.check(URL, {})
    assert len(seen) == 3


async def test_concurrent_checks_share_one_request() -> None:
    gate = asyncio.Event()
    seen: list[httpx.Request] = []

    async def slow(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        await gate.wait()
        return httpx.Response(200)

    probe = McpProbe(httpx.MockTransport(slow))
    checks = [asyncio.ensure_future(probe.check(URL, {})) for _ in range(5)]
    await asyncio.sleep(0.01)
    gate.set()
    results = await asyncio.gather(*checks)
    assert {r.status for r in results} == {"ok"}
    assert len(seen) == 1


def test_fingerprint_hides_tokens() -> None:
    key = fingerprint(URL, {"Authorization": "Bearer secret-token"})
    assert "secret" not in key
    assert key != fingerprint(URL, {"Authorization": "Bearer other"})
    assert key == fingerprint(URL, {"authorization": "Bearer secret-token"})
