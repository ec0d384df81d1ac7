"""The OAuth probe: does an MCP server accept the credentials a request would send?

Before a query (or the tool listing) uses a server, ``GET <server url>`` is sent with the
merged headers and only the status line is read (an SSE endpoint would stream forever):

* 401 → the request answers 401 ``MCP server at <url> requires OAuth`` with the upstream
  ``WWW-Authenticate`` header, so the client can run the OAuth flow and retry with
  ``MCP-HEADERS``;
* no answer within the timeout, or a connection error → the server is *unreachable*: it is
  left out of this request (logged) instead of failing the whole query inside OGX;
* anything else → fine.

Results are cached per (URL, fingerprint of the headers) - a SHA-256, never the token
itself - for :data:`OK_TTL` seconds (:data:`FAILURE_TTL` for 401 and unreachable), and
concurrent probes of the same key share one HTTP request, so a busy service does not pay a
round trip per server per query. Each probe uses its own short-lived HTTP client (probes
are rare thanks to the cache), so the prober holds no connection to close.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import httpx

from lightspeed_core.errors import UnauthorizedError
from lightspeed_core.mcp.base import loggable_url

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
OK_TTL = 30.0
FAILURE_TTL = 5.0
MAX_ENTRIES = 4096


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What the server answered."""

    status: Literal["ok", "unauthorized", "unreachable"]
    www_authenticate: str | None = None

    def raise_for_oauth(self, url: str) -> None:
        """Raise the contract's 401 when the server asked for credentials."""
        if self.status == "unauthorized":
            headers = {"WWW-Authenticate": self.www_authenticate} if self.www_authenticate else {}
            raise UnauthorizedError(f"MCP server at {url} requires OAuth", headers=headers)


def fingerprint(url: str, headers: Mapping[str, str]) -> str:
    """Cache key for a URL and a header set (a hash: tokens are not kept in memory twice)."""
    canonical = "\n".join(f"{k}:{v}" for k, v in sorted((k.lower(), v) for k, v in headers.items()))
    return hashlib.sha256(f"{url}\n{canonical}".encode()).hexdigest()


class McpProbe:
    """Probes MCP servers with a short-lived result cache."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        ok_ttl: float = OK_TTL,
        failure_ttl: float = FAILURE_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = transport
        self._ok_ttl = ok_ttl
        self._failure_ttl = failure_ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, ProbeResult]] = {}
        self._inflight: dict[str, asyncio.Future[ProbeResult]] = {}

    async def check(
        self, url: str, headers: Mapping[str, str], seconds: float | None = None
    ) -> ProbeResult:
        """The (possibly cached) probe result for ``url`` with ``headers``.

        ``seconds`` bounds the HTTP request (default :data:`DEFAULT_TIMEOUT`).
        """
        key = fingerprint(url, headers)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        task = self._inflight.get(key)
        if task is None:  # one probe per key at a time, not tied to any caller's lifetime
            task = asyncio.ensure_future(self._probe_and_store(key, url, headers, seconds))
            self._inflight[key] = task
            task.add_done_callback(lambda _: self._inflight.pop(key, None))
        return await asyncio.shield(task)

    def forget(self) -> None:
        """Drop every cached result."""
        self._cache.clear()

    def close(self) -> None:
        """Cancel probes still running (at shutdown)."""
        for task in list(self._inflight.values()):
            task.cancel()

    async def _probe_and_store(
        self, key: str, url: str, headers: Mapping[str, str], seconds: float | None
    ) -> ProbeResult:
        result = await self._probe(url, headers, seconds or DEFAULT_TIMEOUT)
        self._store(key, result, self._ok_ttl if result.status == "ok" else self._failure_ttl)
        return result

    def _store(self, key: str, result: ProbeResult, ttl: float) -> None:
        now = self._clock()
        if len(self._cache) >= MAX_ENTRIES:
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
            if len(self._cache) >= MAX_ENTRIES:
                self._cache.clear()
        self._cache[key] = (now + ttl, result)

    async def _probe(self, url: str, headers: Mapping[str, str], seconds: float) -> ProbeResult:
        try:
            async with (
                asyncio.timeout(seconds),
                httpx.AsyncClient(transport=self._transport, timeout=seconds) as client,
                client.stream("GET", url, headers=dict(headers)) as response,
            ):
                status = response.status_code
                challenge = response.headers.get("www-authenticate")
        except (httpx.HTTPError, OSError, TimeoutError) as exc:
            # INFO: the health check (mcp/health.py) warns once per change of state
            log.info("MCP server at %s is unreachable (%s)", loggable_url(url), type(exc).__name__)
            return ProbeResult("unreachable")
        if status == 401:
            log.info("MCP server at %s answered 401 to the probe", loggable_url(url))
            return ProbeResult("unauthorized", challenge)
        return ProbeResult("ok")
