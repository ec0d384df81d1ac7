"""The tool Protocol the pipeline and the routes call, its data types and a no-op double.

An MCP server is described by :class:`McpServerSpec` whether it comes from
``mcp_servers`` in the configuration (``source="config"``) or from
``POST /v1/mcp-servers`` (``source="api"``, stored in the database).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

from lightspeed_core.auth.base import Principal
from lightspeed_core.errors import InternalError
from lightspeed_core.llm.functions import FunctionTools
from lightspeed_core.schemas.mcp import CatalogTool

DEFAULT_PROVIDER_ID = "model-context-protocol"
KUBERNETES, CLIENT, OAUTH = "kubernetes", "client", "oauth"
KEYWORDS = frozenset({KUBERNETES, CLIENT, OAUTH})
"""``authorization_headers`` values that are keywords; anything else is a secret-file path."""

Approval = str | dict[str, list[str]]


def loggable_url(url: str) -> str:
    """``url`` without user info and query (which may carry credentials), for log lines."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True, slots=True)
class ToolRequest:
    """What tool resolution may look at: the caller and the incoming request headers."""

    principal: Principal
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class McpServerSpec:
    """One MCP server the model may use.

    ``authorization_headers`` maps a header name to its value source: a secret-file path or
    one of :data:`KEYWORDS`. ``headers`` names incoming request headers to forward.
    ``timeout`` (seconds) bounds our own calls to the server (OAuth probe, tool listing).
    ``client_headers`` names further headers a client may set in ``MCP-HEADERS``.
    """

    name: str
    url: str
    provider_id: str = DEFAULT_PROVIDER_ID
    authorization_headers: Mapping[str, str] = field(default_factory=dict)
    headers: tuple[str, ...] = ()
    require_approval: Approval = "never"
    timeout: float | None = None
    source: Literal["config", "api"] = "config"
    client_headers: tuple[str, ...] = ()

    def client_settable(self) -> frozenset[str]:
        """Lower-case names a client may set in ``MCP-HEADERS`` for this server."""
        names = {"authorization", *self.authorization_headers, *self.client_headers}
        return frozenset(name.lower() for name in names)

    def client_auth_headers(self) -> list[str]:
        """Names of the headers whose value the client supplies (keyword ``client``)."""
        return [name for name, source in self.authorization_headers.items() if source == CLIENT]


@dataclass(frozen=True, slots=True)
class ToolCatalog:
    """What ``/v1/tools`` shows of the MCP servers: their tools, and who is left out.

    ``unavailable`` holds ``(server name, reason)`` for servers that failed their check or
    their listing; the reason never carries the server's URL.
    """

    tools: list[CatalogTool] = field(default_factory=list)
    unavailable: list[tuple[str, str]] = field(default_factory=list)


class ToolService(Protocol):
    """MCP servers: per-request tool definitions, the tool catalog and the dynamic registry."""

    async def tools_for(self, request: ToolRequest) -> list[dict[str, Any]]:
        """MCP tool definitions (``{"type": "mcp", ...}``) with merged headers.

        May raise ``UnauthorizedError`` (the OAuth probe: upstream 401 + WWW-Authenticate)
        before anything is streamed.
        """
        ...

    async def catalog(self, request: ToolRequest) -> ToolCatalog:
        """Tools listed directly from every usable MCP server (may raise the probe's 401)."""
        ...

    async def offer(
        self, tools: Sequence[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], FunctionTools | None]:
        """``tools`` with server MCP tools offered as function tools, and what runs them.

        ``None``: nothing replaced (OGX runs the ``mcp`` tools itself).
        """
        ...

    def report_failure(self, label: str, reason: str) -> None:
        """OGX failed to use server ``label`` during a call: leave it out until re-checked."""
        ...

    async def recheck(self, tools: Sequence[Mapping[str, Any]]) -> list[str]:
        """Labels of the MCP servers among ``tools`` that fail a check made now.

        ``tools`` are OGX tool definitions; the failing servers are left out until they
        pass a check again.
        """
        ...

    async def servers(self) -> list[McpServerSpec]:
        """Configured servers first, then the registered ones (read from the database)."""
        ...

    async def register(self, server: McpServerSpec, created_by: str) -> None:
        """Store an API-registered server (``ConflictError`` if the name is taken)."""
        ...

    async def unregister(self, name: str) -> bool:
        """Remove an API-registered server; ``False`` if unknown, ``ForbiddenError`` if static."""
        ...

    async def close(self) -> None:
        """Stop background work (probes, registry refreshes) at shutdown."""
        ...


class NoTools:
    """No MCP servers at all (a test double; the service always builds the real one)."""

    async def tools_for(self, request: ToolRequest) -> list[dict[str, Any]]:
        return []

    async def catalog(self, request: ToolRequest) -> ToolCatalog:
        return ToolCatalog()

    async def offer(
        self, tools: Sequence[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], FunctionTools | None]:
        return list(tools), None

    def report_failure(self, label: str, reason: str) -> None:
        return None

    async def recheck(self, tools: Sequence[Mapping[str, Any]]) -> list[str]:
        return []

    async def servers(self) -> list[McpServerSpec]:
        return []

    async def register(self, server: McpServerSpec, created_by: str) -> None:
        raise InternalError(
            "Failed to register MCP server",
            "Could not register the MCP server with the remote service.",
        )

    async def unregister(self, name: str) -> bool:
        return False

    async def close(self) -> None:
        return None
