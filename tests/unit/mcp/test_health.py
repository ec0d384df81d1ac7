"""The MCP health cache (a scripted lister, no network) and the tool-name clash rule."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from lightspeed_core.mcp.base import McpServerSpec
from lightspeed_core.mcp.headers import Resolution
from lightspeed_core.mcp.health import Health, McpHealth
from lightspeed_core.mcp.service import Clash, without_clashes
from lightspeed_core.metrics.registry import Metrics

SERVER = McpServerSpec(name="calc", url="http://mcp.test/mcp", timeout=2)


@dataclass(frozen=True)
class Tool:
    name: str


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Lister:
    """Answers with ``tools``, or raises ``error``; counts its calls."""

    def __init__(self, *names: str) -> None:
        self.tools = [Tool(name) for name in names]
        self.error: Exception | None = None
        self.calls: list[tuple[str, float]] = []

    async def __call__(self, url: str, headers: Mapping[str, str], seconds: float) -> list[Tool]:
        self.calls.append((url, seconds))
        if self.error is not None:
            raise self.error
        return self.tools


def _failures(metrics: Metrics, server: str) -> float:
    value = metrics.registry.get_sample_value("ls_mcp_server_failures_total", {"server": server})
    return value or 0.0


async def test_a_healthy_server_is_checked_once_and_cached() -> None:
    lister, clock = Lister("add", "whoami"), Clock()
    health = McpHealth(lister=lister, clock=clock)
    first, second = await asyncio.gather(health.check(SERVER, {}), health.check(SERVER, {}))
    assert first == second == Health(True, ("add", "whoami"))
    assert lister.calls == [(SERVER.url, 2)]  # one check for both callers, the server's timeout
    clock.now = 10
    assert (await health.check(SERVER, {})).ok
    assert len(lister.calls) == 1


async def test_a_failing_server_is_unavailable_logged_once_and_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lister, clock, metrics = Lister("add"), Clock(), Metrics()
    lister.error = ConnectionError("refused")
    health = McpHealth(metrics, lister=lister, clock=clock, failure_ttl=5)
    with caplog.at_level(logging.INFO, "lightspeed_core.mcp.health"):
        assert await health.check(SERVER, {}) == Health(False, reason="ConnectionError")
        clock.now = 6  # stale: still unavailable for this caller, re-checked behind its back
        assert not (await health.check(SERVER, {})).ok
        await asyncio.sleep(0)
    assert len(lister.calls) == 2
    assert _failures(metrics, "calc") == 2
    assert caplog.text.count("MCP server 'calc' is unavailable (ConnectionError)") == 1
    assert "mcp.test" not in caplog.text


async def test_a_stale_result_is_served_while_the_server_recovers() -> None:
    lister, clock = Lister("add"), Clock()
    lister.error = TimeoutError()
    health = McpHealth(lister=lister, clock=clock, failure_ttl=5)
    assert await health.check(SERVER, {}) == Health(False, reason="timed out")
    lister.error = None
    clock.now = 6
    assert not (await health.check(SERVER, {})).ok  # served stale, refresh started
    await asyncio.sleep(0)
    assert await health.check(SERVER, {}) == Health(True, ("add",))


async def test_a_result_older_than_max_stale_is_awaited() -> None:
    lister, clock = Lister("add"), Clock()
    health = McpHealth(lister=lister, clock=clock, ok_ttl=30, max_stale=60)
    await health.check(SERVER, {})
    lister.error = OSError()
    clock.now = 61
    assert await health.check(SERVER, {}) == Health(False, reason="OSError")


async def test_headers_are_checked_separately() -> None:
    lister = Lister("add")
    health = McpHealth(lister=lister)
    await health.check(SERVER, {"Authorization": "Bearer a"})
    await health.check(SERVER, {"Authorization": "Bearer b"})
    assert len(lister.calls) == 2


async def test_a_reported_failure_takes_effect_at_once() -> None:
    lister, clock, metrics = Lister("add"), Clock(), Metrics()
    health = McpHealth(metrics, lister=lister, clock=clock)
    assert (await health.check(SERVER, {})).ok
    health.report_failure("calc", "ConnectionError")
    assert await health.check(SERVER, {}) == Health(False, reason="ConnectionError")
    assert _failures(metrics, "calc") == 1
    clock.now = 6  # after FAILURE_TTL it is checked again (and answers)
    await health.check(SERVER, {})
    await asyncio.sleep(0)
    assert (await health.check(SERVER, {})).ok


def _resolution(name: str) -> Resolution:
    return Resolution(McpServerSpec(name=name, url=f"http://{name}.test/mcp"), {})


def test_the_first_server_keeps_a_clashing_name() -> None:
    a, b, c, d = (_resolution(n) for n in "abcd")
    kept, clashes = without_clashes(
        [(a, ("add", "whoami")), (b, ("mul",)), (c, ("whoami", "sub", "add")), (d, ("mul",))]
    )
    assert [(r.server.name, allowed) for r, allowed in kept] == [
        ("a", None),
        ("b", None),
        ("c", ("sub",)),
    ]
    assert clashes == [
        Clash("c", ("add", "whoami"), ("a", "a"), left_out=False),
        Clash("d", ("mul",), ("b",), left_out=True),
    ]


def test_no_clash_keeps_every_server_whole() -> None:
    a, b = _resolution("a"), _resolution("b")
    kept, clashes = without_clashes([(a, ("x",)), (b, ("y",))])
    assert kept == [(a, None), (b, None)]
    assert clashes == []


async def test_a_recheck_bypasses_the_cache_and_marks_a_failure() -> None:
    lister, metrics = Lister("add"), Metrics()
    health = McpHealth(metrics, lister=lister)
    assert (await health.check(SERVER, {})).ok
    lister.error = ConnectionError()
    assert await health.recheck(SERVER, {"traceparent": "x"}) == Health(
        False, reason="ConnectionError"
    )
    assert not (await health.check(SERVER, {})).ok  # the cached result was marked too
    assert _failures(metrics, "calc") == 1


async def test_refresh_lists_the_tools_again_and_keeps_the_listing() -> None:
    """``notifications/tools/list_changed``: the cached listing is replaced at once."""
    lister, clock = Lister("add"), Clock()
    health = McpHealth(lister=lister, clock=clock)
    first = await health.check(SERVER, {})
    assert [tool.name for tool in first.listed] == ["add"]
    health.refresh(McpServerSpec(name="other", url="http://other.test/mcp"), {})  # not cached
    lister.tools = [Tool("add"), Tool("sub")]
    health.refresh(SERVER, {})
    await asyncio.sleep(0.01)
    assert (await health.check(SERVER, {})).tools == ("add", "sub")
    assert len(lister.calls) == 2
