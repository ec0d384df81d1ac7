"""``build_tools``: the MCP tool service the configuration asks for."""

from __future__ import annotations

from lightspeed_core.config import Configuration
from lightspeed_core.db.engine import Database
from lightspeed_core.mcp.base import NoTools, ToolService


async def build_tools(config: Configuration, database: Database) -> ToolService:  # noqa: ARG001
    """No MCP servers configured → :class:`NoTools`."""
    return NoTools()
