"""Which MCP servers exist: the configured ones plus those registered through the API.

API-registered servers live in the ``mcp_server`` table of the main database, so every
worker and every pod sees the same set and it survives restarts (the reference keeps them in
a per-worker list). Queries read the table through a cache of :data:`CACHE_SECONDS`
(``Refreshing``: stale values are served while one background read refreshes them, so the
requests in flight never all read the table at once): a registration made on one worker is
used by the others within about that time; the worker that made the change drops its own
cache at once. The list endpoint always reads the table.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from lightspeed_core.config.models.mcp import ModelContextProtocolServer
from lightspeed_core.db.engine import Database
from lightspeed_core.db.tables import McpServer
from lightspeed_core.errors import ConflictError, ForbiddenError, UnprocessableError
from lightspeed_core.mcp.base import McpServerSpec, loggable_url
from lightspeed_core.refreshing import Refreshing

log = logging.getLogger(__name__)

CACHE_SECONDS = 1.0
MAX_STALE_SECONDS = 10.0  # past this, a query waits for the read (a database outage shows)


def from_config(server: ModelContextProtocolServer) -> McpServerSpec:
    approval = server.require_approval
    return McpServerSpec(
        name=server.name,
        url=server.url,
        provider_id=server.provider_id,
        authorization_headers=dict(server.authorization_headers),
        headers=tuple(server.headers),
        require_approval=approval if isinstance(approval, str) else approval.model_dump(),
        timeout=float(server.timeout) if server.timeout else None,
        source="config",
        client_headers=tuple(server.client_headers),
    )


def _from_row(row: Any) -> McpServerSpec:
    return McpServerSpec(
        name=row.name,
        url=row.url,
        provider_id=row.provider_id,
        authorization_headers=dict(row.authorization_headers or {}),
        headers=tuple(row.headers or ()),
        timeout=float(row.timeout) if row.timeout else None,
        source="api",
    )


def host_allowed(url: str, patterns: Sequence[str]) -> bool:
    """Whether ``url``'s host matches one of the (``fnmatch``-style) host patterns."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return bool(host) and any(fnmatchcase(host, p.lower().strip("[]")) for p in patterns)


class McpRegistry:
    """Configured servers (fixed) and API-registered ones (the database)."""

    def __init__(
        self,
        configured: Sequence[McpServerSpec],
        database: Database,
        allowed_hosts: Sequence[str],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.configured = tuple(configured)
        self.db = database
        self.allowed_hosts = tuple(allowed_hosts)
        self._registered = Refreshing(
            self._read,
            ttl=CACHE_SECONDS,
            max_stale=MAX_STALE_SECONDS,
            what="registered MCP servers",
            clock=clock,
        )

    async def servers(self, *, fresh: bool = False) -> list[McpServerSpec]:
        """Every server, configured first; the registered ones about ``CACHE_SECONDS`` old."""
        registered = await (self._registered.fresh() if fresh else self._registered.get())
        return [*self.configured, *registered]

    async def close(self) -> None:
        await self._registered.close()

    async def register(self, server: McpServerSpec, created_by: str) -> None:
        """Store ``server``; 409 if its name is taken, 422 if its host is not allowed."""
        if any(s.name == server.name for s in self.configured):
            raise _conflict(server.name)
        if not host_allowed(server.url, self.allowed_hosts):
            host = urlsplit(server.url).hostname
            raise UnprocessableError(
                "Invalid attribute value",
                f"MCP server host '{host}' is not allowed for registration through the API "
                "(see mcp_registration.allowed_hosts).",
            )
        row = {
            "name": server.name,
            "url": server.url,
            "provider_id": server.provider_id,
            "authorization_headers": dict(server.authorization_headers),
            "headers": list(server.headers),
            "timeout": int(server.timeout) if server.timeout else None,
            "created_at": datetime.now(UTC),
            "created_by": created_by,
        }
        try:
            await self.db.run_write(lambda connection: connection.execute(insert(McpServer), row))
        except IntegrityError as exc:
            raise _conflict(server.name) from exc
        self._registered.invalidate()
        log.info(
            "MCP server %r registered at %s by %s",
            server.name,
            loggable_url(server.url),
            created_by,
        )

    async def unregister(self, name: str) -> bool:
        """Delete a registered server; 403 for a configured one."""
        if any(s.name == name for s in self.configured):
            raise ForbiddenError(
                "Cannot delete statically configured MCP server",
                f"MCP server '{name}' is defined in configuration and cannot be removed via "
                "the API.",
            )
        statement = delete(McpServer).where(McpServer.name == name)
        deleted = await self.db.run_write(lambda c: bool(c.execute(statement).rowcount))
        self._registered.invalidate()
        if deleted:
            log.info("MCP server %r unregistered", name)
        return deleted

    async def _read(self) -> tuple[McpServerSpec, ...]:
        query = select(McpServer).order_by(McpServer.created_at)
        rows = await self.db.run(lambda connection: connection.execute(query).all())
        configured = {s.name for s in self.configured}
        return tuple(_from_row(row) for row in rows if row.name not in configured)


def _conflict(name: str) -> ConflictError:
    return ConflictError(
        "Mcp Server already exists", f"Mcp Server with name '{name}' is already registered"
    )
