"""``POST|GET /v1/mcp-servers`` and ``DELETE /v1/mcp-servers/{name}``: the dynamic registry.

Registered servers are stored in the database (every worker and pod sees them; they survive
restarts). Only servers registered here can be deleted; configured ones answer 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.mcp.base import McpServerSpec
from lightspeed_core.schemas.common import ErrorResponse, error_responses
from lightspeed_core.schemas.mcp import (
    MCPServerDeleteResponse,
    MCPServerInfo,
    MCPServerListResponse,
    MCPServerRegistrationRequest,
    MCPServerRegistrationResponse,
)
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1", tags=["mcp-servers"])
REGISTER_ERRORS: dict[int | str, dict[str, object]] = {
    **error_responses(401, 403, 500),
    409: {"model": ErrorResponse, "description": "Resource already exists"},
}


@router.post(
    "/mcp-servers",
    status_code=status.HTTP_201_CREATED,
    response_model=MCPServerRegistrationResponse,
    responses=REGISTER_ERRORS,
)
async def register_mcp_server(
    body: MCPServerRegistrationRequest,
    auth: Annotated[Authorized, Depends(require(Action.REGISTER_MCP_SERVER))],
    services: ServicesDep,
) -> MCPServerRegistrationResponse:
    """Register an MCP server; it is offered to the model from then on."""
    server = McpServerSpec(
        name=body.name,
        url=body.url,
        provider_id=body.provider_id,
        authorization_headers=body.authorization_headers or {},
        headers=tuple(body.headers or ()),
        timeout=float(body.timeout) if body.timeout else None,
        source="api",
    )
    await services.tools.register(server, auth.principal.user_id)
    return MCPServerRegistrationResponse(
        name=server.name,
        url=server.url,
        provider_id=server.provider_id,
        message=f"MCP server '{server.name}' registered successfully",
    )


@router.get(
    "/mcp-servers",
    response_model=MCPServerListResponse,
    responses=error_responses(401, 403, 500),
)
async def list_mcp_servers(
    _auth: Annotated[Authorized, Depends(require(Action.LIST_MCP_SERVERS))],
    services: ServicesDep,
) -> MCPServerListResponse:
    """Configured and registered MCP servers."""
    return MCPServerListResponse(
        servers=[
            MCPServerInfo(name=s.name, url=s.url, provider_id=s.provider_id, source=s.source)
            for s in await services.tools.servers()
        ]
    )


@router.delete(
    "/mcp-servers/{name}",
    response_model=MCPServerDeleteResponse,
    responses=error_responses(401, 403, 500),
)
async def delete_mcp_server(
    name: str,
    _auth: Annotated[Authorized, Depends(require(Action.DELETE_MCP_SERVER))],
    services: ServicesDep,
) -> MCPServerDeleteResponse:
    """Unregister an MCP server registered through the API."""
    deleted = await services.tools.unregister(name)
    message = "MCP server deleted successfully" if deleted else "MCP server not found"
    return MCPServerDeleteResponse(deleted=deleted, name=name, response=message)
