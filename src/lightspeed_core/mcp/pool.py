"""Pooled MCP client sessions: one open session per (server URL, headers), reused by requests.

OGX opens a new MCP session (``initialize``, ``notifications/initialized``, ``tools/list``) on
every Responses call that offers a server. This service instead runs the model's calls of
server MCP tools itself (:mod:`~lightspeed_core.mcp.offer`) over a session kept open here:
a tool call is then one ``tools/call`` request.

* **Keyed by URL and headers** (:func:`~lightspeed_core.mcp.probe.fingerprint`: a SHA-256 of
  the URL and every merged header, credentials included): a session opened with one
  caller's token is never used for another caller's call.
* **One owner task per session.** The ``mcp`` client's transports are anyio contexts that
  must be entered and left in one task; each session lives in its own task, which opens it
  (streamable HTTP, then SSE; the transport that worked is remembered per URL), signals it
  ready and keeps it open until the pool closes it. Callers in any task send requests over it.
* **Timeouts.** Opening is bounded by the server's ``timeout`` (default 5 s), a tool call by
  :data:`CALL_TIMEOUT`.
* **Reconnect.** A call that fails below the MCP layer (connection reset, server restarted,
  session expired, timeout) drops the session; when the session was open before the call
  (it may have gone stale) and the call did not time out, the call is made once more over a
  new session (a fresh session failing means the server is down: the error goes to the
  caller). An error the server answered (JSON-RPC error) keeps the
  session.
* **Bounded.** Sessions unused for :data:`IDLE_SECONDS` are closed; at most
  :data:`MAX_SESSIONS` are open (the least recently used is closed first).
* **``notifications/tools/list_changed``**: a server that sends it (over a session that has a
  notification stream) triggers the ``on_change`` callback the session was opened with (the
  health cache lists the server's tools again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio

from lightspeed_core.mcp.base import loggable_url
from lightspeed_core.mcp.listing import DEFAULT_TIMEOUT
from lightspeed_core.mcp.probe import fingerprint

log = logging.getLogger(__name__)

CALL_TIMEOUT = 120.0
"""Seconds one ``tools/call`` may take (the tool's own work included)."""
IDLE_SECONDS = 300.0
MAX_SESSIONS = 512
_SWEEP_SECONDS = 10.0


class Session(Protocol):
    """What the pool needs of an open MCP client session."""

    async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> Any: ...


Notify = Callable[[], None]
Opener = Callable[
    [str, dict[str, str], float, int, Notify],
    contextlib.AbstractAsyncContextManager[Session],
]
"""``opener(url, headers, seconds, transport, on_change)``: an initialised session.

``transport`` is 0 (streamable HTTP) or 1 (SSE)."""

TRANSPORTS = (0, 1)


@contextlib.asynccontextmanager
async def open_session(
    url: str, headers: dict[str, str], seconds: float, transport: int, on_change: Notify
) -> AsyncIterator[Session]:
    """An initialised ``mcp`` client session over ``transport`` (0 streamable HTTP, 1 SSE)."""
    import httpx2
    import mcp_types
    from mcp import ClientSession
    from mcp.client.sse import sse_client
    from mcp.client.streamable_http import streamable_http_client

    async def handler(message: Any) -> None:
        if isinstance(message, mcp_types.ToolListChangedNotification):
            on_change()

    async with contextlib.AsyncExitStack() as stack:
        if transport == 0:
            timeout = httpx2.Timeout(seconds, read=CALL_TIMEOUT)
            http = await stack.enter_async_context(
                httpx2.AsyncClient(headers=headers, timeout=timeout)
            )
            streams = await stack.enter_async_context(
                streamable_http_client(url, http_client=http, terminate_on_close=False)
            )
        else:
            streams = await stack.enter_async_context(
                sse_client(url, headers=headers, timeout=seconds, sse_read_timeout=CALL_TIMEOUT)
            )
        session = await stack.enter_async_context(
            ClientSession(streams[0], streams[1], message_handler=handler)
        )
        with anyio.fail_after(seconds):
            await session.initialize()
        yield session


@dataclass(eq=False)
class _Pooled:
    key: str
    ready: asyncio.Future[Session]
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    last_used: float = 0.0
    uses: int = 0

    @property
    def alive(self) -> bool:
        return not self.closing.is_set() and (self.task is None or not self.task.done())


_LOST = frozenset({-32000, -32001})  # the client's "connection closed", "request timed out"


def answered_by_server(exc: BaseException) -> bool:
    """An error the server answered (the session is fine), not a transport failure."""
    from mcp.shared.exceptions import MCPError

    return isinstance(exc, MCPError) and exc.code not in _LOST


class McpSessionPool:
    """Open MCP sessions by (URL, headers); see the module docstring."""

    def __init__(
        self,
        *,
        opener: Opener = open_session,
        idle_seconds: float = IDLE_SECONDS,
        max_sessions: int = MAX_SESSIONS,
        call_timeout: float = CALL_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._opener = opener
        self._idle = idle_seconds
        self._max = max_sessions
        self._call_timeout = call_timeout
        self._clock = clock
        self._sessions: dict[str, _Pooled] = {}
        self._transports: dict[str, int] = {}  # URL → the transport that worked last
        self._swept = clock()
        self.opened = 0  # sessions opened so far (tests, the benchmark)

    def __len__(self) -> int:
        return sum(1 for entry in self._sessions.values() if entry.alive)

    async def call(
        self,
        url: str,
        headers: Mapping[str, str],
        name: str,
        arguments: dict[str, Any],
        *,
        open_timeout: float | None = None,
        on_change: Notify | None = None,
    ) -> Any:
        """``tools/call`` over the pooled session for ``(url, headers)``: the ``CallToolResult``.

        Raises ``TimeoutError``, the transport's error, or the server's ``MCPError``.
        """
        key = fingerprint(url, headers)
        seconds = open_timeout or DEFAULT_TIMEOUT
        for attempt in (1, 2):
            entry = self._entry(key, url, dict(headers), seconds, on_change or _nothing)
            reused = entry.ready.done()  # opened before this call: it may have gone stale
            entry.uses += 1
            try:
                session = await asyncio.wait_for(asyncio.shield(entry.ready), seconds * 2 + 1)
                with anyio.fail_after(self._call_timeout):
                    return await session.call_tool(name, arguments)
            except Exception as exc:
                if answered_by_server(exc):
                    raise
                self._drop(entry)
                if not reused or attempt == 2 or isinstance(exc, TimeoutError):
                    raise
                log.info(
                    "MCP session to %s failed (%s): reconnecting",
                    loggable_url(url),
                    type(exc).__name__,
                )
        raise AssertionError("unreachable")

    async def call_once(
        self,
        url: str,
        headers: Mapping[str, str],
        name: str,
        arguments: dict[str, Any],
        *,
        open_timeout: float | None = None,
    ) -> Any:
        """``tools/call`` over a session of its own, closed afterwards (not pooled)."""
        seconds = open_timeout or DEFAULT_TIMEOUT
        first = self._transports.get(url, 0)
        failure: Exception | None = None
        for transport in sorted(TRANSPORTS, key=lambda t: t != first):
            called = False
            try:
                opened = self._opener(url, dict(headers), seconds, transport, _nothing)
                async with opened as session:
                    self._transports[url] = transport
                    called = True  # from here on, a failure is the call's: not repeated
                    with anyio.fail_after(self._call_timeout):
                        return await session.call_tool(name, arguments)
            except Exception as exc:
                if called or answered_by_server(exc):
                    raise
                failure = exc
        raise failure or ConnectionError("MCP session not opened")

    async def close(self) -> None:
        """Close every session (at shutdown)."""
        entries = list(self._sessions.values())
        self._sessions.clear()
        for entry in entries:
            entry.closing.set()
        tasks = [entry.task for entry in entries if entry.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=5)
        for task in tasks:
            task.cancel()

    def _entry(
        self, key: str, url: str, headers: dict[str, str], seconds: float, on_change: Notify
    ) -> _Pooled:
        now = self._clock()
        if now - self._swept > _SWEEP_SECONDS:
            self._sweep(now)
        entry = self._sessions.get(key)
        if entry is None or not entry.alive:
            if len(self._sessions) >= self._max:
                oldest = min(self._sessions.values(), key=lambda e: e.last_used)
                self._drop(oldest)
            entry = _Pooled(key, asyncio.get_running_loop().create_future())
            entry.ready.add_done_callback(_retrieve)
            entry.task = asyncio.create_task(
                self._own(entry, url, headers, seconds, on_change), name="mcp-session"
            )
            self._sessions[key] = entry
            self.opened += 1
        entry.last_used = now
        return entry

    def _sweep(self, now: float) -> None:
        self._swept = now
        for entry in list(self._sessions.values()):
            if not entry.alive or now - entry.last_used > self._idle:
                self._drop(entry)

    def _drop(self, entry: _Pooled) -> None:
        entry.closing.set()
        if self._sessions.get(entry.key) is entry:
            del self._sessions[entry.key]

    async def _own(
        self, entry: _Pooled, url: str, headers: dict[str, str], seconds: float, notify: Notify
    ) -> None:
        first = self._transports.get(url, 0)
        failure: BaseException | None = None
        try:
            for transport in sorted(TRANSPORTS, key=lambda t: t != first):
                try:
                    async with self._opener(url, headers, seconds, transport, notify) as session:
                        self._transports[url] = transport
                        entry.ready.set_result(session)
                        await entry.closing.wait()
                        return
                except Exception as exc:  # opening failed, or the open session broke
                    if entry.ready.done():
                        log.debug("MCP session to %s ended (%s)", loggable_url(url), type(exc))
                        return
                    failure = exc
        finally:
            entry.closing.set()
            if not entry.ready.done():
                entry.ready.set_exception(failure or ConnectionError("MCP session not opened"))


def _nothing() -> None:
    return None


def _retrieve(future: asyncio.Future[Session]) -> None:
    if not future.cancelled():
        future.exception()  # retrieved: no "exception was never retrieved" at collection
