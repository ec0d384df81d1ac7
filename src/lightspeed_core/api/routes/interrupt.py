"""``POST /v1/streaming_query/interrupt``: stop a running stream, on whichever worker runs it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.interrupt import StreamingInterruptRequest, StreamingInterruptResponse
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1", tags=["streaming_query"])
INTERRUPTED = "Streaming request interrupted"
ALREADY_COMPLETED = "Streaming request already completed; nothing to interrupt"


@router.post(
    "/streaming_query/interrupt",
    response_model=StreamingInterruptResponse,
    responses=error_responses(401, 403, 404, 503),
)
async def interrupt_stream(
    body: StreamingInterruptRequest,
    auth: Annotated[Authorized, Depends(require(Action.STREAMING_QUERY))],
    services: ServicesDep,
) -> StreamingInterruptResponse:
    """Stop the caller's stream named by the ``request_id`` of its ``start`` event."""
    stopped = await services.streams.interrupt(body.request_id, auth.principal.user_id)
    return StreamingInterruptResponse(
        request_id=body.request_id,
        interrupted=stopped,
        message=INTERRUPTED if stopped else ALREADY_COMPLETED,
    )
