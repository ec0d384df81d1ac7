"""``/v1/conversations`` and ``/v2/conversations``: one router factory, one set of handlers.

``conversations_router(version)`` closes over a
:class:`~lightspeed_core.conversations.sources.ConversationSource`: the handlers are the same
for both versions; the source decides where listings and histories come from (v1: the user
database, v2: the conversation cache) and their shape. DELETE and PUT always act on the
database and the cache. Each handler is one span (``conversations_v1.list`` … as the
reference names them), continuing the client's ``traceparent`` when tracing is on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.container import Services
from lightspeed_core.conversations.sources import (
    CacheSource,
    ConversationSource,
    DatabaseSource,
    conversation_id_from_path,
)
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.conversations import (
    ConversationDeleteResponse,
    ConversationResponse,
    ConversationsListResponse,
    ConversationsListResponseV2,
    ConversationUpdateRequest,
    ConversationUpdateResponse,
)
from lightspeed_core.vocabulary.actions import Action

Version = Literal["v1", "v2"]
_SOURCES: dict[Version, Callable[[Services], ConversationSource]] = {
    "v1": lambda services: DatabaseSource(services.conversations),
    "v2": lambda services: CacheSource(services.conversations),
}
_LIST_BODIES: dict[Version, Any] = {
    "v1": ConversationsListResponse,
    "v2": ConversationsListResponseV2,
}


def conversations_router(version: Version) -> APIRouter:
    """The conversations routes of one API version."""
    router = APIRouter(prefix=f"/{version}", tags=[f"conversations_{version}"])
    source_of = _SOURCES[version]
    span = f"conversations_{version}"

    @router.get(
        "/conversations",
        response_model=_LIST_BODIES[version],
        responses=error_responses(401, 403, 500, 503),
    )
    async def list_conversations(
        request: Request,
        auth: Annotated[Authorized, Depends(require(Action.LIST_CONVERSATIONS))],
        services: ServicesDep,
    ) -> Any:
        """The caller's conversations."""
        with services.tracer.request_span(f"{span}.list", request.headers):
            return await source_of(services).listing(auth)

    @router.get(
        "/conversations/{conversation_id}",
        response_model=ConversationResponse,
        responses=error_responses(400, 401, 403, 404, 500, 503),
    )
    async def get_conversation(
        conversation_id: str,
        request: Request,
        auth: Annotated[Authorized, Depends(require(Action.GET_CONVERSATION))],
        services: ServicesDep,
    ) -> ConversationResponse:
        """A conversation's chat history."""
        with services.tracer.request_span(f"{span}.get", request.headers):
            cid = conversation_id_from_path(conversation_id)
            source = source_of(services)
            owner = await source.owner(auth, cid, Action.GET_CONVERSATION)
            return await source.history(owner, cid)

    @router.delete(
        "/conversations/{conversation_id}",
        response_model=ConversationDeleteResponse,
        responses=error_responses(400, 401, 403, 500, 503),
    )
    async def delete_conversation(
        conversation_id: str,
        request: Request,
        auth: Annotated[Authorized, Depends(require(Action.DELETE_CONVERSATION))],
        services: ServicesDep,
    ) -> ConversationDeleteResponse:
        """Delete a conversation from the database and the conversation cache."""
        with services.tracer.request_span(f"{span}.delete", request.headers):
            cid = conversation_id_from_path(conversation_id)
            owner = await source_of(services).deletable(auth, cid)
            deleted = owner is not None and await services.conversations.delete(owner, cid)
            return ConversationDeleteResponse.of(cid, deleted)

    @router.put(
        "/conversations/{conversation_id}",
        response_model=ConversationUpdateResponse,
        responses=error_responses(400, 401, 403, 404, 500, 503),
    )
    async def update_conversation(
        conversation_id: str,
        body: ConversationUpdateRequest,
        request: Request,
        auth: Annotated[Authorized, Depends(require(Action.UPDATE_CONVERSATION))],
        services: ServicesDep,
    ) -> ConversationUpdateResponse:
        """Replace the conversation's topic summary."""
        with services.tracer.request_span(f"{span}.update", request.headers):
            cid = conversation_id_from_path(conversation_id)
            owner = await source_of(services).owner(auth, cid, Action.UPDATE_CONVERSATION)
            await services.conversations.set_topic(owner, cid, body.topic_summary)
            return ConversationUpdateResponse(conversation_id=cid)

    return router


v1_router = conversations_router("v1")
v2_router = conversations_router("v2")
