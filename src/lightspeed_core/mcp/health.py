"""Health of each MCP server: a real MCP handshake, cached per process.

Before a server is handed to OGX, its ``initialize`` + ``tools/list`` handshake (the ``mcp``
client, :func:`~lightspeed_core.mcp.listing.server_tools`, bounded by the server's
``timeout``, default 5 s) must have succeeded with the headers the request would send. A
server that is down, answers something that is not MCP, or times out is *unavailable*: it
is left out of queries and of ``GET /v1/tools`` instead of failing the whole call inside
OGX. The tool names of a healthy server are kept for the duplicate-name rule
(:mod:`~lightspeed_core.mcp.service`).

Results are cached per (URL, fingerprint of the headers), stale-while-revalidate like
:mod:`~lightspeed_core.refreshing`: a result younger than :data:`OK_TTL` (healthy) or
:data:`FAILURE_TTL` (unavailable) is served as it is; an older one is still served while one
background check refreshes it; a missing one (or one older than :data:`MAX_STALE`) is
awaited, one check per key however many requests wait. :meth:`McpHealth.report_failure`
marks a server unavailable at once when OGX failed to reach it during a call.

State changes are logged once per server (never the URL's credentials or the headers), and
every failed check counts in ``ls_mcp_server_failures_total{server}``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lightspeed_core.mcp.base import McpServerSpec
from lightspeed_core.mcp.listing import DEFAULT_TIMEOUT, server_tools, why
from lightspeed_core.mcp.probe import fingerprint
from lightspeed_core.metrics.registry import Metrics

log = logging.getLogger(__name__)

OK_TTL = 30.0
FAILURE_TTL = 5.0
MAX_STALE = 300.0
MAX_ENTRIES = 4096

Lister = Callable[[str, Mapping[str, str], float], Awaitable[list[Any]]]


@dataclass(frozen=True, slots=True)
class ListedTool:
    """One tool of a server's listing, as the model is offered it."""

    name: str
    description: str = ""
    input_schema: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Health:
    """The last check of one server: ``ok`` with its tool names, or the reason it failed.

    ``listed`` keeps the whole listing (descriptions and input schemas), which this service
    offers the model itself (:mod:`~lightspeed_core.mcp.offer`).
    """

    ok: bool
    tools: tuple[str, ...] = ()
    reason: str = ""
    listed: tuple[ListedTool, ...] = field(default=(), compare=False, repr=False)


def healthy(tools: list[Any]) -> Health:
    """A successful check's result from the listed ``mcp`` tools."""
    listed = tuple(
        ListedTool(
            str(getattr(tool, "name", "")),
            str(getattr(tool, "description", None) or ""),
            dict(getattr(tool, "input_schema", None) or {}),
        )
        for tool in tools
    )
    return Health(True, tuple(tool.name for tool in listed), listed=listed)


@dataclass(slots=True)
class _Entry:
    name: str
    health: Health
    checked_at: float


class McpHealth:
    """Cached MCP handshakes; see the module docstring."""

    def __init__(
        self,
        metrics: Metrics | None = None,
        *,
        lister: Lister = server_tools,
        ok_ttl: float = OK_TTL,
        failure_ttl: float = FAILURE_TTL,
        max_stale: float = MAX_STALE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._metrics = metrics
        self._lister = lister
        self._ok_ttl = ok_ttl
        self._failure_ttl = failure_ttl
        self._max_stale = max(max_stale, ok_ttl, failure_ttl)
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._tasks: dict[str, asyncio.Task[Health]] = {}
        self._available: dict[str, bool] = {}  # server name → last state (logged on change)

    async def check(self, server: McpServerSpec, headers: Mapping[str, str]) -> Health:
        """The server's health with ``headers`` (cached; see the module docstring)."""
        key = fingerprint(server.url, headers)
        entry = self._entries.get(key)
        if entry is not None:
            age = self._clock() - entry.checked_at
            if age > (self._ok_ttl if entry.health.ok else self._failure_ttl):
                self._start(key, server, headers)  # revalidate behind the caller's back
            if age <= self._max_stale:
                return entry.health
        return await asyncio.shield(self._start(key, server, headers))

    async def recheck(self, server: McpServerSpec, headers: Mapping[str, str]) -> Health:
        """Check now, bypassing the cache; a failure marks the server unavailable at once."""
        try:
            tools = await self._lister(server.url, headers, server.timeout or DEFAULT_TIMEOUT)
        except Exception as exc:  # any failure makes the server unavailable, nothing else
            self.report_failure(server.name, why(exc))
            return Health(False, reason=why(exc))
        return healthy(tools)

    def report_failure(self, name: str, reason: str) -> None:
        """OGX could not use the server during a call: unavailable now, re-checked later."""
        now = self._clock()
        failed = Health(False, reason=reason)
        for entry in self._entries.values():
            if entry.name == name:
                entry.health, entry.checked_at = failed, now
        self._record(name, failed)

    def refresh(self, server: McpServerSpec, headers: Mapping[str, str]) -> None:
        """List the server's tools again now, in the background (``tools/list_changed``)."""
        key = fingerprint(server.url, headers)
        if key in self._entries:
            self._start(key, server, headers)

    def close(self) -> None:
        """Cancel checks still running (at shutdown)."""
        for task in list(self._tasks.values()):
            task.cancel()

    def _start(
        self, key: str, server: McpServerSpec, headers: Mapping[str, str]
    ) -> asyncio.Task[Health]:
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.create_task(self._check(key, server, dict(headers)), name="mcp-health")
            self._tasks[key] = task
            task.add_done_callback(lambda _: self._tasks.pop(key, None))
        return task

    async def _check(self, key: str, server: McpServerSpec, headers: dict[str, str]) -> Health:
        try:
            tools = await self._lister(server.url, headers, server.timeout or DEFAULT_TIMEOUT)
        except Exception as exc:  # any failure makes the server unavailable, nothing else
            health = Health(False, reason=why(exc))
        else:
            health = healthy(tools)
        self._store(key, _Entry(server.name, health, self._clock()))
        self._record(server.name, health)
        return health

    def _store(self, key: str, entry: _Entry) -> None:
        if len(self._entries) >= MAX_ENTRIES and key not in self._entries:
            oldest = entry.checked_at - self._max_stale
            self._entries = {k: e for k, e in self._entries.items() if e.checked_at > oldest}
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
        self._entries[key] = entry

    def _record(self, name: str, health: Health) -> None:
        if not health.ok and self._metrics is not None:
            self._metrics.mcp_server_failures.labels(name).inc()
        if self._available.get(name) == health.ok:
            return
        self._available[name] = health.ok
        if health.ok:
            log.info("MCP server %r is available (%d tools)", name, len(health.tools))
        else:
            log.warning(
                "MCP server %r is unavailable (%s): left out of queries and /v1/tools until "
                "it answers again",
                name,
                health.reason,
            )
