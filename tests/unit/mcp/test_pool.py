"""The MCP session pool over a scripted opener (no network): reuse, keys, reconnect, bounds."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from mcp.shared.exceptions import MCPError

from lightspeed_core.mcp.pool import McpSessionPool, Notify, Session

URL = "http://mcp.test/mcp"
ALICE = {"Authorization": "Bearer alice"}
BOB = {"Authorization": "Bearer bob"}


@dataclass
class FakeSession:
    """Answers ``tools/call`` with the headers it was opened with; may be broken."""

    headers: dict[str, str]
    transport: int
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    broken: BaseException | None = None

    async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        self.calls.append((name, dict(arguments or {})))
        if self.broken is not None:
            raise self.broken
        return {"name": name, "headers": self.headers, "transport": self.transport}


class Opener:
    """A scripted ``Opener``: records every session opened and closed."""

    def __init__(self) -> None:
        self.sessions: list[FakeSession] = []
        self.closed: list[FakeSession] = []
        self.failing: set[int] = set()  # transports that cannot connect
        self.notifies: list[Notify] = []
        self.delay = 0.0

    @contextlib.asynccontextmanager
    async def __call__(
        self, url: str, headers: dict[str, str], seconds: float, transport: int, notify: Notify
    ) -> AsyncIterator[Session]:
        if self.delay:
            await asyncio.sleep(self.delay)
        if transport in self.failing:
            raise ConnectionError(f"transport {transport} refused")
        session = FakeSession(dict(headers), transport)
        self.sessions.append(session)
        self.notifies.append(notify)
        try:
            yield session
        finally:
            self.closed.append(session)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def opener() -> Opener:
    return Opener()


async def test_one_session_per_server_and_headers_is_reused(opener: Opener) -> None:
    pool = McpSessionPool(opener=opener)
    try:
        first = await pool.call(URL, ALICE, "add", {"a": 1})
        second = await pool.call(URL, ALICE, "add", {"a": 2})
        assert first["headers"] == second["headers"] == ALICE
        assert len(opener.sessions) == 1
        assert pool.opened == 1
        assert opener.sessions[0].calls == [("add", {"a": 1}), ("add", {"a": 2})]
    finally:
        await pool.close()
    assert opener.closed == opener.sessions  # closed at shutdown


async def test_another_callers_headers_never_share_a_session(opener: Opener) -> None:
    pool = McpSessionPool(opener=opener)
    try:
        results = await asyncio.gather(
            pool.call(URL, ALICE, "whoami", {}),
            pool.call(URL, BOB, "whoami", {}),
            pool.call(URL, ALICE, "whoami", {}),
            pool.call(URL, {"authorization": "Bearer alice"}, "whoami", {}),  # same, any case
        )
        assert [r["headers"]["Authorization"] for r in results[:3]] == [
            "Bearer alice",
            "Bearer bob",
            "Bearer alice",
        ]
        assert results[3]["headers"] == ALICE
        assert sorted(s.headers["Authorization"] for s in opener.sessions) == [
            "Bearer alice",
            "Bearer bob",
        ]
        assert len(pool) == 2
    finally:
        await pool.close()


async def test_concurrent_first_calls_open_one_session(opener: Opener) -> None:
    opener.delay = 0.01
    pool = McpSessionPool(opener=opener)
    try:
        await asyncio.gather(*(pool.call(URL, ALICE, "add", {}) for _ in range(5)))
        assert len(opener.sessions) == 1
        assert len(opener.sessions[0].calls) == 5
    finally:
        await pool.close()


async def test_falls_back_to_sse_and_remembers_it(opener: Opener) -> None:
    opener.failing = {0}
    pool = McpSessionPool(opener=opener)
    try:
        assert (await pool.call(URL, ALICE, "add", {}))["transport"] == 1
        opener.failing = set()
        assert (await pool.call(URL, BOB, "add", {}))["transport"] == 1  # tried first now
    finally:
        await pool.close()


async def test_a_server_that_cannot_be_reached_raises(opener: Opener) -> None:
    opener.failing = {0, 1}
    pool = McpSessionPool(opener=opener)
    try:
        with pytest.raises(ConnectionError):
            await pool.call(URL, ALICE, "add", {})
        assert len(pool) == 0
        opener.failing = set()
        assert (await pool.call(URL, ALICE, "add", {}))["name"] == "add"  # reopened
    finally:
        await pool.close()


async def test_a_reused_session_that_broke_is_reopened_and_the_call_repeated(
    opener: Opener,
) -> None:
    pool = McpSessionPool(opener=opener)
    try:
        await pool.call(URL, ALICE, "add", {})
        opener.sessions[0].broken = MCPError(-32000, "Connection closed")  # server restarted
        result = await pool.call(URL, ALICE, "add", {"a": 1})
        assert result["name"] == "add"
        assert len(opener.sessions) == 2
        assert opener.sessions[0] in opener.closed
        assert opener.sessions[1].calls == [("add", {"a": 1})]
    finally:
        await pool.close()


async def test_a_fresh_session_failing_is_not_repeated(opener: Opener) -> None:
    @contextlib.asynccontextmanager
    async def broken(
        url: str, headers: dict[str, str], seconds: float, transport: int, notify: Notify
    ) -> AsyncIterator[Session]:
        session = FakeSession(dict(headers), transport, broken=OSError("reset"))
        opener.sessions.append(session)
        yield session

    pool = McpSessionPool(opener=broken)
    try:
        with pytest.raises(OSError, match="reset"):
            await pool.call(URL, ALICE, "add", {})
        assert len(opener.sessions) == 1  # one call: tools/call is not repeated blindly
    finally:
        await pool.close()


async def test_an_error_the_server_answered_keeps_the_session(opener: Opener) -> None:
    pool = McpSessionPool(opener=opener)
    try:
        await pool.call(URL, ALICE, "add", {})
        opener.sessions[0].broken = MCPError(-32602, "Unknown tool: nope")
        with pytest.raises(MCPError, match="Unknown tool"):
            await pool.call(URL, ALICE, "nope", {})
        opener.sessions[0].broken = None
        await pool.call(URL, ALICE, "add", {})
        assert len(opener.sessions) == 1
    finally:
        await pool.close()


async def test_a_call_that_times_out_drops_the_session(opener: Opener) -> None:
    class Slow(FakeSession):
        async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
            await asyncio.sleep(10)

    @contextlib.asynccontextmanager
    async def slow(
        url: str, headers: dict[str, str], seconds: float, transport: int, notify: Notify
    ) -> AsyncIterator[Session]:
        session = Slow(dict(headers), transport)
        opener.sessions.append(session)
        yield session

    pool = McpSessionPool(opener=slow, call_timeout=0.05)
    try:
        with pytest.raises(TimeoutError):
            await pool.call(URL, ALICE, "add", {})
        assert len(pool) == 0
    finally:
        await pool.close()


async def test_idle_sessions_are_closed_and_the_pool_is_bounded(opener: Opener) -> None:
    clock = Clock()
    pool = McpSessionPool(opener=opener, idle_seconds=60, max_sessions=2, clock=clock)
    try:
        await pool.call(URL, ALICE, "add", {})
        await pool.call(URL, BOB, "add", {})
        clock.now = 1
        await pool.call(URL, {"Authorization": "Bearer carol"}, "add", {})  # evicts alice's
        assert len(pool) == 2
        await asyncio.sleep(0)
        assert opener.sessions[0] in opener.closed
        clock.now = 100  # all idle past 60 s: the next call sweeps them
        await pool.call(URL, BOB, "add", {})
        assert len(pool) == 1
        assert len(opener.sessions) == 4  # bob's was idle too: reopened
    finally:
        await pool.close()


async def test_call_once_uses_a_session_of_its_own(opener: Opener) -> None:
    pool = McpSessionPool(opener=opener)
    try:
        traced = {**ALICE, "traceparent": "00-abc-def-01"}
        result = await pool.call_once(URL, traced, "whoami", {})
        assert result["headers"] == traced
        assert opener.closed == opener.sessions  # closed at once
        assert len(pool) == 0
    finally:
        await pool.close()


async def test_list_changed_reaches_the_callback(opener: Opener) -> None:
    changed: list[str] = []
    pool = McpSessionPool(opener=opener)
    try:
        await pool.call(URL, ALICE, "add", {}, on_change=lambda: changed.append("alice"))
        opener.notifies[0]()  # the session saw notifications/tools/list_changed
        assert changed == ["alice"]
    finally:
        await pool.close()
