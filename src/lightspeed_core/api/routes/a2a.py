"""A2A (contract 10): the agent card, JSON-RPC on ``/a2a``, and ``/a2a/health``.

The card routes authenticate but check no RBAC action, ``/a2a`` needs ``a2a_jsonrpc`` and
``/a2a/health`` is open, as in the reference. The JSON-RPC work is in ``lightspeed_core.a2a``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import version
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from lightspeed_core import __version__
from lightspeed_core.a2a.caller import Caller
from lightspeed_core.a2a.card import AgentCardDocument, missing_card_reason
from lightspeed_core.api.deps import CurrentUser, ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.container import Services
from lightspeed_core.errors import PlainDetailError
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(tags=["a2a"])
SDK_VERSION = version("a2a-sdk")

_JSONRPC_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Successful response",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "JSON-RPC 2.0 response or A2A-over-HTTP payload",
                },
                "example": {"jsonrpc": "2.0", "id": "1", "result": {}},
            },
            "text/event-stream": {
                "schema": {
                    "type": "string",
                    "format": "text/event-stream",
                    "description": "Server-Sent Events stream when the method is message/stream",
                },
                "example": 'data: {"jsonrpc":"2.0","id":"1","result":{}}\n\n',
            },
        },
    }
}


@router.get("/.well-known/agent.json", response_model=AgentCardDocument)
@router.get("/.well-known/agent-card.json", response_model=AgentCardDocument)
async def get_agent_card(_principal: CurrentUser, services: ServicesDep) -> AgentCardDocument:
    """The agent card: who this agent is, its skills, and where and how to call it."""
    card = services.a2a.card
    if card is None:
        raise PlainDetailError(500, missing_card_reason(services.config))
    return card


A2AAccess = Annotated[Authorized, Depends(require(Action.A2A_JSONRPC))]


async def _jsonrpc(request: Request, auth: Authorized, services: Services) -> Response:
    caller = Caller(auth, services.pipeline_ports(), request.headers)
    return await services.a2a.handle(request, caller)


@router.get("/a2a", operation_id="handle_a2a_jsonrpc_a2a_get", responses=_JSONRPC_RESPONSES)
async def handle_a2a_jsonrpc_get(
    request: Request, auth: A2AAccess, services: ServicesDep
) -> Response:
    """A2A JSON-RPC 2.0 on GET (the body is read as for POST)."""
    return await _jsonrpc(request, auth, services)


@router.post("/a2a", operation_id="handle_a2a_jsonrpc_a2a_post", responses=_JSONRPC_RESPONSES)
async def handle_a2a_jsonrpc(request: Request, auth: A2AAccess, services: ServicesDep) -> Response:
    """A2A JSON-RPC 2.0 (protocol 1.0 and 0.3); ``message/stream`` answers with SSE."""
    return await _jsonrpc(request, auth, services)


@router.get("/a2a/health")
async def a2a_health_check() -> dict[str, str]:
    """Health of the A2A service (no authentication)."""
    return {
        "status": "healthy",
        "service": "lightspeed-a2a",
        "version": __version__,
        "a2a_sdk_version": SDK_VERSION,
        "timestamp": datetime.now(UTC).isoformat(),
    }
