"""The tool Protocol the pipeline calls, and its no-op implementation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from lightspeed_core.auth.base import Principal


@dataclass(frozen=True, slots=True)
class ToolRequest:
    """What tool resolution may look at: the caller and the incoming request headers."""

    principal: Principal
    headers: Mapping[str, str]


class ToolService(Protocol):
    """Builds the OGX Responses ``tools`` list for one request."""

    async def tools_for(self, request: ToolRequest) -> list[dict[str, Any]]:
        """MCP tool definitions (``{"type": "mcp", ...}``) with merged headers.

        May raise ``UnauthorizedError`` (the OAuth probe: upstream 401 + WWW-Authenticate)
        before anything is streamed.
        """
        ...


class NoTools:
    """No MCP servers configured."""

    async def tools_for(self, request: ToolRequest) -> list[dict[str, Any]]:
        return []
