"""``GET /v1/tools`` and ``GET /v1/mcp-auth/client-options``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.mcp.base import ToolRequest
from lightspeed_core.mcp.listing import builtin_catalog
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.mcp import (
    MCPClientAuthOptionsResponse,
    MCPServerAuthInfo,
    ToolsResponse,
    UnavailableMcpServer,
)
from lightspeed_core.skills.tools import skill_catalog
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1")


@router.get(
    "/tools",
    tags=["tools"],
    response_model=ToolsResponse,
    responses=error_responses(401, 403, 500, 503),
)
async def tools(
    request: Request,
    auth: Annotated[Authorized, Depends(require(Action.GET_TOOLS))],
    services: ServicesDep,
) -> ToolsResponse:
    """OGX built-in tools, the tools of MCP servers usable with the caller's headers, skills.

    MCP servers left out because they failed are named in ``unavailable_servers`` (ours).

    The skill tools are listed when at least one skill is configured.
    """
    listed = await services.tools.catalog(ToolRequest(auth.principal, request.headers))
    builtin = (
        [] if services.backend_state.degraded else await builtin_catalog(services.tool_catalogue)
    )
    unavailable = [UnavailableMcpServer(name=n, reason=r) for n, r in listed.unavailable]
    return ToolsResponse(
        tools=[*builtin, *listed.tools, *skill_catalog(services.skills)],
        unavailable_servers=unavailable or None,
    )


@router.get(
    "/mcp-auth/client-options",
    tags=["mcp-auth"],
    response_model=MCPClientAuthOptionsResponse,
    responses=error_responses(401, 403, 500, 503),
)
async def client_options(
    _auth: Annotated[Authorized, Depends(require(Action.GET_TOOLS))],
    services: ServicesDep,
) -> MCPClientAuthOptionsResponse:
    """MCP servers that take (some of) their credentials from the client's MCP-HEADERS."""
    return MCPClientAuthOptionsResponse(
        servers=[
            MCPServerAuthInfo(name=s.name, client_auth_headers=headers)
            for s in await services.tools.servers()
            if (headers := s.client_auth_headers())
        ]
    )
