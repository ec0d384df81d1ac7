"""``build_tools``: the MCP tool service for a configuration."""

from __future__ import annotations

import logging
from pathlib import Path

from lightspeed_core.config import Configuration
from lightspeed_core.db.engine import Database
from lightspeed_core.mcp.base import KEYWORDS
from lightspeed_core.mcp.headers import SecretFiles
from lightspeed_core.mcp.health import McpHealth
from lightspeed_core.mcp.probe import McpProbe
from lightspeed_core.mcp.registry import McpRegistry, from_config
from lightspeed_core.mcp.service import McpToolService
from lightspeed_core.metrics.registry import Metrics

log = logging.getLogger(__name__)


async def build_tools(
    config: Configuration,
    database: Database,
    config_dir: Path | None = None,
    metrics: Metrics | None = None,
) -> McpToolService:
    """Configured servers plus the database registry (always built: the API may add servers).

    Secret files (relative paths resolve against ``config_dir``) are read once here, so a
    missing or empty one is reported at start.
    """
    secrets = SecretFiles(config_dir or Path.cwd())
    configured = [from_config(server) for server in config.mcp_servers]
    for server in configured:
        for header, source in server.authorization_headers.items():
            if source not in KEYWORDS and secrets.value(source) is None:
                log.warning(
                    "MCP server %r: the secret file for header %s (%s) is missing or empty; "
                    "the server is skipped until it has a value",
                    server.name,
                    header,
                    secrets.path(source),
                )
    registry = McpRegistry(configured, database, config.mcp_registration.allowed_hosts)
    return McpToolService(registry, secrets, McpProbe(), McpHealth(metrics))
